"""Checks of the state directory: writable (E003), on a volume rather than the machine's
own disk on Fly (E004), secret files and the database private to their owner (W005), the
directory itself closed to other users (W006)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from gateway.doctor.base import Context, Finding

PRIVATE_FILES = ("epiloop.json", "secret_key", "gateway-token")
# The database holds conversations, pairing codes and encrypted API keys; SQLite keeps
# recent writes in -wal (and a rollback journal outside WAL mode) before the main file.
DATABASE_SUFFIXES = ("", "-wal", "-shm", "-journal")


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


def secret_files(ctx: Context) -> list[Path]:
    """The files that hold secrets, whether or not they exist: the config file and its
    backups, the secret key, the gateway token, the SQLite database with its -wal/-shm."""
    config = ctx.config_path
    backups = sorted(config.parent.glob(config.name + ".bak*"))
    # The default database only: one elsewhere (DATABASE_URL) is the operator's own choice.
    database = ctx.state_dir / "epiloop.sqlite3"
    return [
        config,
        *backups,
        *(ctx.state_dir / name for name in PRIVATE_FILES[1:]),
        *(database.with_name(database.name + suffix) for suffix in DATABASE_SUFFIXES),
    ]


def loose_files(ctx: Context) -> list[Path]:
    """Secret-holding files that others than their owner may read."""
    loose = []
    for path in secret_files(ctx):
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
        for path in loose_files(ctx)
    ]


def state_dir_is_loose(ctx: Context) -> bool:
    try:
        return bool(ctx.state_dir.stat().st_mode & 0o077)
    except OSError:
        return False  # missing or unreadable: E003 says so


def check_state_dir_mode(ctx: Context) -> list[Finding]:
    """W006: other users may list or enter the state dir (it is created 0700)."""
    if not state_dir_is_loose(ctx):
        return []
    mode = ctx.state_dir.stat().st_mode & 0o777
    return [
        Finding(
            "epiloop.W006",
            f"state dir {ctx.state_dir} is open to other users (mode {mode:04o}); it holds the "
            "database (conversations, encrypted API keys), the secret key and the gateway token",
            f"chmod 0700 {ctx.state_dir} (or run `doctor --fix`)",
        )
    ]
