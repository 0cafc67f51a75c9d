"""importconfig / exportconfig from the command line."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from agents.models.config import Agent
from config.models.state import ConfigState

pytestmark = pytest.mark.django_db

CONFIG = '{"agents": {"list": [{"id": "main"}, {"id": "helper", "name": "Helper"}]}}'


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def test_importconfig_imports_the_configured_file(config_file: Path) -> None:
    config_file.write_text(CONFIG)
    code, out, _ = run("importconfig")
    assert code == 0
    assert "add agents.list[0]" in out and "add agents.list[1]" in out
    assert list(Agent.objects.values_list("agent_id", flat=True)) == ["main", "helper"]
    assert "already up to date" in run("importconfig")[1]


def test_a_dry_run_prints_each_change_and_changes_nothing(config_file: Path) -> None:
    config_file.write_text(CONFIG)
    run("importconfig")
    state_before = ConfigState.get().file_hash
    config_file.write_text(CONFIG.replace('"Helper"', '"Assistant"').replace('"main"', '"boss"'))
    code, out, _ = run("importconfig", str(config_file), "--dry-run")
    assert code == 0
    assert 'would change agents.list[0]: id "main" -> "boss"' in out
    assert 'would change agents.list[1]: name "Helper" -> "Assistant"' in out
    assert "nothing was changed" in out
    assert list(Agent.objects.values_list("agent_id", "name")) == [
        ("main", None),
        ("helper", "Helper"),
    ]
    assert ConfigState.get().file_hash == state_before


def test_an_invalid_file_is_never_imported_and_each_problem_is_a_line(config_file: Path) -> None:
    config_file.write_text(CONFIG)
    run("importconfig")
    config_file.write_text(
        '{"agents": {"list": [{"name": "x"}]}, "channels": {"discord": {"groupPolicy": "allow"}}}'
    )
    code, _, err = run("importconfig")
    assert code == 1
    lines = err.splitlines()
    assert "agents.list[0].id: is required; add it" in lines
    assert (
        'channels.discord.groupPolicy: must be one of open, allowlist, disabled (got "allow")'
        in lines
    )
    assert lines[-1].endswith("is invalid; nothing was imported")
    assert Agent.objects.count() == 2


def test_a_syntax_error_names_the_file_line_and_column(config_file: Path) -> None:
    config_file.write_text('{\n  "a": 1\n  "b": 2\n}')
    code, _, err = run("importconfig")
    assert code == 1
    assert err.splitlines()[0].startswith("epiloop.json: line 3, column 3: ")


def test_exportconfig_writes_the_config_file_and_stdout(config_file: Path, tmp_path: Path) -> None:
    config_file.write_text(CONFIG)
    run("importconfig")
    code, out, _ = run("exportconfig", "-")
    assert code == 0
    assert json.loads(out) == json.loads(CONFIG)
    code, out, _ = run("exportconfig")
    assert code == 0 and out.strip() == f"wrote {config_file}"
    assert json.loads(config_file.read_text())["agents"] == json.loads(CONFIG)["agents"]
    copy = tmp_path / "copy.json"
    assert run("exportconfig", str(copy))[0] == 0
    assert json.loads(copy.read_text())["agents"] == json.loads(CONFIG)["agents"]


def test_exportconfig_refuses_to_overwrite_an_edit_made_on_disk(config_file: Path) -> None:
    config_file.write_text(CONFIG)
    run("importconfig")
    config_file.write_text(CONFIG.replace("Helper", "Edited over ssh"))
    code, _, err = run("exportconfig")
    assert code == 1
    assert "changed on disk since it was last imported" in err
    assert "Edited over ssh" in config_file.read_text()
