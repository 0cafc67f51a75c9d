from __future__ import annotations

from typing import Any

from agents.tools import policy
from agents.tools.policy import Policy
from config.schema import EpiloopConfig

TOOLS = {
    "read": "fs",
    "write": "fs",
    "exec": "runtime",
    "message": "messaging",
    "sessions_list": "sessions",
    "sessions_spawn": "sessions",
    "session_status": "sessions",
    "web_fetch": "web",
    "image": "media",
}


def allowed(p: Policy | policy.Grant) -> set[str]:
    return {name for name, group in TOOLS.items() if p.permits(name, group)}


def cfg(doc: dict[str, Any]) -> EpiloopConfig:
    return EpiloopConfig.model_validate(doc)


def test_no_profile_means_every_tool() -> None:
    assert allowed(Policy()) == set(TOOLS)
    assert allowed(Policy("full")) == set(TOOLS)


def test_minimal_profile_offers_session_status_only() -> None:
    assert allowed(Policy("minimal")) == {"session_status"}


def test_coding_profile_offers_files_runtime_sessions_and_image() -> None:
    assert allowed(Policy("coding")) == {
        "read",
        "write",
        "exec",
        "sessions_list",
        "sessions_spawn",
        "session_status",
        "image",
    }


def test_messaging_profile_offers_messaging_and_some_session_tools() -> None:
    assert allowed(Policy("messaging")) == {"message", "sessions_list", "session_status"}


def test_allow_adds_to_a_profile() -> None:
    assert allowed(Policy("minimal", allow=("web_*",))) == {"session_status", "web_fetch"}


def test_allow_without_a_profile_is_the_whole_allowlist() -> None:
    assert allowed(Policy(allow=("group:fs", "IMAGE"))) == {"read", "write", "image"}
    assert allowed(Policy(allow=())) == set()


def test_deny_wins_over_profile_and_allow() -> None:
    p = Policy("coding", allow=("exec",), deny=("group:runtime", "Sessions_*"))
    assert allowed(p) == {"read", "write", "session_status", "image"}


def test_wildcards_and_groups_match_case_insensitively() -> None:
    assert policy.matches("*", "anything", "")
    assert policy.matches("WEB_*", "web_fetch", "web")
    assert policy.matches("group:FS", "read", "fs")
    assert not policy.matches("group:fs", "exec", "runtime")
    assert not policy.matches("read", "reader", "fs")
    assert policy.matches("group:openclaw", "read", "fs", builtin=True)
    assert not policy.matches("group:openclaw", "srv__tool", "mcp", builtin=False)


def test_an_agents_profile_and_allow_replace_the_global_ones_and_its_deny_adds() -> None:
    config = cfg(
        {
            "tools": {"profile": "minimal", "allow": ["image"], "deny": ["write"]},
            "agents": {
                "list": [
                    {"id": "main"},
                    {"id": "dev", "tools": {"profile": "coding", "deny": ["exec"]}},
                    {"id": "web", "tools": {"allow": ["web_fetch"]}},
                ]
            },
        }
    )
    assert allowed(policy.agent_policy(config, "main")) == {"session_status", "image"}
    assert allowed(policy.agent_policy(config, "dev")) == {
        "read",
        "sessions_list",
        "sessions_spawn",
        "session_status",
        "image",
    }
    assert allowed(policy.agent_policy(config, "web")) == {"session_status", "web_fetch"}


def test_owners_match_with_or_without_the_channel_prefix() -> None:
    config = cfg({"agents": {"list": [{"id": "main", "owners": ["discord:123", "777"]}]}})
    assert policy.is_owner(config, "main", "discord", "123")
    assert not policy.is_owner(config, "main", "telegram", "123")
    assert policy.is_owner(config, "main", "telegram", "777")
    assert not policy.is_owner(config, "main", "discord", "999")
    assert not policy.is_owner(config, "other", "discord", "123")
    assert not policy.is_owner(config, "main", "discord", "")


def test_the_operator_and_owners_get_the_agents_policy() -> None:
    config = cfg({"tools": {"profile": "coding"}})
    assert "exec" in allowed(policy.grant(config, "main", owner=True))


def test_strangers_get_the_guest_profile_which_defaults_to_messaging() -> None:
    config = cfg({})
    assert allowed(policy.grant(config, "main", owner=False)) == {
        "message",
        "sessions_list",
        "session_status",
    }


def test_the_guest_profile_is_further_limited_by_the_agents_policy() -> None:
    config = cfg({"tools": {"guestProfile": "coding", "deny": ["exec"], "profile": "coding"}})
    guest = allowed(policy.grant(config, "main", owner=False))
    assert "exec" not in guest and "read" in guest
    narrow = cfg({"tools": {"guestProfile": "full", "profile": "minimal"}})
    assert allowed(policy.grant(narrow, "main", owner=False)) == {"session_status"}
