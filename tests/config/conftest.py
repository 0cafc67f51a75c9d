from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from config import runtime

CORPUS = Path(__file__).resolve().parents[3] / ".." / "shared" / "corpus" / "openclaw-configs"


@pytest.fixture(autouse=True)
def _fresh_runtime() -> Iterator[None]:
    runtime.reset()
    yield
    runtime.reset()


@pytest.fixture
def config_file(tmp_path: Path, settings: Any) -> Path:
    """An `epiloop.json` path in a temp dir, installed as the config path."""
    path = tmp_path / "epiloop.json"
    settings.EPILOOP_CONFIG_PATH = path
    return path


def env_names(text: str) -> list[str]:
    return sorted(set(re.findall(r"(?<!\$)\$\{([A-Z_][A-Z0-9_]*)\}", text)))


def without_meta(document: dict[str, Any]) -> str:
    """The document as order-sensitive text, `meta` aside."""
    return json.dumps({k: v for k, v in document.items() if k != "meta"}, indent=1)
