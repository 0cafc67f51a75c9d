"""A chat platform's `channels.<name>` section is registered with the config core, which
validates it without importing the platform: errors name the JSON path, unknown keys in it
are warnings, and the JSON Schema shows it."""

from __future__ import annotations

from typing import Literal

import pytest

from config import schema_channels
from config.io import load_text
from config.schema import json_schema
from config.schema_base import ConfigModel, IdList


class EchoConfig(ConfigModel):
    enabled: bool = True
    mode: Literal["loud", "quiet"] = "quiet"
    allow_from: IdList = []


@pytest.fixture
def echo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(
        schema_channels._CHANNELS, "echo", schema_channels.ChannelSchema("echo", EchoConfig)
    )


def test_a_registered_section_is_validated_into_its_model(echo: None) -> None:
    result = load_text('{"channels": {"echo": {"mode": "loud", "allowFrom": [42]}}}', environ={})
    assert result.config is not None
    section = result.config.channels.section("echo")
    assert isinstance(section, EchoConfig)
    assert section.mode == "loud" and section.allow_from == ["42"]
    assert result.config.channels.configured() == ["echo"]


def test_an_error_in_a_registered_section_names_its_json_path(echo: None) -> None:
    result = load_text('{"channels": {"echo": {"mode": "shout", "enabled": 3}}}', environ={})
    assert result.config is None
    assert 'channels.echo.mode: must be one of loud, quiet (got "shout")' in result.errors
    assert "channels.echo.enabled: must be true or false (got 3)" in result.errors


def test_an_unknown_key_in_a_registered_section_is_a_warning(echo: None) -> None:
    result = load_text('{"channels": {"echo": {"volume": 11}}}', environ={})
    assert result.config is not None
    assert "channels.echo.volume: unknown key, kept as written" in result.warnings


def test_an_unregistered_platform_section_is_kept_as_written() -> None:
    result = load_text('{"channels": {"pigeon": {"coop": 1}}}', environ={})
    assert result.config is not None
    assert result.config.channels.section("pigeon") is None
    assert result.config.channels.model_extra == {"pigeon": {"coop": 1}}


def test_the_json_schema_shows_registered_sections(echo: None) -> None:
    channels = json_schema()["$defs"]["ChannelsConfig"]["properties"]
    assert channels["echo"]["properties"]["mode"]["enum"] == ["loud", "quiet"]
    assert "discord" in channels and "telegram" in channels
