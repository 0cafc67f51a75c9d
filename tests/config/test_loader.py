"""Reading epiloop.json: JSON and JSON5, ${VAR}s, and one clear line per problem."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from channels_app.discord.schema import section as discord_section
from channels_app.telegram.schema import section as telegram_section
from config.io import load_file, load_text
from tests.support.sections import discord_of, telegram_of

ENV = {"DISCORD_TOKEN": "test-token-abc", "EMPTY": ""}


def problems(text: str, env: dict[str, str] | None = None) -> list[str]:
    return load_text(text, environ=ENV if env is None else env).errors


def test_plain_json_gives_an_ordered_document_and_a_config() -> None:
    result = load_text('{"gateway": {"port": 3000, "mode": "local"}, "agents": {}}', environ={})
    assert result.ok
    assert list(result.document or {}) == ["gateway", "agents"]
    assert list((result.document or {})["gateway"]) == ["port", "mode"]
    assert result.config is not None and result.config.gateway.port == 3000
    assert not result.json5


def test_a_bom_and_crlf_line_ends_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "epiloop.json"
    data = '\ufeff{\r\n  "gateway": {"mode": "local"}\r\n}\r\n'.encode()
    path.write_bytes(data)
    result = load_file(path, environ={})
    assert result.ok, result.errors
    assert result.hash == hashlib.sha256(data).hexdigest()


def test_json5_comments_and_trailing_commas_are_accepted() -> None:
    text = "// my config\n{\n  gateway: { mode: 'local', }, /* inline */\n  bindings: [],\n}\n"
    result = load_text(text, environ={})
    assert result.ok, result.errors
    assert result.json5
    assert result.document == {"gateway": {"mode": "local"}, "bindings": []}


def test_a_duplicate_key_keeps_the_later_value_and_warns_with_its_path() -> None:
    result = load_text('{"session": {"dmScope": "main", "dmScope": "per-peer"}}', environ={})
    assert result.config is not None and result.config.session.dm_scope == "per-peer"
    assert "session.dmScope: key written more than once; the last one wins" in result.warnings[0]


def test_broken_syntax_is_one_line_with_line_column_and_fix() -> None:
    assert problems('{\n  "a": 1,\n  "b": [1,,]\n}') == [
        'line 3, column 11: Unexpected ","; fix the syntax there (JSON, or JSON5 with '
        "comments and trailing commas)"
    ]


def test_an_empty_file_says_so() -> None:
    assert problems("  \n") == ["the file is empty; write a config object, at least {}"]


def test_a_top_level_that_is_not_an_object_is_refused() -> None:
    assert problems("[1]") == ["(top level): must be an object {...} (got list)"]


def test_env_references_are_resolved_for_validation_and_kept_raw_in_the_document() -> None:
    result = load_text('{"channels": {"discord": {"token": "${DISCORD_TOKEN}"}}}', environ=ENV)
    assert result.ok
    assert result.config is not None and discord_section(result.config) is not None
    assert discord_of(result.config).token == "test-token-abc"
    assert (result.document or {})["channels"]["discord"]["token"] == "${DISCORD_TOKEN}"


def test_env_reference_inside_a_string_is_replaced_in_place() -> None:
    result = load_text('{"gateway": {"customBindHost": "h-${DISCORD_TOKEN}-x"}}', environ=ENV)
    assert result.config is not None
    assert result.config.gateway.custom_bind_host == "h-test-token-abc-x"


@pytest.mark.parametrize(("name", "state"), [("MISSING_VAR", "is not set"), ("EMPTY", "is empty")])
def test_a_missing_or_empty_variable_is_an_error_naming_the_path(name: str, state: str) -> None:
    assert problems('{"gateway": {"auth": {"token": "${' + name + '}"}}}') == [
        f"gateway.auth.token: environment variable {name} {state}; set it (or write the value "
        "in place of ${" + name + "})"
    ]


def test_a_missing_variable_in_a_number_field_is_reported_once() -> None:
    assert problems('{"gateway": {"port": "${PORT_X}"}}') == [
        "gateway.port: environment variable PORT_X is not set; set it (or write the value in "
        "place of ${PORT_X})"
    ]


@pytest.mark.parametrize(
    "lookalike", ["${env:TOKEN}", "{env:TOKEN}", "${TOKEN:-fallback}", "${lower_case}"]
)
def test_env_reference_lookalikes_are_kept_as_text_and_flagged(lookalike: str) -> None:
    result = load_text('{"gateway": {"auth": {"token": "' + lookalike + '"}}}', environ={})
    assert result.ok
    assert result.config is not None and result.config.gateway.auth.token == lookalike
    assert result.warnings == [
        f"gateway.auth.token: {lookalike} is not an environment reference (only "
        "${UPPER_CASE} names are replaced, without defaults); it is kept as plain text"
    ]


def test_a_doubled_dollar_is_a_literal_reference() -> None:
    result = load_text('{"messages": {"responsePrefix": "$${NOT_ME}"}}', environ={})
    assert result.config is not None and result.config.messages.response_prefix == "${NOT_ME}"


def test_a_secret_ref_object_is_kept_as_it_is() -> None:
    ref = {"source": "file", "provider": "filemain", "id": "/discord/token"}
    text = '{"channels": {"discord": {"token": {"source": "file", "provider": "filemain", '
    text += '"id": "/discord/token"}}}}'
    result = load_text(text, environ={})
    assert result.ok
    assert (result.document or {})["channels"]["discord"]["token"] == ref
    discord = discord_section(result.config) if result.config else None
    assert discord is not None and discord.token is not None
    assert not isinstance(discord.token, str) and discord.token.source == "file"


def test_unknown_keys_are_warnings_by_path_never_errors() -> None:
    text = '{"hooks": {"x": 1}, "gateway": {"mode": "local", "tailscale": {"mode": "serve"}}}'
    result = load_text(text, environ={})
    assert result.ok
    assert result.warnings == [
        "hooks: unknown key, kept as written",
        "gateway.tailscale: unknown key, kept as written",
    ]


def test_numeric_ids_become_strings() -> None:
    text = '{"channels": {"telegram": {"allowFrom": [123456789]}}, '
    text += '"bindings": [{"agentId": "main", "match": {"peer": {"kind": "dm", "id": 42}}}]}'
    result = load_text(text, environ={})
    assert result.config is not None and telegram_section(result.config) is not None
    assert telegram_of(result.config).allow_from == ["123456789"]
    peer = result.config.bindings[0].match.peer
    assert peer is not None and peer.id == "42"


def test_an_agent_model_may_be_a_string_or_an_object() -> None:
    text = '{"agents": {"list": [{"id": "a", "model": "openai/gpt-4o"}, '
    text += '{"id": "b", "model": {"primary": "anthropic/x", "fallbacks": []}}]}}'
    result = load_text(text, environ={})
    assert result.config is not None
    first, second = result.config.agents.list
    assert first.model is not None and first.model.primary == "openai/gpt-4o"
    assert first.model.fallbacks is None
    assert second.model is not None and second.model.fallbacks == []


def test_defaults_from_the_design_apply_to_an_empty_file() -> None:
    result = load_text("{}", environ={})
    cfg = result.config
    assert cfg is not None
    assert cfg.agents.defaults.max_concurrent == 4
    assert cfg.agents.defaults.timeout_seconds == 600
    assert cfg.session.dm_scope == "per-channel-peer"
    assert cfg.messages.queue.cap == 20
    assert discord_section(cfg) is None and telegram_section(cfg) is None
    both = load_text('{"channels": {"discord": {}, "telegram": {}}}', environ={}).config
    assert both is not None and discord_section(both) and telegram_section(both)
    assert discord_of(both).text_chunk_limit == 2000
    assert discord_of(both).group_policy == "allowlist"
    assert telegram_of(both).text_chunk_limit == 4000


# One test per kind of validation message.
@pytest.mark.parametrize(
    ("text", "line"),
    [
        (
            '{"channels": {"discord": {"groupPolicy": "allow"}}}',
            'channels.discord.groupPolicy: must be one of open, allowlist, disabled (got "allow")',
        ),
        (
            '{"agents": {"defaults": {"maxConcurrent": "four"}}}',
            'agents.defaults.maxConcurrent: must be a whole number (got "four")',
        ),
        (
            '{"channels": {"discord": {"guilds": {"1": {"channels": '
            '{"#a b": {"allow": "maybe"}}}}}}}',
            'channels.discord.guilds.1.channels["#a b"].allow: must be true or false (got "maybe")',
        ),
        (
            '{"gateway": {"customBindHost": 5}}',
            "gateway.customBindHost: must be a string (got 5)",
        ),
        ('{"bindings": {}}', "bindings: must be a list (got {})"),
        ('{"gateway": {"auth": []}}', "gateway.auth: must be an object (got [])"),
        ('{"agents": {"list": [{"name": "x"}]}}', "agents.list[0].id: is required; add it"),
        (
            '{"channels": {"telegram": {"botToken": 5}}}',
            "channels.telegram.botToken: must be a string or a SecretRef object "
            "{source, provider, id} (got 5)",
        ),
        (
            '{"agents": {"list": [{"id": "a", "model": 3}]}}',
            'agents.list[0].model: must be a "provider/model" string or {primary, fallbacks} '
            "(got 3)",
        ),
        (
            '{"channels": {"telegram": {"dmPolicy": "open", "allowFrom": [1]}}}',
            'channels.telegram.dmPolicy: dmPolicy "open" lets anyone message the bot; add "*" '
            'to allowFrom to confirm, or use "pairing" or "allowlist"',
        ),
        (
            '{"channels": {"discord": {"dm": {"policy": "open"}}}}',
            'channels.discord.dm.policy: dmPolicy "open" lets anyone message the bot; add "*" '
            'to allowFrom to confirm, or use "pairing" or "allowlist"',
        ),
    ],
)
def test_each_kind_of_validation_problem_is_one_clear_line(text: str, line: str) -> None:
    assert problems(text) == [line]


def test_open_dm_with_a_wildcard_is_fine() -> None:
    text = '{"channels": {"discord": {"dmPolicy": "open", "allowFrom": ["*"]}}}'
    assert problems(text) == []


def test_includes_are_expanded_relative_to_the_file_and_kept_in_the_document(
    tmp_path: Path,
) -> None:
    (tmp_path / "agents.json5").write_text("[{id: 'inc'}]")
    path = tmp_path / "epiloop.json"
    path.write_text('{"agents": {"list": {"$include": "./agents.json5"}}}')
    result = load_file(path, environ={})
    assert result.config is not None and result.config.agents.list[0].id == "inc"
    assert (result.document or {})["agents"]["list"] == {"$include": "./agents.json5"}


def test_a_missing_include_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "epiloop.json"
    path.write_text('{"broadcast": {"$include": "nope.json5"}}')
    assert load_file(path, environ={}).errors == [
        f"broadcast.$include: nope.json5 not found (looked in {tmp_path}); create it"
    ]


def test_a_missing_file_is_reported(tmp_path: Path) -> None:
    result = load_file(tmp_path / "none.json", environ={})
    assert result.missing and not result.ok


def test_resolved_tokens_are_redacted_from_logs() -> None:
    from config.secrets import redact

    load_text('{"channels": {"discord": {"token": "${DISCORD_TOKEN}"}}}', environ=ENV)
    assert redact("connecting with test-token-abc") == "connecting with ***"
