"""Nothing is lost: every real-world config imports and exports back to the same document."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from config.io import load_file
from config.sync import export_file, import_file
from tests.config.conftest import CORPUS, env_names, without_meta

FILES = sorted(p.name for p in CORPUS.glob("[0-9]*")) if CORPUS.is_dir() else []

pytestmark = pytest.mark.skipif(
    not CORPUS.is_dir(), reason=f"corpus directory {CORPUS} is not present on this machine"
)


def _stub_includes(path: Path) -> None:
    """File 36 includes files that are not in the corpus: give it small ones."""
    for client in ("mueller", "schmidt"):
        folder = path.parent / "clients" / client
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "agents.json5").write_text(json.dumps([{"id": client}]))
        (folder / "broadcast.json5").write_text("{}")


@pytest.mark.django_db
@pytest.mark.parametrize("name", FILES)
def test_a_corpus_file_survives_import_then_export(
    name: str, config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copyfile(CORPUS / name, config_file)
    text = config_file.read_text(encoding="utf-8")
    for var in env_names(text):
        monkeypatch.setenv(var, f"test-value-{var.lower()}")
    _stub_includes(config_file)
    before = load_file(config_file)
    assert before.document is not None

    outcome = import_file(config_file)
    assert outcome.imported, outcome.problems
    export_file(config_file)

    after = json.loads(config_file.read_text())
    assert without_meta(after) == without_meta(before.document)
    assert after["meta"]["lastTouchedVersion"]
