"""Every Discord access rule of DESIGN §9 / issue 4 points 2-3, as pure decisions."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from pydantic import ValidationError

from agents.inbound import InboundMessage
from channels_app.policy import decide
from channels_app.policy.dm import PairingAttempt
from config.schema import EpiloopConfig


class MemoryStore:
    def __init__(self, approved: set[str] | None = None, full: bool = False) -> None:
        self.approved = approved or set()
        self.codes: dict[str, str] = {}
        self.full = full

    def is_approved(self, inbound: InboundMessage) -> bool:
        return inbound.sender_id in self.approved

    def request(self, inbound: InboundMessage) -> PairingAttempt:
        if inbound.sender_id in self.codes:
            return PairingAttempt(code=self.codes[inbound.sender_id])
        if self.full:
            return PairingAttempt(full=True)
        self.codes[inbound.sender_id] = "ABCD2345"
        return PairingAttempt(code="ABCD2345", created=True)


GUIDE = {
    "channels": {
        "discord": {
            "enabled": True,
            "groupPolicy": "allowlist",
            "guilds": {"111": {"channels": {"general": {"allow": True}}, "requireMention": False}},
        }
    }
}


def cfg(discord: dict[str, Any] | None = None, **top: Any) -> EpiloopConfig:
    doc: dict[str, Any] = dict(top)
    if discord is not None:
        doc["channels"] = {"discord": discord}
    return EpiloopConfig.model_validate(doc)


def msg(**kw: Any) -> InboundMessage:
    base = InboundMessage(
        channel="discord",
        chat_kind="channel",
        chat_id="900",
        chat_name="general",
        guild_id="111",
        guild_name="Friends of Clawd",
        sender_id="42",
        sender_name="alice",
        text="hello there",
    )
    return replace(base, **kw)


def verdict(inbound: InboundMessage, config: EpiloopConfig, store: Any = None) -> tuple[bool, str]:
    d = decide(inbound, config, store or MemoryStore())
    return d.allowed, d.reason


def test_the_guide_config_answers_in_general_without_a_mention() -> None:
    assert verdict(msg(), EpiloopConfig.model_validate(GUIDE))[0] is True


def test_the_guide_config_drops_other_channels_of_the_guild() -> None:
    allowed, reason = verdict(
        msg(chat_id="901", chat_name="random"), cfg(GUIDE["channels"]["discord"])
    )
    assert not allowed and reason == "channel not allowlisted in this guild"


def test_an_unlisted_guild_is_dropped_under_allowlist() -> None:
    allowed, reason = verdict(
        msg(guild_id="222", guild_name="Other"), cfg(GUIDE["channels"]["discord"])
    )
    assert not allowed and reason == "guild not allowlisted (groupPolicy allowlist)"


def test_allowlist_is_the_default_group_policy() -> None:
    allowed, reason = verdict(msg(), cfg({}))
    assert not allowed and "guild not allowlisted" in reason


def test_no_discord_section_means_allowlist_too() -> None:
    assert verdict(msg(), cfg())[0] is False


def test_open_group_policy_answers_unlisted_guilds_when_mentioned() -> None:
    config = cfg({"groupPolicy": "open"})
    assert verdict(msg(), config) == (False, "no mention (requireMention)")
    assert verdict(msg(mentions_bot=True), config)[0] is True


def test_disabled_group_policy_drops_every_guild_message() -> None:
    config = cfg({"groupPolicy": "disabled", "guilds": {"111": {"requireMention": False}}})
    assert verdict(msg(), config) == (False, "guild messages are disabled (groupPolicy disabled)")


def test_guild_matches_by_slug_of_its_name() -> None:
    config = cfg({"guilds": {"friends-of-clawd": {"requireMention": False}}})
    assert verdict(msg(guild_id="999"), config)[0] is True


def test_guild_matches_by_its_slug_field() -> None:
    config = cfg({"guilds": {"123": {"slug": "friends-of-clawd", "requireMention": False}}})
    assert verdict(msg(guild_id="999"), config)[0] is True


def test_guild_id_wins_over_slug_and_wildcard() -> None:
    config = cfg(
        {
            "guilds": {
                "*": {"requireMention": False},
                "friends-of-clawd": {"requireMention": False},
                "111": {"requireMention": True},
            }
        }
    )
    assert verdict(msg(), config) == (False, "no mention (requireMention)")


def test_wildcard_guild_matches_any_guild() -> None:
    config = cfg({"guilds": {"*": {"requireMention": False}}})
    assert verdict(msg(guild_id="5", guild_name="Anything"), config)[0] is True


def test_a_guild_without_channels_allows_all_its_channels() -> None:
    config = cfg({"guilds": {"111": {"requireMention": False}}})
    assert verdict(msg(chat_id="77", chat_name="whatever"), config)[0] is True


def test_channel_matches_by_id_then_name_then_wildcard() -> None:
    by_id = cfg({"guilds": {"111": {"requireMention": False, "channels": {"900": {}}}}})
    assert verdict(msg(chat_name="renamed"), by_id)[0] is True
    by_hash_name = cfg({"guilds": {"111": {"requireMention": False, "channels": {"#general": {}}}}})
    assert verdict(msg(), by_hash_name)[0] is True
    star = cfg({"guilds": {"111": {"requireMention": False, "channels": {"*": {}}}}})
    assert verdict(msg(chat_id="1", chat_name="x"), star)[0] is True


def test_a_channel_with_allow_false_is_dropped_even_with_a_wildcard() -> None:
    config = cfg(
        {
            "guilds": {
                "111": {
                    "requireMention": False,
                    "channels": {"*": {"allow": True}, "general": {"allow": False}},
                }
            }
        }
    )
    assert verdict(msg(), config) == (False, "channel not allowed (allow: false)")


def test_a_channel_with_enabled_false_is_silenced() -> None:
    config = cfg(
        {"guilds": {"111": {"requireMention": False, "channels": {"general": {"enabled": False}}}}}
    )
    assert verdict(msg(), config) == (False, "channel disabled (enabled: false)")


def test_threads_use_their_parent_channel_rule() -> None:
    config = cfg(GUIDE["channels"]["discord"])
    thread = msg(
        chat_id="5000", chat_name="a thread", parent_chat_id="900", parent_chat_name="general"
    )
    assert verdict(thread, config)[0] is True
    stray = msg(
        chat_id="5001", chat_name="general", parent_chat_id="901", parent_chat_name="random"
    )
    assert verdict(stray, config)[0] is False


def test_guild_users_restrict_senders() -> None:
    config = cfg({"guilds": {"111": {"requireMention": False, "users": ["7"]}}})
    assert verdict(msg(), config) == (False, "sender not in users allowlist")
    assert verdict(msg(sender_id="7"), config)[0] is True


def test_channel_users_override_guild_users() -> None:
    config = cfg(
        {
            "guilds": {
                "111": {
                    "requireMention": False,
                    "users": ["7"],
                    "channels": {"general": {"users": ["42"]}},
                }
            }
        }
    )
    assert verdict(msg(sender_id="42"), config)[0] is True
    assert verdict(msg(sender_id="7"), config)[0] is False


def test_users_may_be_given_by_name_or_mention_syntax() -> None:
    config = cfg({"guilds": {"111": {"requireMention": False, "users": ["<@42>", "bob"]}}})
    assert verdict(msg(), config)[0] is True
    assert verdict(msg(sender_id="8", sender_name="Bob"), config)[0] is True


def test_require_mention_defaults_to_true() -> None:
    config = cfg({"guilds": {"111": {}}})
    assert verdict(msg(), config) == (False, "no mention (requireMention)")


def test_require_mention_channel_wins_over_guild() -> None:
    config = cfg(
        {
            "guilds": {
                "111": {"requireMention": True, "channels": {"general": {"requireMention": False}}}
            }
        }
    )
    assert verdict(msg(), config)[0] is True
    config = cfg(
        {
            "guilds": {
                "111": {"requireMention": False, "channels": {"general": {"requireMention": True}}}
            }
        }
    )
    assert verdict(msg(), config)[0] is False


def test_a_mention_or_a_reply_to_the_bot_counts() -> None:
    config = cfg({"guilds": {"111": {}}})
    assert verdict(msg(mentions_bot=True), config)[0] is True
    assert verdict(msg(reply_to_bot=True), config)[0] is True


def test_mention_patterns_count_as_a_mention() -> None:
    config = cfg(
        {"guilds": {"111": {}}}, messages={"groupChat": {"mentionPatterns": [r"\bclawd\b"]}}
    )
    assert verdict(msg(text="hey Clawd, help"), config)[0] is True
    assert verdict(msg(text="hey clawdia"), config)[0] is False


def test_an_invalid_mention_pattern_is_ignored_not_fatal() -> None:
    config = cfg({"guilds": {"111": {}}, "mentionPatterns": ["(", "bot"]})
    assert verdict(msg(text="bot?"), config)[0] is True


def test_the_channel_system_prompt_comes_with_the_decision() -> None:
    config = cfg(
        {
            "guilds": {
                "111": {
                    "requireMention": False,
                    "channels": {"general": {"systemPrompt": "Short answers only."}},
                }
            }
        }
    )
    assert decide(msg(), config, MemoryStore()).system_prompt == "Short answers only."


def test_the_bot_ignores_itself_quietly() -> None:
    d = decide(
        msg(sender_is_self=True, sender_is_bot=True),
        EpiloopConfig.model_validate(GUIDE),
        MemoryStore(),
    )
    assert not d.allowed and d.quiet


def test_other_bots_are_dropped_unless_allow_bots() -> None:
    section = dict(GUIDE["channels"]["discord"])
    assert verdict(msg(sender_is_bot=True), cfg(section)) == (
        False,
        "sender is a bot (allowBots is off)",
    )
    assert verdict(msg(sender_is_bot=True), cfg({**section, "allowBots": True}))[0] is True


# --- DMs ---------------------------------------------------------------------------------


def dm(**kw: Any) -> InboundMessage:
    return msg(chat_kind="dm", guild_id="", guild_name="", chat_id="d1", chat_name="", **kw)


def test_dm_pairing_is_the_default_and_sends_one_code() -> None:
    store = MemoryStore()
    first = decide(dm(), cfg({}), store)
    assert not first.allowed and "ABCD2345" in first.reply
    assert "pairing approve discord ABCD2345" in first.reply
    again = decide(dm(), cfg({}), store)
    assert not again.allowed and again.reply == "" and "pending" in again.reason


def test_a_paired_sender_is_answered() -> None:
    assert verdict(dm(), cfg({}), MemoryStore(approved={"42"}))[0] is True


def test_pairing_sends_no_code_when_three_are_pending() -> None:
    d = decide(dm(), cfg({}), MemoryStore(full=True))
    assert not d.allowed and d.reply == "" and "3 codes are already pending" in d.reason


def test_dm_allowlist_answers_listed_senders_only() -> None:
    config = cfg({"dmPolicy": "allowlist", "allowFrom": ["42"]})
    assert verdict(dm(), config)[0] is True
    d = decide(dm(sender_id="43"), config, MemoryStore())
    assert (
        not d.allowed
        and d.reply == ""
        and d.reason == "sender not in allowFrom (dmPolicy allowlist)"
    )


def test_nested_dm_block_works_like_the_flat_keys() -> None:
    config = cfg({"dm": {"policy": "allowlist", "allowFrom": ["42"]}})
    assert verdict(dm(), config)[0] is True
    assert verdict(dm(sender_id="9"), config)[0] is False


def test_allow_from_senders_skip_pairing() -> None:
    assert verdict(dm(), cfg({"dm": {"allowFrom": ["42"]}}))[0] is True


def test_dm_open_needs_a_wildcard() -> None:
    assert verdict(dm(sender_id="x"), cfg({"dmPolicy": "open", "allowFrom": ["*"]}))[0] is True
    with pytest.raises(ValidationError, match="allowFrom"):
        cfg({"dmPolicy": "open"})


def test_dm_disabled_drops_everything() -> None:
    assert verdict(dm(), cfg({"dmPolicy": "disabled"})) == (
        False,
        "DMs are disabled (dmPolicy disabled)",
    )
    assert verdict(dm(), cfg({"dm": {"enabled": False}}))[0] is False
