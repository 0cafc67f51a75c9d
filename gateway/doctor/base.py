"""What every doctor check shares: a `Finding` (stable id, message, one-line hint) and the
`Context` it looks at (the config file as loaded, the state dir, the Fly app name)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from config.io import LoadResult, load_file
from config.schema import EpiloopConfig


@dataclass(frozen=True)
class Finding:
    id: str  # "epiloop.E001"
    message: str
    hint: str

    @property
    def is_error(self) -> bool:
        return self.id.startswith("epiloop.E")

    @property
    def level(self) -> str:
        return "error" if self.is_error else "warning"

    def line(self) -> str:
        return f"{self.id} {self.level}: {self.message} — hint: {self.hint}"


@dataclass
class Context:
    config_path: Path
    state_dir: Path
    load: LoadResult
    fly_app: str = ""
    root: Path = field(default_factory=lambda: Path("/"))

    @property
    def config(self) -> EpiloopConfig | None:
        return self.load.config if self.load.ok else None


def gather(config_path: Path | None = None, state_dir: Path | None = None) -> Context:
    path = Path(config_path or settings.EPILOOP_CONFIG_PATH)
    return Context(
        config_path=path,
        state_dir=Path(state_dir or settings.EPILOOP_STATE_DIR),
        load=load_file(path),
        fly_app=str(settings.EPILOOP_ENV.get("fly_app_name") or ""),
    )
