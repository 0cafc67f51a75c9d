"""`backup restore`: put an archive's files in place of a state dir's, keeping the old ones.

The gateway lock is held for the whole restore, so no gateway starts half way through; the
archive is verified and extracted into a temp dir inside the state dir first (same file
system), so that the swap itself is only renames."""

from __future__ import annotations

import os
import shutil
import tarfile
import tempfile
import time
from pathlib import Path

from gateway.backup.files import SECRET_FILES, state_files, target, workspace_dirs
from gateway.backup.manifest import CONFIG_NAME, DUMP_NAME, SQLITE_NAME, BackupError
from gateway.backup.verify import read_manifest, verify
from gateway.lock import GatewayLock, LockHeld, lock_path


class NotVerified(BackupError):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("the archive did not verify; nothing was changed")


def restore(archive: Path, state_dir: Path, config_path: Path) -> list[str]:
    """Restore `archive` into `state_dir`; return what was done, one line each."""
    lock = GatewayLock(lock_path(state_dir, config_path))
    try:
        lock.acquire(config_path, 0)
    except LockHeld as exc:
        who = f"pid {exc.pid}" if exc.pid else "an unknown pid"
        raise BackupError(
            f"a gateway is running on {state_dir} ({who}); stop it first "
            "(Ctrl-C, `kill PID`, or `fly machine stop` on Fly.io), then run restore again"
        ) from None
    try:
        return _restore_locked(archive, state_dir, config_path)
    finally:
        lock.release()


def _restore_locked(archive: Path, state_dir: Path, config_path: Path) -> list[str]:
    from django.db import connection, connections

    problems = verify(archive)
    if problems:
        raise NotVerified(problems)
    with tarfile.open(archive, "r:gz") as tar:
        data = read_manifest(tar)
        names = [str(f["name"]) for f in data["files"]]
        if (SQLITE_NAME in names) != (connection.vendor == "sqlite"):
            raise BackupError(
                f"the backup holds a {data.get('databaseEngine')} database and this gateway "
                f"uses {connection.vendor}; set DATABASE_URL as on the machine that made it"
            )
        stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
        stage = Path(tempfile.mkdtemp(dir=state_dir, prefix=f".restore-{stamp}-"))
        try:
            _extract(tar, names, stage)
        except BaseException:
            shutil.rmtree(stage, ignore_errors=True)
            raise
    # The command's own connection must not keep the old database file open.
    connections.close_all()
    lines = [f"verified {archive} ({len(names)} files, made {data.get('createdAt')})"]
    replaced = state_dir / f"replaced-{stamp}"
    replaced.mkdir(mode=0o700)
    moved = _move_current(state_dir, config_path, replaced)
    lines.append(f"kept the replaced files in {replaced}: {', '.join(moved) or 'none'}")
    lines += _put_in_place(stage, names, state_dir, config_path)
    shutil.rmtree(stage, ignore_errors=True)
    if DUMP_NAME in names:
        lines.append("loaded the database copy (database.json) into " + connection.vendor)
    return lines


def _extract(tar: tarfile.TarFile, names: list[str], stage: Path) -> None:
    """Only the files the manifest lists (verify has checked their paths), with private modes."""
    for name in names:
        member = tar.extractfile(name)
        assert member is not None  # verified
        path = stage / name
        for parent in reversed(path.relative_to(stage).parents[:-1]):
            (stage / parent).mkdir(mode=0o700, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            shutil.copyfileobj(member, fh)


def _current(state_dir: Path, config_path: Path) -> dict[str, Path]:
    """Top-level things a restore replaces: archive-style name -> current path."""
    from django.db import connection

    found = {
        name: path
        for name, path in state_files(state_dir, config_path).items()
        if name.startswith(CONFIG_NAME) or name in SECRET_FILES
    }
    for folder in workspace_dirs(state_dir):
        found[folder.name] = folder
    if connection.vendor == "sqlite":
        db = Path(str(connection.settings_dict["NAME"]))
        # The -wal and -shm belong to the old database: left beside the new one, SQLite
        # could replay the old WAL into it.
        for suffix in ("", "-wal", "-shm"):
            if Path(f"{db}{suffix}").exists():
                found[SQLITE_NAME + suffix] = Path(f"{db}{suffix}")
    return found


def _move_current(state_dir: Path, config_path: Path, replaced: Path) -> list[str]:
    moved = []
    for name, path in sorted(_current(state_dir, config_path).items()):
        shutil.move(path, replaced / name)  # a rename: same file system, as a rule
        moved.append(name)
    return moved


def _put_in_place(stage: Path, names: list[str], state_dir: Path, config_path: Path) -> list[str]:
    from django.db import connection

    lines = []
    for top in sorted({n.split("/", 1)[0] for n in names}):
        source = stage / top
        if top == DUMP_NAME:
            _load_dump(source)
            continue
        if top == SQLITE_NAME:
            dest = Path(str(connection.settings_dict["NAME"]))
        else:
            dest = target(top, state_dir, config_path)
        shutil.move(source, dest)
        lines.append(f"restored {top}" + (f" -> {dest}" if dest.parent != state_dir else ""))
    return lines


def _load_dump(path: Path) -> None:
    """Empty the server database and load the logical copy, in one transaction."""
    from django.core.management import call_command
    from django.db import transaction

    with transaction.atomic():
        call_command("flush", interactive=False, verbosity=0)
        call_command("loaddata", str(path), verbosity=0)
