"""What a backup archive holds and how it is described (`manifest.json`)."""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_NAME = "epiloop.sqlite3"
# A logical copy of a non-SQLite database (PostgreSQL), as `dumpdata` JSON.
DUMP_NAME = "database.json"
CONFIG_NAME = "epiloop.json"


class BackupError(Exception):
    """A refusal or failure, one line that says the fix."""


@dataclass(frozen=True)
class Entry:
    name: str
    size: int
    sha256: str


def sha256_stream(stream: IO[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(1 << 16), b""):
        digest.update(chunk)
    return digest.hexdigest()


def describe(root: Path, names: list[str]) -> list[Entry]:
    entries = []
    for name in names:
        path = root / name
        with open(path, "rb") as fh:
            entries.append(Entry(name, path.stat().st_size, sha256_stream(fh)))
    return entries


def epiloop_version() -> str:
    from django.conf import settings

    return str(settings.VERSION)


def latest_migrations() -> dict[str, str]:
    """The latest applied migration of each app, as the database being copied records it."""
    from django.db import connection
    from django.db.migrations.recorder import MigrationRecorder

    latest: dict[str, str] = {}
    for app, name in sorted(MigrationRecorder(connection).applied_migrations()):
        latest[app] = name  # sorted: a later name of the same app overwrites
    return latest


def build(entries: list[Entry], engine: str) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "epiloopVersion": epiloop_version(),
        "createdAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "databaseEngine": engine,
        "files": [{"name": e.name, "size": e.size, "sha256": e.sha256} for e in entries],
        "migrations": latest_migrations(),
    }


def dumps(manifest: dict[str, Any]) -> bytes:
    return json.dumps(manifest, indent=2).encode() + b"\n"
