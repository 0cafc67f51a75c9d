"""Config loading at gateway start-up. INTERIM: replaced by the config stack's
`load_for_startup` once it lands (it keeps the last valid config in the database)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import json5
from pydantic import ValidationError

from gateway.config import runtime
from gateway.config.schema import EpiloopConfig


@dataclass
class StartupResult:
    config: EpiloopConfig | None
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    last_valid_at: str | None = None


def load_for_startup(path: Path) -> StartupResult:
    text = path.read_text(encoding="utf-8-sig")
    try:
        doc: Any = json5.loads(text)
    except ValueError as exc:
        return StartupResult(None, [f"{path}: not valid JSON/JSON5 ({exc}); fix the syntax"])
    try:
        cfg = EpiloopConfig.model_validate(doc)
    except ValidationError as exc:
        problems = [f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()]
        return StartupResult(None, problems)
    runtime.set_current(cfg)
    return StartupResult(cfg)


def write_minimal(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = {"gateway": {"mode": "local"}, "meta": {}}
    path.write_text(json.dumps(doc, indent=2) + "\n")
    path.chmod(0o600)
