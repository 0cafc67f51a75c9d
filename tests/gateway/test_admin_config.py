"""The config admin: every page opens; a save writes epiloop.json at once (with a .bak);
an edit made on disk is never overwritten."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from agents.models.config import AuthProfile
from channels_app.discord.models import DiscordGuild
from channels_app.discord.schema import section as discord_section
from config import runtime
from config.models.state import ConfigSection
from config.sync import import_file
from tests.config.test_roundtrip import ISSUE_EXAMPLE

pytestmark = pytest.mark.django_db

STALE = "epiloop.json changed on disk since it was last imported; re-import it"


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def config_file(tmp_path: Path, settings: Any) -> Iterator[Path]:
    path = tmp_path / "epiloop.json"
    settings.EPILOOP_CONFIG_PATH = path
    path.write_text(ISSUE_EXAMPLE)
    import_file(path)
    yield path
    runtime.reset()


def _form_fields(data: dict[str, Any], form: Any) -> None:
    for field in form:
        value = field.value()
        if field.widget_type == "nullbooleanselect":
            value = {True: "true", False: "false"}.get(value, "unknown")
        elif field.widget_type == "checkbox":
            if not value:
                continue
            value = "on"
        data[field.html_name] = "" if value is None else value


def post_data(response: Any) -> dict[str, Any]:
    """The change form as the browser would submit it, unchanged."""
    data: dict[str, Any] = {"_save": "Save"}
    _form_fields(data, response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        _form_fields(data, inline.formset.management_form)
        for form in inline.formset.forms:
            _form_fields(data, form)
    return data


def change_url(obj: Any) -> str:
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


ADMIN_MODELS = [
    "config/configstate",
    "config/configsection",
    "gateway/gatewaysettings",
    "gateway/sessionsettings",
    "gateway/messagessettings",
    "agents/agentdefaults",
    "agents/agent",
    "agents/authprofile",
    "agents/authorder",
    "agents/provider",
    "agents/binding",
    "channels_app/discordsettings",
    "channels_app/discordguild",
    "channels_app/telegramsettings",
    "channels_app/telegramgroup",
]


@pytest.mark.parametrize("model", ADMIN_MODELS)
def test_every_config_admin_page_opens(admin_client: Client, config_file: Path, model: str) -> None:
    listing = admin_client.get(f"/admin/{model}/")
    assert listing.status_code == 200
    if "configstate" not in model:
        assert admin_client.get(f"/admin/{model}/add/").status_code in (200, 403)


def test_the_imported_rows_open_in_the_admin(admin_client: Client, config_file: Path) -> None:
    guild = DiscordGuild.objects.get()
    page = admin_client.get(change_url(guild))
    assert page.status_code == 200
    assert b"general" in page.content


def test_editing_a_guild_channel_inline_writes_the_file_with_a_backup(
    admin_client: Client, config_file: Path
) -> None:
    before = config_file.read_text()
    guild = DiscordGuild.objects.get()
    page = admin_client.get(change_url(guild))
    data = post_data(page)
    assert data["channels-0-key"] == "general"
    data["channels-0-allow"] = "false"
    data["channels-0-require_mention"] = "true"
    response = admin_client.post(change_url(guild), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    doc = json.loads(config_file.read_text())
    assert doc["channels"]["discord"]["guilds"]["YOUR_GUILD_ID"] == {
        "channels": {"general": {"allow": False, "requireMention": True}},
        "requireMention": False,
    }
    assert config_file.with_name("epiloop.json.bak").read_text() == before
    rule = discord_section(runtime.current())
    assert rule is not None
    assert rule.guilds["YOUR_GUILD_ID"].channels["general"].allow is False


def test_adding_a_guild_channel_inline_appends_it(admin_client: Client, config_file: Path) -> None:
    guild = DiscordGuild.objects.get()
    data = post_data(admin_client.get(change_url(guild)))
    data.update(
        {
            "channels-TOTAL_FORMS": "2",
            "channels-1-key": "random",
            "channels-1-allow": "true",
            "channels-1-require_mention": "unknown",
            "channels-1-enabled": "unknown",
            "channels-1-users": "",
            "channels-1-system_prompt": "Be brief.",
            "channels-1-position": "0",
            "channels-1-guild": str(guild.pk),
        }
    )
    assert admin_client.post(change_url(guild), data).status_code == 302
    channels = json.loads(config_file.read_text())["channels"]["discord"]["guilds"][
        "YOUR_GUILD_ID"
    ]["channels"]
    assert channels == {
        "general": {"allow": True},
        "random": {"allow": True, "systemPrompt": "Be brief."},
    }


def test_a_save_after_the_file_changed_on_disk_is_refused(
    admin_client: Client, config_file: Path
) -> None:
    guild = DiscordGuild.objects.get()
    data = post_data(admin_client.get(change_url(guild)))
    data["channels-0-allow"] = "false"
    edited = ISSUE_EXAMPLE.replace('"bind": "auto"', '"bind": "lan"')
    config_file.write_text(edited)  # an edit over ssh
    response = admin_client.post(change_url(guild), data)
    assert response.status_code == 200
    assert STALE in response.content.decode()
    assert "`python manage.py importconfig`" in response.content.decode()
    assert config_file.read_text() == edited
    assert DiscordGuild.objects.get().channels.get().allow is True


def test_import_action_then_save_works_again(admin_client: Client, config_file: Path) -> None:
    config_file.write_text(ISSUE_EXAMPLE.replace('"bind": "auto"', '"bind": "lan"'))
    response = admin_client.post(
        "/admin/config/configstate/",
        {"action": "import_now", "_selected_action": ["1"]},
        follow=True,
    )
    assert "Imported" in response.content.decode()
    guild = DiscordGuild.objects.get()
    data = post_data(admin_client.get(change_url(guild)))
    data["channels-0-allow"] = "false"
    assert admin_client.post(change_url(guild), data).status_code == 302
    doc = json.loads(config_file.read_text())
    assert doc["gateway"]["bind"] == "lan"
    assert doc["channels"]["discord"]["guilds"]["YOUR_GUILD_ID"]["channels"]["general"] == {
        "allow": False
    }


def test_export_action_writes_the_file(admin_client: Client, config_file: Path) -> None:
    response = admin_client.post(
        "/admin/agents/agent/",
        {"action": "export_now", "_selected_action": ["1"]},
        follow=True,
    )
    assert "Exported to epiloop.json." in response.content.decode()
    assert json.loads(config_file.read_text())["meta"]["lastTouchedVersion"] != "2026.1.24"


def test_an_invalid_save_is_refused_with_the_problem_and_nothing_changes(
    admin_client: Client, config_file: Path
) -> None:
    before = config_file.read_text()
    from channels_app.discord.models import DiscordSettings

    discord = DiscordSettings.objects.get()
    data = post_data(admin_client.get(change_url(discord)))
    data["dm_policy"] = "open"
    data["allow_from"] = '["123"]'
    response = admin_client.post(change_url(discord), data, follow=True)
    content = response.content.decode()
    assert "Not saved: channels.discord.dmPolicy: dmPolicy &quot;open&quot;" in content
    assert config_file.read_text() == before
    assert DiscordSettings.objects.get().dm_policy is None


def test_an_api_key_is_stored_encrypted_shown_masked_and_never_exported(
    admin_client: Client, config_file: Path
) -> None:
    profile = AuthProfile.objects.get(profile_id="anthropic:default")
    data = post_data(admin_client.get(change_url(profile)))
    data["api_key"] = "sk-ant-test-key-abcd9876"
    assert admin_client.post(change_url(profile), data).status_code == 302
    page = admin_client.get(change_url(profile)).content.decode()
    assert "sk-ant-test-key-abcd9876" not in page
    assert "••••••••9876" in page
    assert "sk-ant-test-key" not in config_file.read_text()
    from agents.models.config import profile_secret

    assert profile_secret("anthropic:default") == "sk-ant-test-key-abcd9876"
    data = post_data(admin_client.get(change_url(profile)))  # blank keeps the key
    assert admin_client.post(change_url(profile), data).status_code == 302
    assert profile_secret("anthropic:default") == "sk-ant-test-key-abcd9876"


def test_other_sections_are_edited_as_json(admin_client: Client, config_file: Path) -> None:
    meta = ConfigSection.objects.get(path="meta")
    section_url = "/admin/config/configsection/add/"
    response = admin_client.post(
        section_url,
        {"path": "hooks", "value": '{"enabled": true, "token": "${HOOKS_TOKEN_X}"}', "position": 9},
        follow=True,
    )
    assert "Not saved: hooks.token: environment variable HOOKS_TOKEN_X is not set" in (
        response.content.decode()
    )
    assert not ConfigSection.objects.filter(path="hooks").exists()
    assert meta.path == "meta"
    response = admin_client.post(
        section_url, {"path": "hooks", "value": '{"enabled": true}', "position": 9}
    )
    assert response.status_code == 302
    doc = json.loads(config_file.read_text())
    assert doc["hooks"] == {"enabled": True}
    assert list(doc)[-1] == "hooks"
    bad = admin_client.post(section_url, {"path": "x", "value": "{not json", "position": 1})
    assert bad.status_code == 200 and "Enter a valid JSON" in bad.content.decode()


def test_deleting_a_row_exports_and_is_refused_when_stale(
    admin_client: Client, config_file: Path
) -> None:
    profile = AuthProfile.objects.get(profile_id="openai:default")
    url = reverse("admin:agents_authprofile_delete", args=[profile.pk])
    config_file.write_text(ISSUE_EXAMPLE.replace("auto", "lan"))
    response = admin_client.post(url, {"post": "yes"}, follow=True)
    assert STALE in response.content.decode()
    assert AuthProfile.objects.filter(pk=profile.pk).exists()
    import_file(config_file)
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert list(json.loads(config_file.read_text())["auth"]["profiles"]) == ["anthropic:default"]


def test_keys_epiloop_does_not_model_are_editable_as_json(
    admin_client: Client, config_file: Path
) -> None:
    from agents.models.config import Agent

    config_file.write_text(
        '{"agents": {"list": [{"id": "main", "heartbeat": {"every": "30m"}, "tools": {"a": 1}, '
        '"name": "Main"}]}}'
    )
    import_file(config_file)
    agent = Agent.objects.get()
    data = post_data(admin_client.get(change_url(agent)))
    assert json.loads(data["other_keys"]) == {"heartbeat": {"every": "30m"}, "tools": {"a": 1}}
    data["other_keys"] = '{"heartbeat": {"every": "1h"}, "sandbox": {"mode": "all"}}'
    assert admin_client.post(change_url(agent), data).status_code == 302
    assert json.loads(config_file.read_text())["agents"]["list"] == [
        {"id": "main", "heartbeat": {"every": "1h"}, "name": "Main", "sandbox": {"mode": "all"}}
    ]
    data = post_data(admin_client.get(change_url(agent)))
    data["other_keys"] = '{"name": "Sneaky"}'
    refused = admin_client.post(change_url(agent), data)
    assert refused.status_code == 200
    assert "name: set these in their own fields above." in refused.content.decode()


def test_env_references_survive_an_admin_save(
    admin_client: Client, config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from channels_app.discord.models import DiscordSettings

    monkeypatch.setenv("DISCORD_TOKEN_ADMIN_X", "test-token-abc")
    config_file.write_text(
        '{"channels": {"discord": {"token": "${DISCORD_TOKEN_ADMIN_X}", "allowFrom": [42]}}}'
    )
    import_file(config_file)
    discord = DiscordSettings.objects.get()
    data = post_data(admin_client.get(change_url(discord)))
    assert data["token"] == "${DISCORD_TOKEN_ADMIN_X}"
    data["group_policy"] = "open"
    assert admin_client.post(change_url(discord), data).status_code == 302
    assert json.loads(config_file.read_text())["channels"] == {
        "discord": {"token": "${DISCORD_TOKEN_ADMIN_X}", "allowFrom": [42], "groupPolicy": "open"}
    }
    assert "test-token-abc" not in config_file.read_text()


def test_a_modelled_section_cannot_be_shadowed_by_a_json_section(
    admin_client: Client, config_file: Path
) -> None:
    response = admin_client.post(
        "/admin/config/configsection/add/",
        {"path": "gateway", "value": '{"mode": "local"}', "position": 1},
    )
    assert response.status_code == 200
    assert "gateway has its own admin page" in response.content.decode()


def test_the_file_state_page_says_whether_the_file_is_valid(
    admin_client: Client, config_file: Path
) -> None:
    page = admin_client.get("/admin/config/configstate/1/change/").content.decode()
    assert "<div>valid</div>" in page
    config_file.write_text('{"session": {"dmScope": "everyone"}}')
    page = admin_client.get("/admin/config/configstate/1/change/").content.decode()
    assert "INVALID (not applied)" in page
    assert "session.dmScope: must be one of main, per-peer" in page
    assert "edited on disk since it was last imported" in page


def test_a_token_written_in_the_file_is_shown_masked_and_kept_unless_replaced(
    admin_client: Client, config_file: Path
) -> None:
    from channels_app.discord.models import DiscordSettings

    config_file.write_text('{"channels": {"discord": {"token": "test-token-abcdef123456"}}}')
    import_file(config_file)
    discord = DiscordSettings.objects.get()
    page = admin_client.get(change_url(discord))
    assert "test-token-abcdef123456" not in page.content.decode()
    data = post_data(page)
    assert data["token"] == "••••••••3456"
    data["group_policy"] = "open"
    assert admin_client.post(change_url(discord), data).status_code == 302
    saved = json.loads(config_file.read_text())["channels"]["discord"]
    assert saved == {"token": "test-token-abcdef123456", "groupPolicy": "open"}
    data = post_data(admin_client.get(change_url(discord)))
    data["token"] = "test-token-new-000000"
    assert admin_client.post(change_url(discord), data).status_code == 302
    assert json.loads(config_file.read_text())["channels"]["discord"]["token"] == (
        "test-token-new-000000"
    )
