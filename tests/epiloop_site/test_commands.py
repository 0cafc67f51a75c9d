"""Every management command works on a state dir the gateway has never run in: it applies
the pending migrations first, quietly (`epiloop_site.commands`)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from epiloop_site.commands import migrate_pending
from tests.fakes.openai import fixtures as openai_fixtures
from tests.fakes.openai.server import FakeOpenAI
from tests.support.commands import manage

fake_openai_server = openai_fixtures.fake_openai_server
fake_openai = openai_fixtures.fake_openai

CONFIG = {
    "gateway": {"mode": "local"},
    "agents": {"defaults": {"model": {"primary": "openai/gpt-4o-mini"}}},
}


def tables(state: Path) -> set[str]:
    with sqlite3.connect(state / "epiloop.sqlite3") as conn:
        return {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}


def fresh_state(tmp_path: Path, config: dict[str, Any] | None = None) -> Path:
    """A state dir no Epiloop process has run in: it does not even exist unless a config
    file has to be put there first (by a careful user: mode 0700, else doctor warns)."""
    state = tmp_path / "state"
    if config is not None:
        state.mkdir(mode=0o700)
        (state / "epiloop.json").write_text(json.dumps(config))
        (state / "epiloop.json").chmod(0o600)
    return state


@pytest.mark.parametrize(
    ("args", "config", "expected"),
    [
        pytest.param(("importconfig",), CONFIG, "change(s))", id="importconfig"),
        pytest.param(("importconfig", "--dry-run"), CONFIG, "nothing was changed", id="dry-run"),
        pytest.param(("exportconfig", "-"), None, "{}", id="exportconfig"),
        pytest.param(("pairing", "list"), None, "no pending pairing requests", id="pairing"),
        pytest.param(("doctor",), CONFIG, "doctor: no problems found", id="doctor"),
    ],
)
def test_a_command_on_a_fresh_state_dir_migrates_quietly_and_does_its_job(
    tmp_path: Path,
    args: tuple[str, ...],
    config: dict[str, Any] | None,
    expected: str,
) -> None:
    state = fresh_state(tmp_path, config)
    code, out, err = manage(state, *args, env={"OPENAI_API_KEY": "sk-test-fake-key"})
    assert (code, err) == (0, ""), out + err
    assert expected in out
    assert "migrat" not in out  # quiet: the output is the command's own
    assert {"gateway_gatewaysettings", "channels_app_pairingrequest"} <= tables(state)


def test_a_refusal_on_a_fresh_state_dir_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    state = fresh_state(tmp_path)
    code, out, err = manage(state, "pairing", "approve", "discord", "ABCD2345")
    assert code == 1
    assert err == "CommandError: no pairing request with code ABCD2345 on discord\n"
    code, out, err = manage(state, "runchannel", "telegram")
    assert code == 1
    assert "telegram is not enabled or has no token" in out
    assert "Traceback" not in out + err


def test_chat_answers_on_a_fresh_state_dir_and_keeps_the_turn(
    tmp_path: Path, fake_openai: FakeOpenAI
) -> None:
    state = fresh_state(tmp_path, CONFIG)
    fake_openai.script(text="Hello from a fresh start")
    env = {"OPENAI_API_KEY": "sk-test-fake-key", "OPENAI_BASE_URL": fake_openai.url + "/v1"}
    code, out, err = manage(state, "chat", "hi", env=env)
    assert (code, out, err) == (0, "Hello from a fresh start\n", "")
    with sqlite3.connect(state / "epiloop.sqlite3") as conn:
        rows = conn.execute("SELECT role, text FROM agents_message ORDER BY id").fetchall()
    assert rows == [("user", "hi"), ("assistant", "Hello from a fresh start")]


def test_a_migrated_database_has_nothing_pending(db: None) -> None:
    assert migrate_pending() is False
