"""Start `python manage.py rungateway` as a real process for end-to-end tests."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[2]
# Variables a developer's shell may hold that must never leak into a test gateway.
_SCRUB = (
    "EPILOOP_CONFIG_PATH",
    "EPILOOP_GATEWAY_TOKEN",
    "EPILOOP_GATEWAY_PASSWORD",
    "EPILOOP_GATEWAY_PORT",
    "EPILOOP_GATEWAY_BIND",
    "DISCORD_BOT_TOKEN",
    "TELEGRAM_BOT_TOKEN",
    "ANTHROPIC_API_KEY",
    "OPENAI_API_KEY",
    "GEMINI_API_KEY",
    "GOOGLE_API_KEY",
    "ANTHROPIC_BASE_URL",
    "OPENAI_BASE_URL",
    "DATABASE_URL",
    "REDIS_URL",
    "FLY_APP_NAME",
    "EPILOOP_PUBLIC_URL",
    "DJANGO_SETTINGS_MODULE",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class GatewayProcess:
    def __init__(self, proc: subprocess.Popen[str], port: int, state_dir: Path) -> None:
        self.proc = proc
        self.port = port
        self.state_dir = state_dir
        self.url = f"http://127.0.0.1:{port}"
        self.ws_url = f"ws://127.0.0.1:{port}/"
        self._lines: list[str] = []
        self._cond = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self._cond:
                self._lines.append(line.rstrip("\n"))
                self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    def output(self) -> str:
        with self._cond:
            return "\n".join(self._lines)

    def lines(self) -> list[str]:
        with self._cond:
            return list(self._lines)

    def wait_for(self, pattern: str, timeout: float = 30.0, start: int = 0) -> re.Match[str]:
        """Wait until a stdout line (from index `start`) matches `pattern`."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for line in self._lines[start:]:
                    match = regex.search(line)
                    if match:
                        return match
                left = deadline - time.monotonic()
                if left <= 0 or (self.proc.poll() is not None and not self._reader.is_alive()):
                    raise AssertionError(
                        f"no line matching {pattern!r}; output so far:\n" + "\n".join(self._lines)
                    )
                self._cond.wait(min(left, 0.2))

    def wait_exit(self, timeout: float = 60.0) -> int:
        code = self.proc.wait(timeout)
        self._reader.join(10)
        if self.proc.stdout:
            self.proc.stdout.close()
        return code

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return httpx.get(self.url + path, timeout=10, **kw)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30.0) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.wait_exit(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.wait_exit(5)


def gateway_env(state_dir: Path, env: dict[str, str] | None = None) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k not in _SCRUB}
    base.update(
        {
            "EPILOOP_STATE_DIR": str(state_dir),
            "ANTHROPIC_CONFIG_DIR": str(state_dir / "anthropic-config"),
            "PYTHONUNBUFFERED": "1",
            "PYTHONWARNINGS": "ignore",
        }
    )
    base.update(env or {})
    return base


def _migrated_template() -> Path:
    """A migrated SQLite database, built once per set of migrations and copied into each
    test's state dir, so that every test gateway does not migrate from scratch."""
    digest = hashlib.sha256()
    for path in sorted(REPO.glob("*/migrations/*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    folder = Path(tempfile.gettempdir()) / f"epiloop-test-db-{digest.hexdigest()[:16]}"
    folder.mkdir(exist_ok=True)
    db = folder / "epiloop.sqlite3"
    with open(folder / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not db.exists():
            subprocess.run(
                [sys.executable, str(REPO / "manage.py"), "migrate", "-v", "0"],
                cwd=REPO,
                env=gateway_env(folder),
                check=True,
            )
            with sqlite3.connect(db) as conn:  # fold the WAL into the file before copying
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return db


def spawn_gateway(
    state_dir: Path,
    *args: str,
    env: dict[str, str] | None = None,
    config: dict[str, Any] | str | None = None,
    port: int | None = None,
    port_flag: bool = True,
    fresh: bool = False,
) -> GatewayProcess:
    """Start rungateway without waiting. `config` (a dict or raw text) is written to
    `state_dir/epiloop.json` first. `fresh`: the gateway makes the state dir and migrates
    its database itself, as on a first start (no migrated copy is put there)."""
    if not fresh:
        state_dir.mkdir(parents=True, exist_ok=True)
        if not (state_dir / "epiloop.sqlite3").exists() and "DATABASE_URL" not in (env or {}):
            shutil.copy(_migrated_template(), state_dir / "epiloop.sqlite3")
    if config is not None:
        text = config if isinstance(config, str) else json.dumps(config, indent=2)
        (state_dir / "epiloop.json").write_text(text)
    port = port or free_port()
    cmd = [sys.executable, str(REPO / "manage.py"), "rungateway", *args]
    if port_flag:
        cmd += ["--port", str(port)]
    proc = subprocess.Popen(
        cmd,
        cwd=REPO,
        env=gateway_env(state_dir, env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
    )
    return GatewayProcess(proc, port, state_dir)


def start_gateway(
    state_dir: Path,
    *args: str,
    env: dict[str, str] | None = None,
    config: dict[str, Any] | str | None = None,
    port: int | None = None,
    port_flag: bool = True,
    fresh: bool = False,
    timeout: float = 60.0,
) -> GatewayProcess:
    """Start rungateway and wait for its `listening` line. Default args: a token via env so
    the gateway is reachable; pass your own env to override."""
    gw = spawn_gateway(
        state_dir, *args, env=env, config=config, port=port, port_flag=port_flag, fresh=fresh
    )
    gw.wait_for(r"\[gateway\] listening on ws://", timeout=timeout)
    return gw
