"""Writing `epiloop.json`: 2-space JSON in document order, atomically, mode 0600.

The previous five versions rotate into `.bak`, `.bak.1` ... `.bak.4`. `meta.lastTouchedVersion`
and `meta.lastTouchedAt` are stamped on every write. Comments in a JSON5 file cannot survive
(the file is written as JSON); that is logged when it happens, with where the old text went.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import json
import logging
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from config.io import parse, text_hash
from config.jsontypes import Json, JsonObject

log = logging.getLogger("epiloop.config")

BACKUPS = 5


def dumps(document: Json) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def backup_paths(path: Path) -> list[Path]:
    return [path.with_name(path.name + ".bak")] + [
        path.with_name(f"{path.name}.bak.{i}") for i in range(1, BACKUPS)
    ]


def stamp(document: JsonObject, version: str | None = None) -> JsonObject:
    """A copy with `meta` stamped (an existing `meta` keeps its place; a new one goes last)."""
    if version is None:
        from django.conf import settings

        version = str(settings.VERSION)
    out = copy.deepcopy(document)
    meta = out.get("meta")
    if not isinstance(meta, dict):
        meta = {}
    meta["lastTouchedVersion"] = version
    now = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    meta["lastTouchedAt"] = now
    out["meta"] = meta
    return out


def _rotate(path: Path) -> None:
    if not path.exists():
        return
    baks = backup_paths(path)
    for older, newer in zip(reversed(baks[1:]), reversed(baks[:-1]), strict=True):
        if newer.exists():
            os.replace(newer, older)
    _write_bytes(baks[0], path.read_bytes())


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def private_file(path: Path) -> Iterator[BinaryIO]:
    """Write `path` atomically and privately: a temp file (0600 from the start) in the same
    directory, fsync, rename over, fsync the directory. Nothing is left if the block fails."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _write_bytes(path: Path, data: bytes) -> None:
    with private_file(path) as fh:
        fh.write(data)


def write_document(
    path: Path, document: JsonObject, *, version: str | None = None
) -> tuple[str, JsonObject]:
    """Stamp, rotate backups, write atomically. Returns (sha256 of the bytes, the document
    as written)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    stamped = stamp(document, version)
    data = dumps(stamped).encode("utf-8")
    if path.exists():
        _, was_json5, _, _ = parse(path.read_text(encoding="utf-8-sig", errors="replace"))
        if was_json5:
            log.info(
                "%s was JSON5 (comments, trailing commas); it is now written as plain JSON, "
                "so its comments are gone (the previous text is kept in %s)",
                path,
                backup_paths(path)[0].name,
            )
    _rotate(path)
    _write_bytes(path, data)
    return text_hash(data), stamped


def write_text(path: Path, text: str) -> str:
    """Write `text` verbatim (comments and all), atomically, the previous file rotating into
    `.bak`; for restoring a revision or adopting another file. Returns the sha256."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8")
    _rotate(path)
    _write_bytes(path, data)
    return text_hash(data)


def minimal_document() -> JsonObject:
    """What `rungateway --allow-unconfigured` writes when there is no file."""
    return {"gateway": {"mode": "local"}, "meta": {}}
