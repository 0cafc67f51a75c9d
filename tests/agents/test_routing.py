from __future__ import annotations

import logging
from typing import Any

import pytest

from agents.routing import resolve_route, session_key
from tests.agents.helpers import dm, guild_msg, install, tg_group

AGENTS = {
    "list": [
        {"id": "main", "default": True},
        {"id": "peer"},
        {"id": "guild"},
        {"id": "team"},
        {"id": "account"},
        {"id": "wide"},
    ]
}


def bind(agent: str, **match: Any) -> dict[str, Any]:
    return {"agentId": agent, "match": match}


ALL_TIERS = [
    bind("wide", channel="discord", accountId="*"),
    bind("account", channel="discord", accountId="default"),
    bind("team", channel="discord", teamId="t1"),
    bind("guild", channel="discord", guildId="g1"),
    bind("peer", channel="discord", peer={"kind": "channel", "id": "c1"}),
]


def test_no_bindings_routes_to_the_default_agent() -> None:
    install({"agents": AGENTS})
    route = resolve_route(guild_msg())
    assert (route.agent_id, route.matched_by) == ("main", "default")


def test_default_agent_is_the_first_listed_when_none_is_marked_default() -> None:
    install({"agents": {"list": [{"id": "alpha"}, {"id": "beta"}]}})
    assert resolve_route(dm()).agent_id == "alpha"


def test_without_any_agents_the_default_is_main() -> None:
    install({})
    assert resolve_route(dm()).agent_id == "main"


@pytest.mark.parametrize(
    ("inbound", "expected"),
    [
        (guild_msg(chat="c1", guild="g1", team_id="t1"), ("peer", "peer")),
        (guild_msg(chat="c2", guild="g1", team_id="t1"), ("guild", "guild")),
        (guild_msg(chat="c2", guild="g2", team_id="t1"), ("team", "team")),
        (guild_msg(chat="c2", guild="g2"), ("account", "account")),
    ],
)
def test_the_most_specific_tier_wins_whatever_the_file_order(
    inbound: Any, expected: tuple[str, str]
) -> None:
    install({"agents": AGENTS, "bindings": ALL_TIERS})
    route = resolve_route(inbound)
    assert (route.agent_id, route.matched_by) == expected


def test_channel_wide_binding_catches_what_nothing_else_matched() -> None:
    install({"agents": AGENTS, "bindings": [bind("wide", channel="discord")]})
    route = resolve_route(guild_msg(chat="zz", guild="other"))
    assert (route.agent_id, route.matched_by) == ("wide", "channel")


def test_star_account_binding_matches_other_accounts_but_a_plain_one_only_the_default() -> None:
    install(
        {
            "agents": AGENTS,
            "bindings": [
                bind("account", channel="telegram"),
                bind("wide", channel="telegram", accountId="*"),
            ],
        }
    )
    assert resolve_route(tg_group()).agent_id == "account"
    assert resolve_route(tg_group(account_id="work")).agent_id == "wide"


def test_account_binding_picks_the_agent_per_bot_account() -> None:
    install(
        {
            "agents": AGENTS,
            "bindings": [
                bind("peer", channel="telegram", accountId="emba"),
                bind("account", channel="telegram", accountId="default"),
            ],
        }
    )
    assert resolve_route(tg_group(account_id="emba")).agent_id == "peer"
    assert resolve_route(tg_group()).agent_id == "account"


def test_bindings_for_another_channel_are_ignored() -> None:
    install({"agents": AGENTS, "bindings": [bind("peer", channel="telegram")]})
    assert resolve_route(guild_msg()).matched_by == "default"


def test_within_a_tier_the_first_binding_in_the_file_wins() -> None:
    install(
        {
            "agents": AGENTS,
            "bindings": [
                bind("guild", channel="discord", guildId="g1"),
                bind("team", channel="discord", guildId="g1"),
            ],
        }
    )
    route = resolve_route(guild_msg())
    assert (route.agent_id, route.binding_index) == ("guild", 0)


def test_dm_peer_binding_matches_the_sender_with_direct_or_dm_kind() -> None:
    install(
        {
            "agents": AGENTS,
            "bindings": [bind("peer", channel="telegram", peer={"kind": "direct", "id": "7"})],
        }
    )
    assert resolve_route(dm("7", channel="telegram")).agent_id == "peer"
    assert resolve_route(dm("8", channel="telegram")).agent_id == "main"


def test_peer_binding_with_guild_needs_both_to_match() -> None:
    install(
        {
            "agents": AGENTS,
            "bindings": [
                bind("peer", channel="discord", guildId="g1", peer={"kind": "channel", "id": "c1"})
            ],
        }
    )
    assert resolve_route(guild_msg(chat="c1", guild="g1")).agent_id == "peer"
    assert resolve_route(guild_msg(chat="c1", guild="g9")).agent_id == "main"


def test_thread_uses_its_parent_channel_peer_binding() -> None:
    install(
        {
            "agents": AGENTS,
            "bindings": [bind("peer", channel="discord", peer={"kind": "channel", "id": "c1"})],
        }
    )
    route = resolve_route(guild_msg(chat="thread-9", parent_chat_id="c1"))
    assert route.agent_id == "peer"
    assert route.session_key == "agent:peer:discord:channel:thread-9"


def test_unknown_agent_falls_back_to_the_default_with_one_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    install({"agents": AGENTS, "bindings": [bind("ghost", channel="discord")]})
    with caplog.at_level(logging.WARNING, logger="epiloop.agent"):
        first = resolve_route(guild_msg())
        resolve_route(guild_msg())
    assert first.agent_id == "main"
    assert "ghost" in first.warning
    assert len([r for r in caplog.records if "ghost" in r.getMessage()]) == 1


@pytest.mark.parametrize(
    ("scope", "key"),
    [
        (None, "agent:main:discord:dm:42"),
        ("per-channel-peer", "agent:main:discord:dm:42"),
        ("per-peer", "agent:main:dm:42"),
        ("main", "agent:main:main"),
        ("per-account-channel-peer", "agent:main:discord:default:dm:42"),
    ],
)
def test_dm_session_key_follows_dm_scope(scope: str | None, key: str) -> None:
    install({"session": {"dmScope": scope}} if scope else {})
    assert resolve_route(dm("42")).session_key == key


def test_group_session_keys_name_the_channel_and_chat() -> None:
    install({"session": {"dmScope": "main"}})
    assert resolve_route(guild_msg(chat="555")).session_key == "agent:main:discord:channel:555"
    assert resolve_route(tg_group("-1001")).session_key == "agent:main:telegram:group:-1001"
    assert (
        session_key("x", tg_group("-1001", thread_id="3")) == "agent:x:telegram:group:-1001:topic:3"
    )


def test_model_aliases_from_agents_defaults_models_resolve_to_refs() -> None:
    from agents.agentconf import candidates

    install(
        {
            "agents": {
                "defaults": {
                    "model": {"primary": "GPT", "fallbacks": ["openai/o4-mini"]},
                    "models": {"openai/gpt-5.4-mini": {"alias": "GPT"}},
                }
            }
        }
    )
    assert [str(r) for r in candidates("main")] == ["openai/gpt-5.4-mini", "openai/o4-mini"]
