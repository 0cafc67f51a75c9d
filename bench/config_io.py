"""Config file timings (not a test): parse+validate, import into the tables, export back.

    EPILOOP_STATE_DIR=$(mktemp -d) .venv/bin/python bench/config_io.py [FILE]

Default FILE: the largest config of the corpus (../shared/corpus/openclaw-configs/33-...).
Prints medians of 5 runs in milliseconds.
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "epiloop_site.settings")
os.environ.setdefault("EPILOOP_STATE_DIR", tempfile.mkdtemp())

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from gateway.config.io import load_file  # noqa: E402
from gateway.config.sync import export_file, import_file  # noqa: E402

CORPUS = REPO / ".." / "shared" / "corpus" / "openclaw-configs"


def median_ms(fn: object, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else next(CORPUS.glob("33-*"))
    call_command("migrate", verbosity=0)
    text = source.read_text()
    for name in set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)\}", text)):
        os.environ.setdefault(name, "bench-value")
    work = Path(tempfile.mkdtemp()) / "epiloop.json"
    work.write_text(text)
    print(f"{source.name}: {len(text)} characters")
    print(f"load+validate  {median_ms(lambda: load_file(work)):8.1f} ms")
    print(f"import         {median_ms(lambda: import_file(work)):8.1f} ms")
    print(f"export (write) {median_ms(lambda: export_file(work)):8.1f} ms")


if __name__ == "__main__":
    main()
