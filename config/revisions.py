"""Revision history of `epiloop.json`: every import and export keeps the file text.

`record()` is called by `config.sync.import_file` / `export_file` (so the CLI, the
admin, `doctor --fix`, live reload and `config.set` all leave a revision). A text whose hash
equals the latest revision's is not recorded again; beyond `EPILOOP_CONFIG_REVISIONS_KEEP`
(200) the oldest are pruned. `restore()` writes an earlier text back verbatim.
"""

from __future__ import annotations

import difflib
import logging
from pathlib import Path

from django.conf import settings

from config.errors import ConfigError
from config.io import file_hash, load_text
from config.models.revisions import ConfigRevision

log = logging.getLogger("epiloop.config")

SOURCES = {"file", "admin", "api", "cli"}


def keep() -> int:
    return max(1, int(getattr(settings, "EPILOOP_CONFIG_REVISIONS_KEEP", 200)))


def latest() -> ConfigRevision | None:
    return ConfigRevision.objects.order_by("-id").first()


def record(
    text: str, digest: str, source: str, *, user: str = "", note: str = ""
) -> ConfigRevision | None:
    """Keep `text` as a new revision unless it is the latest one already."""
    last = ConfigRevision.objects.order_by("-id").values_list("hash", flat=True).first()
    if last == digest:
        return None
    revision = ConfigRevision.objects.create(
        text=text,
        hash=digest,
        source=source if source in SOURCES else "cli",
        user=user[:150],
        note=note[:300],
    )
    prune()
    return revision


def prune(count: int | None = None) -> int:
    """Delete all but the newest `count` revisions; returns how many went."""
    count = keep() if count is None else count
    cutoff = ConfigRevision.objects.order_by("-id").values_list("id", flat=True)[count:][:1]
    first = list(cutoff)
    if not first:
        return 0
    deleted, _ = ConfigRevision.objects.filter(id__lte=first[0]).delete()
    return deleted


def keep_disk_text(path: Path, *, before: str, user: str = "") -> None:
    """About to overwrite `path`: if its text is not the latest revision (an edit made on
    disk and never imported), keep it first so no edit is ever lost."""
    digest = file_hash(path)
    if digest is None:
        return
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    record(text, digest, "file", user=user, note=f"on disk before {before}")


def read_file_text(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8-sig", errors="replace")
    except FileNotFoundError:
        return None


def unified_diff(old: str, new: str, old_label: str, new_label: str) -> list[str]:
    """A readable line diff (unified, 3 lines of context)."""
    return list(
        difflib.unified_diff(
            old.splitlines(),
            new.splitlines(),
            fromfile=old_label,
            tofile=new_label,
            lineterm="",
        )
    )


def restore(revision: ConfigRevision, *, user: str = "") -> ConfigRevision | None:
    """Validate the revision's text, write it verbatim (atomically, the current file going to
    `.bak`), import it and record it as a new revision. Raises `ConfigError` when the text is
    not valid (any more: a `${VAR}` it needs may be gone)."""
    from config.sync import config_path, import_file

    path = config_path()
    checked = load_text(revision.text, path=path)
    if not checked.ok:
        raise ConfigError(checked.errors)
    keep_disk_text(path, before=f"restoring revision {revision.pk}", user=user)
    from config.writer import write_text

    write_text(path, revision.text)
    outcome = import_file(
        path,
        source="admin",
        user=user,
        note=f"restored from revision {revision.pk}",
    )
    if not outcome.imported:
        raise ConfigError(outcome.problems)
    log.info("restored %s from revision %s", path, revision.pk)
    return latest()
