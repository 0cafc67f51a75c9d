"""Bring your OpenClaw config: `importconfig PATH` with an OpenClaw/Clawdbot file imports it
with no loss, writes it to the gateway's config path, exports back equal, reads the older
spellings as the current ones and reports what Epiloop does not act on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from channels_app.discord.schema import section as discord_section
from channels_app.telegram.schema import section as telegram_section
from config.io import load_file
from config.models.revisions import ConfigRevision
from tests.config.conftest import CORPUS, env_names, without_meta
from tests.config.test_commands import run
from tests.support.sections import discord_of, telegram_of

pytestmark = pytest.mark.django_db

OWN = Path(__file__).parent / "openclaw"
CORPUS_FILES = ["01", "04", "08", "10", "19", "26", "35", "37", "38"]


def _corpus(prefix: str) -> Path:
    found = sorted(CORPUS.glob(f"{prefix}-*"))
    if not found:
        pytest.skip(f"corpus file {prefix} is not present on this machine")
    return found[0]


SOURCES = [pytest.param(p, id=p) for p in CORPUS_FILES] + [
    pytest.param(p.name, id=p.name) for p in sorted(OWN.iterdir())
]


def _source(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the file outside the state dir, its `${VAR}`s set to made-up values."""
    original = OWN / name if (OWN / name).exists() else _corpus(name)
    folder = tmp_path / "from-openclaw"
    folder.mkdir()
    source = folder / original.name
    source.write_bytes(original.read_bytes())
    for var in env_names(source.read_text()):
        monkeypatch.setenv(var, f"test-value-{var.lower()}")
    return source


@pytest.mark.parametrize("name", SOURCES)
def test_an_openclaw_config_imports_with_no_loss_and_exports_back_equal(
    name: str, config_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = _source(name, tmp_path, monkeypatch)
    previous = '{"gateway": {"mode": "local"}}\n'
    config_file.write_text(previous)
    run("importconfig")

    code, out, err = run("importconfig", str(source))
    assert code == 0, err
    assert f"wrote it to {config_file}" in out
    assert config_file.read_bytes() == source.read_bytes()  # verbatim, comments and all
    assert config_file.with_name("epiloop.json.bak").read_text() == previous
    last = ConfigRevision.objects.order_by("-id").first()
    assert last is not None and last.note == f"imported from {source}"

    assert run("importconfig")[1].splitlines()[-1] == f"{config_file}: already up to date"
    code, _, err = run("exportconfig")
    assert code == 0, err
    original = load_file(source).document
    assert original is not None
    assert without_meta(json.loads(config_file.read_text())) == without_meta(original)


def _import(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    code, out, err = run("importconfig", str(_source(name, tmp_path, monkeypatch)))
    assert code == 0, err
    return out.splitlines()


def _section(lines: list[str], title: str) -> list[str]:
    start = lines.index(title) + 1
    end = next((i for i in range(start, len(lines)) if not lines[i].startswith("  ")), len(lines))
    return [line.strip() for line in lines[start:end]]


ALIASES = "older spellings read as the current ones (kept as written):"
UNUSED = "kept in the file but not acted on by Epiloop:"


def test_the_report_lists_the_sections_epiloop_does_not_act_on(
    config_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = _import("openclaw-multi-agent-discord.json5", tmp_path, monkeypatch)
    unused = _section(lines, UNUSED)
    for path in ("hooks", "cron", "skills", "channels.whatsapp"):
        assert path in unused
    # `tools` is modelled (profiles, allow/deny): only the keys inside it that are not.
    assert "tools.elevated" in unused
    assert "tools" not in unused and "agents.list[*].tools" not in unused
    assert "channels.discord.actions" in unused
    assert "agents.defaults.model" not in unused
    assert "channels.discord.dm.policy -> channels.discord.dmPolicy" in _section(lines, ALIASES)
    config = load_file(config_file).config
    assert config is not None and discord_section(config) is not None
    assert discord_of(config).effective_dm_policy == "allowlist"
    assert discord_of(config).effective_allow_from == ["111111111111111111", "steipete"]


def test_older_spellings_are_read_as_the_current_ones_and_each_is_named(
    config_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = _import("clawdbot-telegram-groups.json", tmp_path, monkeypatch)
    assert _section(lines, ALIASES) == [
        "channels.telegram.token -> channels.telegram.botToken",
        "gateway.auth.type -> gateway.auth.mode",
    ]
    unused = _section(lines, UNUSED)
    for path in ("plugins", "browser", "talk", "models.mode", "channels.telegram.streamMode"):
        assert path in unused
    assert "channels.telegram.token" not in unused
    config = load_file(config_file).config
    assert config is not None and telegram_section(config) is not None
    assert telegram_of(config).bot_token == "test-value-telegram_bot_token"
    assert config.gateway.auth.mode == "token"
    assert '"token": "${TELEGRAM_BOT_TOKEN}"' in config_file.read_text()  # not rewritten
    assert "botToken" not in config_file.read_text()


def test_legacy_top_level_providers_are_read_as_channels(
    config_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = _import("08", tmp_path, monkeypatch)
    assert _section(lines, ALIASES) == [
        "providers.telegram -> channels.telegram",
        "providers.telegram.dm.policy -> channels.telegram.dmPolicy",
    ]
    assert "providers.whatsapp" in _section(lines, UNUSED)
    config = load_file(config_file).config
    assert config is not None and telegram_section(config) is not None
    assert telegram_of(config).dm_policy == "pairing"
    assert "channels" not in json.loads(config_file.read_text())


def test_an_invalid_openclaw_file_is_refused_and_the_config_file_kept(
    config_file: Path, tmp_path: Path
) -> None:
    config_file.write_text('{"gateway": {"mode": "local"}}\n')
    run("importconfig")
    bad = tmp_path / "openclaw.json"
    bad.write_text('{"channels": {"telegram": {"dmPolicy": "open"}}, "agents": {"list": [{}]}}')
    code, _, err = run("importconfig", str(bad))
    assert code == 1
    assert 'dmPolicy "open" lets anyone message the bot' in err
    assert "agents.list[0].id" in err
    assert config_file.read_text() == '{"gateway": {"mode": "local"}}\n'
    assert not config_file.with_name("epiloop.json.bak").exists()


def test_an_edit_on_disk_is_kept_in_history_before_an_import_replaces_it(
    config_file: Path, tmp_path: Path
) -> None:
    config_file.write_text('{"gateway": {"mode": "local"}}\n')
    run("importconfig")
    config_file.write_text('{"gateway": {"mode": "local", "port": 19000}}\n')  # never imported
    other = tmp_path / "clawdbot.json"
    other.write_text('{"session": {"dmScope": "main"}}')
    assert run("importconfig", str(other))[0] == 0
    notes = list(ConfigRevision.objects.order_by("id").values_list("text", "note"))
    assert notes[-2] == (
        '{"gateway": {"mode": "local", "port": 19000}}\n',
        f"on disk before importing {other}",
    )
