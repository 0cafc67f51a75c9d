"""Start-up time and idle memory of `rungateway` (issue 2's numbers; not a test).

Starts the gateway N times (default 5) on a fresh, migrated temp state dir and reports the
median and spread of: process start -> `listening` line, and resident memory 10 s after
start (RSS of the process, from /proc), and SIGTERM -> process exit.
Usage: .venv/bin/python bench/startup.py [N] [SETTLE_SECONDS]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.gateway import spawn_gateway


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def one_run(settle: float) -> tuple[float, float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        state = Path(tmp)
        config = {"gateway": {"mode": "local"}, "agents": {"list": [{"id": "main"}]}}
        started = time.perf_counter()
        gw = spawn_gateway(
            state, config=config, env={"EPILOOP_GATEWAY_TOKEN": "bench-token-1234567890"}
        )
        gw.wait_for(r"\[gateway\] listening on ws://", timeout=60)
        to_listen = time.perf_counter() - started
        time.sleep(max(0.0, settle - (time.perf_counter() - started)))
        rss = rss_mb(gw.proc.pid)
        stopping = time.perf_counter()
        gw.stop()
        return to_listen, rss, time.perf_counter() - stopping


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    settle = float(sys.argv[2]) if len(sys.argv) > 2 else 10.0
    one_run(1.0)  # warm the OS file cache and the migrated template database
    results = [one_run(settle) for _ in range(runs)]
    starts = [r[0] for r in results]
    rss = [r[1] for r in results]
    stops = [r[2] for r in results]
    print(f"runs: {runs}")
    print(
        f"start -> listening: median {statistics.median(starts):.3f} s "
        f"(min {min(starts):.3f}, max {max(starts):.3f})"
    )
    print(
        f"idle RSS after {settle:.0f} s: median {statistics.median(rss):.1f} MB "
        f"(min {min(rss):.1f}, max {max(rss):.1f})"
    )
    print(
        f"SIGTERM -> exit: median {statistics.median(stops):.3f} s "
        f"(min {min(stops):.3f}, max {max(stops):.3f})"
    )


if __name__ == "__main__":
    main()
