"""`backup verify`: the archive is whole, matches its manifest, and its database opens."""

from __future__ import annotations

import json
import sqlite3
import tarfile
import tempfile
from pathlib import Path, PurePosixPath
from typing import Any

from gateway.backup.manifest import FORMAT, MANIFEST, SQLITE_NAME, sha256_stream


def safe_name(name: str) -> bool:
    """A member that stays inside the directory it is extracted into."""
    path = PurePosixPath(name)
    return bool(name) and not path.is_absolute() and ".." not in path.parts


def read_manifest(tar: tarfile.TarFile) -> dict[str, Any]:
    member = tar.extractfile(MANIFEST)
    if member is None:
        raise KeyError(MANIFEST)
    data = json.loads(member.read())
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    return data


def verify(path: Path) -> list[str]:
    """One line per problem; an empty list when the archive can be restored."""
    try:
        with tarfile.open(path, "r:gz") as tar:
            return _check_archive(tar, path)
    except (OSError, EOFError, tarfile.TarError) as exc:
        # A truncated or damaged archive fails here, while reading its members too.
        return [f"{path}: not a readable backup archive ({exc})"]


def _check_archive(tar: tarfile.TarFile, path: Path) -> list[str]:
    try:
        data = read_manifest(tar)
    except (KeyError, ValueError) as exc:
        return [f"{path}: no readable {MANIFEST} ({exc}); was it made by `backup create`?"]
    if data.get("format") != FORMAT:
        return [f"{MANIFEST}: format {data.get('format')!r}, this Epiloop reads {FORMAT}"]
    return _check_files(tar, data)


def _check_files(tar: tarfile.TarFile, data: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    listed = {str(f.get("name")): f for f in data.get("files", []) if isinstance(f, dict)}
    members = {m.name: m for m in tar.getmembers()}
    for name in members:
        if name != MANIFEST and name not in listed:
            problems.append(f"{name}: in the archive but not in {MANIFEST}")
    for name, info in listed.items():
        member = members.get(name)
        if not safe_name(name):
            problems.append(f"{name}: unsafe path (absolute or with ..)")
        elif member is None or not member.isfile():
            problems.append(f"{name}: listed in {MANIFEST} but missing from the archive")
        elif (fh := tar.extractfile(member)) is None or sha256_stream(fh) != info.get("sha256"):
            problems.append(f"{name}: checksum mismatch (the file was changed or damaged)")
        elif member.size != info.get("size"):
            problems.append(f"{name}: size {member.size}, {MANIFEST} says {info.get('size')}")
    if not problems and SQLITE_NAME in listed:
        problems += _check_sqlite(tar)
    return problems


def _check_sqlite(tar: tarfile.TarFile) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="epiloop-verify-") as tmp:
        copy = Path(tmp) / SQLITE_NAME
        source = tar.extractfile(SQLITE_NAME)
        assert source is not None  # checked by _check_files
        copy.write_bytes(source.read())
        try:
            conn = sqlite3.connect(copy)
            try:
                rows = conn.execute("PRAGMA integrity_check").fetchall()
            finally:
                conn.close()
        except sqlite3.DatabaseError as exc:
            return [f"{SQLITE_NAME}: does not open as a SQLite database ({exc})"]
    if rows != [("ok",)]:
        return [f"{SQLITE_NAME}: integrity check failed: {rows[0][0]}"]
    return []
