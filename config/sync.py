"""Import `epiloop.json` into the config tables, export the tables back to the file.

An invalid file is never imported. Import runs in one transaction (a dry run rolls it
back and only reports). Export validates what it is about to write, writes atomically,
re-reads what it wrote into the tables (so every row's `raw` is what the file now says),
and applies it to the running process. `ConfigState.file_hash` is the hash of the file
text last read or written: when the file on disk no longer has it, someone edited the
file (over ssh) and saving from the admin is refused until it is re-imported.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction

from config import revisions, runtime
from config.errors import ConfigError
from config.export import export_document
from config.io import LoadResult, file_hash, load_file, validate
from config.models.state import ConfigState
from config.tables import import_document
from config.writer import dumps, write_document

log = logging.getLogger("epiloop.config")

STALE_MESSAGE = (
    "epiloop.json changed on disk since it was last imported; re-import it (admin action or "
    "`python manage.py importconfig`) before saving"
)


class StaleFileError(ConfigError):
    def __init__(self) -> None:
        super().__init__([STALE_MESSAGE])


@dataclass
class ImportOutcome:
    result: LoadResult
    changes: list[str] = field(default_factory=list)
    imported: bool = False

    @property
    def problems(self) -> list[str]:
        return self.result.errors


# Resolved path -> hash of the file text this process applied (see `runs_other_text`).
_RUNNING: dict[str, str] = {}


def _ran(path: Path, digest: str) -> None:
    _RUNNING[str(path.resolve())] = digest


def runs_other_text(path: Path | str) -> bool:
    """True when this process applied `path` and the file now holds other text, even if the
    tables already match it (`importconfig` run in another process, e.g. over ssh)."""
    target = Path(path)
    running = _RUNNING.get(str(target.resolve()))
    return running is not None and running != file_hash(target)


def config_path(path: Path | str | None = None) -> Path:
    return Path(path) if path else Path(settings.EPILOOP_CONFIG_PATH)


def _mtime(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return None


def _remember(path: Path, digest: str, source: str) -> None:
    state = ConfigState.get()
    state.path = str(path)
    state.file_hash = digest
    state.file_mtime = _mtime(path)
    state.source = source
    state.synced_at = dt.datetime.now(dt.UTC)
    state.save()


def import_file(
    path: Path | str | None = None,
    *,
    dry_run: bool = False,
    source: str = "cli",
    apply: bool = True,
    user: str = "",
    note: str = "",
) -> ImportOutcome:
    """Read, validate and (unless `dry_run`) import the file and apply it to this process.
    A real import of the config file keeps its text as a `ConfigRevision`."""
    target = config_path(path)
    result = load_file(target)
    outcome = ImportOutcome(result=result)
    if not result.ok or result.document is None:
        return outcome
    with transaction.atomic():
        outcome.changes = import_document(result.document)
        _remember(target, result.hash, source)
        if dry_run:
            transaction.set_rollback(True)
        elif _is_primary(target):
            revisions.record(result.text, result.hash, source, user=user, note=note)
    outcome.imported = not dry_run
    if outcome.imported and apply and result.config is not None:
        runtime.set_current(result.config)
        _ran(target, result.hash)
    return outcome


def _is_primary(path: Path) -> bool:
    return path.resolve() == config_path().resolve()


def file_changed_on_disk(path: Path | str | None = None) -> bool:
    """True when the file exists and is not the text last read or written by us."""
    current = file_hash(config_path(path))
    if current is None:
        return False
    state = ConfigState.objects.filter(pk=1).first()
    return state is None or state.file_hash != current


def check_not_stale(path: Path | str | None = None) -> None:
    if file_changed_on_disk(path):
        raise StaleFileError()


def export_file(
    path: Path | str | None = None,
    *,
    source: str = "admin",
    check_stale: bool = True,
    user: str = "",
    note: str = "",
) -> str:
    """Write the tables to the file; returns the new file hash. Raises `StaleFileError` if
    the file was edited on disk, `ConfigError` if the tables do not make a valid config."""
    target = config_path(path)
    primary = _is_primary(target)
    with transaction.atomic():
        if check_stale and primary:
            check_not_stale(target)
        document = export_document()
        config, errors, _ = validate(document, base_dir=target.parent)
        if errors or config is None:
            raise ConfigError(errors)
        if primary:
            revisions.keep_disk_text(target, before=f"an export ({source})", user=user)
        digest, written = write_document(target, document, version=settings.VERSION)
        if not primary:  # a copy elsewhere: the database keeps following the config file
            return digest
        import_document(written)
        _remember(target, digest, source)
        revisions.record(dumps(written), digest, source, user=user, note=note)
    runtime.set_current(config)
    _ran(target, digest)
    log.info("wrote %s (%s)", target, source)
    return digest


def export_text() -> str:
    """The document the tables would write (for `exportconfig -`), without `meta` stamping."""
    return dumps(export_document())
