"""config.get redaction and config.set/patch writes (in process, on a temp config file)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.protocol import configdoc
from gateway.protocol.frames import ProtocolError
from gateway.runtime import RUNTIME

DOC = {
    "gateway": {"mode": "local", "auth": {"token": "gw-secret-123456"}},
    "channels": {
        "discord": {"token": "${DISCORD_BOT_TOKEN}", "groupPolicy": "open"},
        "telegram": {"botToken": "123:telegram-secret", "tokenFile": "/data/tg.txt"},
    },
    "models": {
        "providers": {
            "local": {
                "baseUrl": "http://127.0.0.1:11434/v1",
                "apiKey": "sk-local-secret",
                "api": "openai-completions",
                "models": [],
            }
        }
    },
}


@pytest.fixture
def config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "epiloop.json"
    path.write_text(json.dumps(DOC, indent=2))
    monkeypatch.setattr(RUNTIME, "config_path", str(path))
    monkeypatch.setenv("DISCORD_BOT_TOKEN", "discord-from-env")
    yield path


def test_secrets_are_redacted_but_env_references_and_paths_are_shown(config_file: Path) -> None:
    got = configdoc.read()
    text = json.dumps(got)
    for secret in ("gw-secret-123456", "123:telegram-secret", "sk-local-secret"):
        assert secret not in text
    assert got["config"]["gateway"]["auth"]["token"] == configdoc.REDACTED
    assert got["config"]["channels"]["discord"]["token"] == "${DISCORD_BOT_TOKEN}"
    assert got["config"]["channels"]["telegram"]["tokenFile"] == "/data/tg.txt"
    assert got["valid"] is True and len(got["hash"]) == 64


@pytest.mark.django_db
def test_writing_back_the_redacted_document_keeps_every_secret(config_file: Path) -> None:
    got = configdoc.read()
    doc = got["config"]
    doc["channels"]["discord"]["groupPolicy"] = "allowlist"
    result = configdoc.write(doc, got["hash"])
    written = json.loads(config_file.read_text())
    assert written["gateway"]["auth"]["token"] == "gw-secret-123456"
    assert written["channels"]["telegram"]["botToken"] == "123:telegram-secret"
    assert written["models"]["providers"]["local"]["apiKey"] == "sk-local-secret"
    assert written["channels"]["discord"]["token"] == "${DISCORD_BOT_TOKEN}"
    assert written["channels"]["discord"]["groupPolicy"] == "allowlist"
    assert result["hash"] == configdoc.read()["hash"]
    assert result["restartRequired"] is False


@pytest.mark.django_db
def test_a_patch_merges_and_null_deletes(config_file: Path) -> None:
    got = configdoc.read()
    patch = {"messages": {"responsePrefix": "[x]"}, "models": None}
    configdoc.write(patch, got["hash"], patch=True)
    written = json.loads(config_file.read_text())
    assert written["messages"] == {"responsePrefix": "[x]"}
    assert "models" not in written
    assert written["gateway"]["auth"]["token"] == "gw-secret-123456"


def test_a_write_without_the_base_hash_is_refused(config_file: Path) -> None:
    with pytest.raises(ProtocolError, match="baseHash is required"):
        configdoc.write(dict(DOC), None)
    assert json.loads(config_file.read_text()) == DOC
