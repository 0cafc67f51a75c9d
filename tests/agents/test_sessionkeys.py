from __future__ import annotations

import pytest

from agents import sessionkeys
from agents.sessionkeys import SessionKey


def test_the_main_session_is_main_inside_the_agent() -> None:
    assert sessionkeys.main("ops") == "agent:ops:main"


def test_any_rest_goes_inside_the_agents_namespace() -> None:
    assert sessionkeys.key("ops", "cli") == "agent:ops:cli"


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        ("per-channel-peer", "agent:ops:discord:dm:42"),
        ("per-peer", "agent:ops:dm:42"),
        ("main", "agent:ops:main"),
        ("per-account-channel-peer", "agent:ops:discord:work:dm:42"),
    ],
)
def test_a_dm_key_follows_the_dm_scope(scope: str, expected: str) -> None:
    assert sessionkeys.dm("ops", "discord", "42", scope, "work") == expected


def test_a_dm_without_a_scope_is_per_channel_peer() -> None:
    assert sessionkeys.dm("ops", "telegram", "7") == "agent:ops:telegram:dm:7"


def test_an_unknown_dm_scope_counts_as_per_channel_peer() -> None:
    assert sessionkeys.dm("ops", "telegram", "7", "per-planet") == "agent:ops:telegram:dm:7"


def test_a_per_account_dm_names_the_default_account_when_none_is_given() -> None:
    assert (
        sessionkeys.dm("ops", "discord", "42", "per-account-channel-peer")
        == "agent:ops:discord:default:dm:42"
    )


def test_a_discord_channel_key_names_the_channel_id() -> None:
    assert sessionkeys.chat("ops", "discord", "channel", "555") == "agent:ops:discord:channel:555"


def test_a_telegram_group_key_names_the_chat_id() -> None:
    assert sessionkeys.chat("ops", "telegram", "group", "-1001") == "agent:ops:telegram:group:-1001"


def test_a_telegram_forum_topic_gets_its_own_key() -> None:
    assert (
        sessionkeys.chat("ops", "telegram", "group", "-1001", topic="3")
        == "agent:ops:telegram:group:-1001:topic:3"
    )


def test_an_openai_user_pins_one_session() -> None:
    assert sessionkeys.openai_user("ops", "bob") == "agent:ops:openai-user:bob"


def test_an_openai_request_without_a_user_gets_its_own_session() -> None:
    assert sessionkeys.openai_request("ops", "abc123") == "agent:ops:openai:abc123"


@pytest.mark.parametrize(
    ("built", "expected"),
    [
        (sessionkeys.main("ops"), SessionKey("ops", "main", kind="main")),
        (
            sessionkeys.dm("ops", "discord", "42", "per-peer"),
            SessionKey("ops", "dm:42", "dm", peer="42"),
        ),
        (
            sessionkeys.dm("ops", "discord", "42"),
            SessionKey("ops", "discord:dm:42", "dm", channel="discord", peer="42"),
        ),
        (
            sessionkeys.dm("ops", "discord", "42", "per-account-channel-peer", "work"),
            SessionKey("ops", "discord:work:dm:42", "dm", "discord", account_id="work", peer="42"),
        ),
        (
            sessionkeys.chat("ops", "discord", "channel", "555"),
            SessionKey("ops", "discord:channel:555", "channel", "discord", peer="555"),
        ),
        (
            sessionkeys.chat("ops", "telegram", "group", "-1001", topic="3"),
            SessionKey(
                "ops", "telegram:group:-1001:topic:3", "group", "telegram", peer="-1001", topic="3"
            ),
        ),
        (sessionkeys.openai_user("ops", "bob"), SessionKey("ops", "openai-user:bob")),
        (sessionkeys.key("ops", "cli"), SessionKey("ops", "cli")),
    ],
)
def test_every_built_key_parses_back_into_its_parts(built: str, expected: SessionKey) -> None:
    parsed = sessionkeys.parse(built)
    assert parsed == expected
    assert str(parsed) == built


def test_a_peer_with_colons_is_kept_whole() -> None:
    parsed = sessionkeys.parse("agent:ops:webchat:dm:a:b")
    assert parsed is not None
    assert (parsed.channel, parsed.peer) == ("webchat", "a:b")


@pytest.mark.parametrize("text", ["main", "cli", "agent:ops", "agent::main", "agents:ops:main", ""])
def test_short_forms_and_malformed_keys_do_not_parse(text: str) -> None:
    assert sessionkeys.parse(text) is None


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        (None, ("main", "agent:main:main")),
        ("", ("main", "agent:main:main")),
        ("  main ", ("main", "agent:main:main")),
        ("agent:ops:main", ("ops", "agent:ops:main")),
        (" agent:ops:telegram:dm:7 ", ("ops", "agent:ops:telegram:dm:7")),
        ("webchat:dm:tester", ("main", "agent:main:webchat:dm:tester")),
        ("agent:ops", ("main", "agent:main:agent:ops")),
    ],
)
def test_the_protocol_resolves_short_forms_against_the_default_agent(
    sent: str | None, expected: tuple[str, str]
) -> None:
    assert sessionkeys.resolve(sent, "main") == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("main", "agent:ops:main"),
        ("cli-test", "agent:ops:cli-test"),
        ("agent:main:main", "agent:main:main"),
        ("agent:x", "agent:x"),
    ],
)
def test_the_chat_command_takes_anything_starting_with_agent_as_a_full_key(
    given: str, expected: str
) -> None:
    assert sessionkeys.qualify(given, "ops") == expected
