"""Checks of the state directory: writable (E003), on a volume rather than the machine's
own disk on Fly (E004), secret files private to their owner (W005)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from gateway.doctor.base import Context, Finding

PRIVATE_FILES = ("epiloop.json", "secret_key", "gateway-token")


def check_state_dir(ctx: Context) -> list[Finding]:
    """E003 not writable; E004 on the machine's own disk when running on Fly."""
    state = ctx.state_dir
    try:
        fd, probe = tempfile.mkstemp(prefix=".doctor-", dir=state)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        return [
            Finding(
                "epiloop.E003",
                f"state dir {state} is not writable ({exc.strerror or exc})",
                "give the gateway's user write access (chown) or point EPILOOP_STATE_DIR at "
                "a writable directory",
            )
        ]
    if ctx.fly_app and on_root_disk(state, ctx.root):
        return [
            Finding(
                "epiloop.E004",
                f"state dir {state} is on the machine's own disk, which Fly replaces on every "
                f"deploy (FLY_APP_NAME={ctx.fly_app}): config, database and keys would be lost",
                'mount a volume at /data ([mounts] destination = "/data" in fly.toml) and '
                "set EPILOOP_STATE_DIR=/data",
            )
        ]
    return []


def on_root_disk(path: Path, root: Path) -> bool:
    """True when `path` lives on the same device as `root` (not on a mounted volume)."""
    return os.stat(path).st_dev == os.stat(root).st_dev


def loose_files(state_dir: Path, config_path: Path) -> list[Path]:
    """Secret-holding files that others than their owner may read."""
    candidates = [config_path] + [state_dir / name for name in PRIVATE_FILES[1:]]
    loose = []
    for path in candidates:
        try:
            mode = path.stat().st_mode
        except OSError:
            continue
        if mode & 0o077:
            loose.append(path)
    return loose


def check_file_modes(ctx: Context) -> list[Finding]:
    return [
        Finding(
            "epiloop.W005",
            f"{path} is open to other users (mode {path.stat().st_mode & 0o777:04o}); it "
            "holds secrets",
            f"chmod 0600 {path} (or run `doctor --fix`)",
        )
        for path in loose_files(ctx.state_dir, ctx.config_path)
    ]
