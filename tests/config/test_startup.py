"""What the gateway starts on: the file when valid, else the last valid config it imported."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import runtime
from config.startup import load_for_startup, write_minimal

pytestmark = pytest.mark.django_db

VALID = '{"gateway": {"mode": "local", "port": 3000}, "agents": {"list": [{"id": "main"}]}}'


def test_a_valid_file_is_imported_and_applied(config_file: Path) -> None:
    config_file.write_text(VALID)
    started = load_for_startup(config_file)
    assert started.problems == [] and started.source == "file"
    assert started.config is not None and started.config.gateway.port == 3000
    assert runtime.current().gateway.port == 3000
    assert started.raw_mode == "local"


def test_an_invalid_file_runs_on_the_last_valid_config_and_is_not_rewritten(
    config_file: Path,
) -> None:
    config_file.write_text(VALID)
    load_for_startup(config_file)
    runtime.reset()
    broken = '{"gateway": {"mode": "local", "port": "three thousand"}}'
    config_file.write_text(broken)
    started = load_for_startup(config_file)
    assert started.problems == ['gateway.port: must be a whole number (got "three thousand")']
    assert started.source == "database" and started.last_valid_at
    assert started.config is not None and started.config.gateway.port == 3000
    assert runtime.current().gateway.port == 3000
    assert config_file.read_text() == broken
    assert not config_file.with_name("epiloop.json.bak").exists()


def test_an_invalid_file_and_no_earlier_config_gives_none(config_file: Path) -> None:
    config_file.write_text("{ not json")
    started = load_for_startup(config_file)
    assert started.config is None and started.source == "none"
    assert started.problems[0].startswith("epiloop.json: line 1, column 7: ")


def test_a_later_valid_file_is_applied(config_file: Path) -> None:
    config_file.write_text("{ not json")
    load_for_startup(config_file)
    config_file.write_text(VALID)
    started = load_for_startup(config_file)
    assert started.config is not None and not started.problems


def test_the_minimal_config_is_valid_and_local(config_file: Path) -> None:
    write_minimal(config_file)
    started = load_for_startup(config_file)
    assert started.problems == [] and started.raw_mode == "local"
