"""Nothing is lost: import then export gives the same document, and edits land in place."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agents.models.config import Agent, AuthProfile, profile_secret
from channels_app.discord.models import DiscordGuild, DiscordGuildChannel, DiscordSettings
from channels_app.discord.schema import section as discord_section
from config import runtime
from config.sync import export_file, export_text, import_file
from tests.config.conftest import without_meta
from tests.support.sections import discord_of

pytestmark = pytest.mark.django_db

# The example from issue 2 (our Fly guide), verbatim.
ISSUE_EXAMPLE = """{
  "agents": {
    "defaults": {
      "model": {
        "primary": "anthropic/claude-opus-4-5",
        "fallbacks": ["anthropic/claude-sonnet-4-5", "openai/gpt-4o"]
      },
      "maxConcurrent": 4
    },
    "list": [
      {
        "id": "main",
        "default": true
      }
    ]
  },
  "auth": {
    "profiles": {
      "anthropic:default": { "mode": "token", "provider": "anthropic" },
      "openai:default": { "mode": "token", "provider": "openai" }
    }
  },
  "bindings": [
    {
      "agentId": "main",
      "match": { "channel": "discord" }
    }
  ],
  "channels": {
    "discord": {
      "enabled": true,
      "groupPolicy": "allowlist",
      "guilds": {
        "YOUR_GUILD_ID": {
          "channels": { "general": { "allow": true } },
          "requireMention": false
        }
      }
    }
  },
  "gateway": {
    "mode": "local",
    "bind": "auto"
  },
  "meta": {
    "lastTouchedVersion": "2026.1.24"
  }
}
"""

JSON5_FILE = """// Epiloop config, hand-written
{
  gateway: { mode: 'local', port: 18789, },  // trailing commas everywhere
  /* a block comment */
  channels: {
    telegram: {
      botToken: "${TELEGRAM_BOT_TOKEN}",
      allowFrom: [123456789, "tg:42",],
      customThing: { keep: [1, 2, 3,], },
    },
  },
}
"""


def roundtrip(path: Path, text: str) -> tuple[dict, dict]:
    path.write_text(text)
    outcome = import_file(path)
    assert outcome.imported, outcome.problems
    before = outcome.result.document
    assert before is not None
    export_file(path)
    return before, json.loads(path.read_text())


def test_the_issue_example_survives_import_then_export(config_file: Path) -> None:
    before, after = roundtrip(config_file, ISSUE_EXAMPLE)
    assert without_meta(after) == without_meta(before)
    assert list(after) == list(before)
    assert after["meta"]["lastTouchedVersion"] != "2026.1.24"


def test_the_issue_example_is_applied_to_the_running_process(config_file: Path) -> None:
    config_file.write_text(ISSUE_EXAMPLE)
    import_file(config_file)
    cfg = runtime.current()
    assert cfg.agents.defaults.model is not None
    assert cfg.agents.defaults.model.primary == "anthropic/claude-opus-4-5"
    assert discord_section(cfg) is not None
    assert discord_of(cfg).guilds["YOUR_GUILD_ID"].channels["general"].allow is True


def test_a_json5_file_with_comments_and_trailing_commas_round_trips(
    config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "test-token-abc")
    before, after = roundtrip(config_file, JSON5_FILE)
    assert without_meta(after) == without_meta(before)
    assert after["channels"]["telegram"]["allowFrom"] == [123456789, "tg:42"]
    assert after["channels"]["telegram"]["botToken"] == "${TELEGRAM_BOT_TOKEN}"
    assert "test-token-abc" not in config_file.read_text()


def test_env_references_survive_a_save_of_another_field(
    config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISCORD_BOT_TOKEN_X", "test-token-abc")
    config_file.write_text(
        '{"channels": {"discord": {"token": "${DISCORD_BOT_TOKEN_X}", "allowFrom": [1234]}}}'
    )
    import_file(config_file)
    row = DiscordSettings.objects.get()
    assert row.token == "${DISCORD_BOT_TOKEN_X}"
    row.group_policy = "open"
    row.save()
    export_file(config_file)
    discord = json.loads(config_file.read_text())["channels"]["discord"]
    assert discord == {
        "token": "${DISCORD_BOT_TOKEN_X}",
        "allowFrom": [1234],
        "groupPolicy": "open",
    }
    applied = discord_section(runtime.current())
    assert applied is not None and applied.token == "test-token-abc"


def test_an_edited_field_changes_in_place_and_unknown_keys_stay(config_file: Path) -> None:
    config_file.write_text(
        '{"agents": {"list": [{"id": "main", "zzz": {"deep": [1, {"x": null}]}, '
        '"model": "anthropic/a", "name": "Old"}], "entries": {"keep": true}}}'
    )
    import_file(config_file)
    agent = Agent.objects.get()
    agent.name = "New"
    agent.save()
    export_file(config_file)
    doc = json.loads(config_file.read_text())
    assert doc["agents"] == {
        "list": [
            {"id": "main", "zzz": {"deep": [1, {"x": None}]}, "model": "anthropic/a", "name": "New"}
        ],
        "entries": {"keep": True},
    }


def test_a_model_string_becomes_an_object_only_when_fallbacks_are_set(config_file: Path) -> None:
    config_file.write_text('{"agents": {"list": [{"id": "a", "model": "openai/gpt-4o"}]}}')
    import_file(config_file)
    agent = Agent.objects.get()
    agent.model_primary = "openai/gpt-4.1"
    agent.save()
    export_file(config_file)
    assert json.loads(config_file.read_text())["agents"]["list"][0]["model"] == "openai/gpt-4.1"
    agent = Agent.objects.get()
    agent.model_fallbacks = ["anthropic/x"]
    agent.save()
    export_file(config_file)
    assert json.loads(config_file.read_text())["agents"]["list"][0]["model"] == {
        "primary": "openai/gpt-4.1",
        "fallbacks": ["anthropic/x"],
    }


def test_cleared_fields_are_removed_and_new_rows_appended(config_file: Path) -> None:
    config_file.write_text(
        '{"channels": {"discord": {"guilds": {"111": {"requireMention": true, '
        '"channels": {"general": {"allow": true}}}}}}}'
    )
    import_file(config_file)
    guild = DiscordGuild.objects.get()
    guild.require_mention = None
    guild.save()
    DiscordGuildChannel.objects.create(guild=guild, key="random", allow=False, position=1)
    export_file(config_file)
    assert json.loads(config_file.read_text())["channels"]["discord"]["guilds"] == {
        "111": {"channels": {"general": {"allow": True}, "random": {"allow": False}}}
    }


def test_removed_rows_disappear_from_the_file(config_file: Path) -> None:
    config_file.write_text(ISSUE_EXAMPLE)
    import_file(config_file)
    AuthProfile.objects.filter(profile_id="openai:default").delete()
    export_file(config_file)
    profiles = json.loads(config_file.read_text())["auth"]["profiles"]
    assert list(profiles) == ["anthropic:default"]


def test_auth_profile_secrets_are_never_exported(config_file: Path) -> None:
    config_file.write_text(ISSUE_EXAMPLE)
    import_file(config_file)
    profile = AuthProfile.objects.get(profile_id="anthropic:default")
    profile.set_secret("sk-ant-test-secret-1234")
    profile.save()
    export_file(config_file)
    assert "sk-ant-test-secret-1234" not in config_file.read_text()
    assert "sk-ant-test-secret-1234" not in export_text()
    assert "sk-ant-test-secret-1234" not in profile.secret_encrypted
    assert profile_secret("anthropic:default") == "sk-ant-test-secret-1234"
    assert profile_secret("openai:default") is None


def test_a_reimport_keeps_stored_secrets(config_file: Path) -> None:
    config_file.write_text(ISSUE_EXAMPLE)
    import_file(config_file)
    profile = AuthProfile.objects.get(profile_id="anthropic:default")
    profile.set_secret("sk-ant-test-secret-1234")
    profile.save()
    import_file(config_file)
    assert profile_secret("anthropic:default") == "sk-ant-test-secret-1234"


def test_an_invalid_edit_is_not_written(config_file: Path) -> None:
    from config.errors import ConfigError

    config_file.write_text('{"channels": {"telegram": {"dmPolicy": "pairing"}}}')
    import_file(config_file)
    text = config_file.read_text()
    from channels_app.telegram.models import TelegramSettings

    row = TelegramSettings.objects.get()
    row.dm_policy = "open"
    row.save()
    with pytest.raises(ConfigError) as caught:
        export_file(config_file)
    assert caught.value.problems[0].startswith("channels.telegram.dmPolicy: ")
    assert config_file.read_text() == text
