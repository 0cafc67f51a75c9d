"""The single-gateway lock: `gateway.<hash8>.lock` in the state dir, held with flock.

The kernel drops an flock when its holder dies (even by SIGKILL), so a leftover file never
blocks a new start; deleting the file by hand is harmless.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import time
from pathlib import Path


class LockHeld(Exception):
    def __init__(self, pid: int | None) -> None:
        self.pid = pid
        super().__init__(f"gateway already running (pid {pid if pid else 'unknown'})")


def lock_path(state_dir: Path, config_path: Path) -> Path:
    digest = hashlib.sha256(str(config_path).encode()).hexdigest()[:8]
    return state_dir / f"gateway.{digest}.lock"


class GatewayLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd: int | None = None

    def acquire(self, config_path: Path, port: int) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_pid(fd)
            os.close(fd)
            raise LockHeld(holder) from None
        info = {
            "pid": os.getpid(),
            "createdAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "configPath": str(config_path),
            "port": port,
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode(), 0)
        self.fd = fd

    def release(self) -> None:
        if self.fd is None:
            return
        # Remove the file first while still holding the lock, so that nobody else's fresh
        # lock file is deleted.
        with contextlib.suppress(OSError):
            os.unlink(self.path)
        os.close(self.fd)
        self.fd = None


def _read_pid(fd: int) -> int | None:
    try:
        data = os.pread(fd, 4096, 0)
        pid = json.loads(data or b"{}").get("pid")
        return int(pid) if pid else None
    except (OSError, ValueError):
        return None
