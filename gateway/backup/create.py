"""`backup create`: one tar.gz of a state dir, safe while the gateway runs and writes."""

from __future__ import annotations

import shutil
import sqlite3
import tarfile
import tempfile
import time
from pathlib import Path

from config.writer import private_file
from gateway.backup import manifest
from gateway.backup.files import state_files
from gateway.backup.manifest import DUMP_NAME, MANIFEST, SQLITE_NAME, BackupError


def default_name() -> str:
    return time.strftime("epiloop-backup-%Y%m%d-%H%M%S.tar.gz", time.gmtime())


def destination(raw: str | None) -> Path:
    """PATH as given: a file, or a directory (existing, or written with a trailing `/`)."""
    if not raw:
        return Path.cwd() / default_name()
    path = Path(raw).expanduser()
    if path.is_dir() or raw.endswith("/"):
        return path / default_name()
    return path


def copy_sqlite(source: str, target: Path) -> None:
    """A consistent copy through SQLite's online backup API: it sees one snapshot even
    while the gateway writes (WAL), which copying the file and its -wal would not."""
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def dump_database(target: Path) -> None:
    """A logical copy of a server database (PostgreSQL) through the ORM. Content types and
    permissions are left out: migrate recreates them, and natural keys refer to them."""
    from django.core.management import call_command

    call_command(
        "dumpdata",
        natural_foreign=True,
        natural_primary=True,
        exclude=["contenttypes", "auth.permission"],
        output=str(target),
        verbosity=0,
    )


def create(dest: Path, state_dir: Path, config_path: Path) -> dict[str, object]:
    """Write the archive at `dest` (atomically, mode 0600); return its manifest."""
    from django.db import connection

    if dest.exists() and dest.is_dir():
        raise BackupError(f"{dest} is a directory; give a file name or end the path with /")
    dest.parent.mkdir(parents=True, exist_ok=True)
    # mkdtemp makes the staging dir 0700: it holds copies of the secrets.
    with tempfile.TemporaryDirectory(dir=dest.parent, prefix=".epiloop-backup-") as tmp:
        stage = Path(tmp)
        names: list[str] = []
        if connection.vendor == "sqlite":
            copy_sqlite(str(connection.settings_dict["NAME"]), stage / SQLITE_NAME)
            names.append(SQLITE_NAME)
        else:
            dump_database(stage / DUMP_NAME)
            names.append(DUMP_NAME)
        for name, path in state_files(state_dir, config_path).items():
            (stage / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, stage / name)
            names.append(name)
        data = manifest.build(manifest.describe(stage, names), connection.vendor)
        (stage / MANIFEST).write_bytes(manifest.dumps(data))
        _write_archive(dest, stage, [MANIFEST, *names])
    return data


def _write_archive(dest: Path, stage: Path, names: list[str]) -> None:
    with private_file(dest) as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
        for name in names:
            info = tar.gettarinfo(stage / name, arcname=name)
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            info.mode = 0o600
            with open(stage / name, "rb") as fh:
                tar.addfile(info, fh)
