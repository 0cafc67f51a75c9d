"""What rungateway (and runchannel) start on.

A valid file is imported into the tables and applied. An invalid file is reported (every
problem one line) and never rewritten; the process then runs on the last valid document
imported earlier (kept in `ConfigState`), if there is one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from config import runtime
from config.io import validate
from config.models.state import ConfigState
from config.schema import EpiloopConfig
from config.sync import import_file
from config.writer import minimal_document, write_document

log = logging.getLogger("epiloop.config")


@dataclass
class StartupConfig:
    path: Path
    config: EpiloopConfig | None
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    source: str = "file"  # file | database | none
    missing: bool = False
    last_valid_at: str | None = None
    raw_mode: str | None = None  # `gateway.mode` as written in the file in use


def write_minimal(path: Path) -> None:
    """The minimal valid config (`gateway.mode: "local"` + meta), for --allow-unconfigured."""
    write_document(path, minimal_document())


def _raw_mode(document: object) -> str | None:
    gateway = document.get("gateway") if isinstance(document, dict) else None
    mode = gateway.get("mode") if isinstance(gateway, dict) else None
    return mode if isinstance(mode, str) else None


def load_for_startup(path: Path) -> StartupConfig:
    outcome = import_file(path, source="file")
    result = outcome.result
    if outcome.imported:
        return StartupConfig(
            path=path,
            config=result.config,
            warnings=result.warnings,
            raw_mode=_raw_mode(result.document),
        )
    startup = StartupConfig(
        path=path,
        config=None,
        problems=[f"{path.name}: {p}" if p.startswith("line ") else p for p in result.errors],
        warnings=result.warnings,
        source="none",
        missing=result.missing,
    )
    state = ConfigState.objects.filter(pk=1).first()
    if state is None or not state.document:
        return startup
    config, errors, _ = validate(state.document, base_dir=path.parent)
    if config is None:
        startup.problems += [f"last valid config no longer valid: {e}" for e in errors]
        return startup
    startup.config = config
    startup.source = "database"
    startup.raw_mode = _raw_mode(state.document)
    startup.last_valid_at = state.synced_at.isoformat() if state.synced_at else None
    runtime.set_current(config)
    return startup


StartupResult = StartupConfig  # the name the interim version used
