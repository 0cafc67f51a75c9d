"""Every Telegram access rule of issue 5 point 3, as pure decisions."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from agents.inbound import InboundMessage
from channels_app.policy import decide
from channels_app.policy.dm import PairingAttempt
from config.schema import EpiloopConfig


class MemoryStore:
    def __init__(self, approved: set[str] | None = None) -> None:
        self.approved = approved or set()
        self.codes: dict[str, str] = {}

    def is_approved(self, inbound: InboundMessage) -> bool:
        return inbound.sender_id in self.approved

    def request(self, inbound: InboundMessage) -> PairingAttempt:
        if inbound.sender_id in self.codes:
            return PairingAttempt(code=self.codes[inbound.sender_id])
        self.codes[inbound.sender_id] = "ABCD2345"
        return PairingAttempt(code="ABCD2345", created=True)


DM = InboundMessage(
    channel="telegram",
    chat_kind="dm",
    chat_id="42",
    sender_id="42",
    sender_username="alice",
    sender_name="Alice",
    text="hi",
)
GROUP = InboundMessage(
    channel="telegram",
    chat_kind="group",
    chat_id="-100123",
    sender_id="42",
    sender_username="alice",
    sender_name="Alice",
    text="hello all",
)


def cfg(telegram: dict[str, Any], **rest: Any) -> EpiloopConfig:
    return EpiloopConfig.model_validate({"channels": {"telegram": telegram}, **rest})


def test_an_unknown_dm_sender_gets_a_pairing_code_by_default() -> None:
    store = MemoryStore()
    decision = decide(DM, cfg({}), store)
    assert not decision.allowed
    assert "ABCD2345" in decision.reply
    assert "pairing" in decision.reason


def test_a_paired_dm_sender_is_answered() -> None:
    assert decide(DM, cfg({}), MemoryStore(approved={"42"})).allowed


def test_dm_allowlist_accepts_numeric_ids_and_usernames() -> None:
    store = MemoryStore()
    for entry in (42, "42", "@alice", "@Alice", "tg:42", "telegram:42"):
        config = cfg({"dmPolicy": "allowlist", "allowFrom": [entry]})
        assert decide(DM, config, store).allowed, entry


def test_dm_allowlist_refuses_others_without_a_code() -> None:
    decision = decide(DM, cfg({"dmPolicy": "allowlist", "allowFrom": ["@bob"]}), MemoryStore())
    assert not decision.allowed
    assert decision.reply == ""
    assert "allowFrom" in decision.reason


def test_a_display_name_is_not_an_identity() -> None:
    impostor = replace(DM, sender_id="666", sender_username="mallory", sender_name="alice")
    decision = decide(
        impostor, cfg({"dmPolicy": "allowlist", "allowFrom": ["alice"]}), MemoryStore()
    )
    assert not decision.allowed


def test_open_and_disabled_dm_policies() -> None:
    assert decide(DM, cfg({"dmPolicy": "open", "allowFrom": ["*"]}), MemoryStore()).allowed
    decision = decide(DM, cfg({"dmPolicy": "disabled"}), MemoryStore())
    assert not decision.allowed and "disabled" in decision.reason


def test_the_older_nested_dm_block_still_works() -> None:
    config = cfg({"dm": {"policy": "allowlist", "allowFrom": ["@alice"]}})
    assert decide(DM, config, MemoryStore()).allowed
    assert not decide(
        replace(DM, sender_id="7", sender_username="bob"), config, MemoryStore()
    ).allowed


def test_a_group_that_is_not_listed_is_dropped_by_default() -> None:
    decision = decide(replace(GROUP, mentions_bot=True), cfg({}), MemoryStore())
    assert not decision.allowed
    assert decision.reason.startswith("group not allowlisted")


def test_a_listed_group_needs_a_mention_by_default() -> None:
    config = cfg({"groups": {"-100123": {}}})
    decision = decide(GROUP, config, MemoryStore())
    assert not decision.allowed and decision.reason.startswith("no mention")
    assert decide(replace(GROUP, mentions_bot=True), config, MemoryStore()).allowed
    assert decide(replace(GROUP, reply_to_bot=True), config, MemoryStore()).allowed


def test_mention_patterns_count_as_a_mention() -> None:
    config = cfg({"groups": {"*": {}}}, messages={"groupChat": {"mentionPatterns": [r"\bclawd\b"]}})
    assert decide(replace(GROUP, text="hey Clawd, help"), config, MemoryStore()).allowed
    assert not decide(replace(GROUP, text="hey clawdia"), config, MemoryStore()).allowed


def test_require_mention_false_answers_every_message() -> None:
    config = cfg({"groups": {"-100123": {"requireMention": False}}})
    assert decide(GROUP, config, MemoryStore()).allowed


def test_the_wildcard_group_rule_applies_to_unlisted_groups() -> None:
    config = cfg({"groups": {"*": {"requireMention": False, "systemPrompt": "Be brief."}}})
    decision = decide(replace(GROUP, chat_id="-999"), config, MemoryStore())
    assert decision.allowed and decision.system_prompt == "Be brief."


def test_a_specific_group_rule_wins_over_the_wildcard() -> None:
    config = cfg(
        {
            "groups": {
                "*": {"requireMention": False, "systemPrompt": "general"},
                "-100123": {"requireMention": True, "systemPrompt": "specific"},
            }
        }
    )
    assert not decide(GROUP, config, MemoryStore()).allowed
    decision = decide(replace(GROUP, mentions_bot=True), config, MemoryStore())
    assert decision.system_prompt == "specific"


def test_a_sender_in_group_allow_from_may_use_any_group() -> None:
    config = cfg({"groupAllowFrom": ["@alice"]})
    assert decide(replace(GROUP, mentions_bot=True), config, MemoryStore()).allowed
    bob = replace(GROUP, mentions_bot=True, sender_id="7", sender_username="bob")
    assert not decide(bob, config, MemoryStore()).allowed


def test_a_group_rule_allow_from_restricts_senders() -> None:
    config = cfg({"groups": {"-100123": {"allowFrom": [42], "requireMention": False}}})
    assert decide(GROUP, config, MemoryStore()).allowed
    bob = replace(GROUP, sender_id="7", sender_username="bob")
    decision = decide(bob, config, MemoryStore())
    assert not decision.allowed and "allowFrom" in decision.reason


def test_a_disabled_group_is_dropped() -> None:
    config = cfg({"groups": {"-100123": {"enabled": False, "requireMention": False}}})
    decision = decide(GROUP, config, MemoryStore())
    assert not decision.allowed and "disabled" in decision.reason


def test_group_policy_open_and_disabled() -> None:
    mentioned = replace(GROUP, mentions_bot=True)
    assert decide(mentioned, cfg({"groupPolicy": "open"}), MemoryStore()).allowed
    assert not decide(GROUP, cfg({"groupPolicy": "open"}), MemoryStore()).allowed
    decision = decide(mentioned, cfg({"groupPolicy": "disabled"}), MemoryStore())
    assert not decision.allowed and "disabled" in decision.reason


def test_messages_from_bots_are_dropped() -> None:
    config = cfg({"groupPolicy": "open", "groups": {"*": {"requireMention": False}}})
    assert not decide(replace(GROUP, sender_is_bot=True), config, MemoryStore()).allowed


def test_dms_switched_off_in_the_older_dm_block_are_dropped_with_the_reason() -> None:
    decision = decide(
        DM, cfg({"dm": {"enabled": False}, "dmPolicy": "open", "allowFrom": ["*"]}), MemoryStore()
    )
    assert not decision.allowed
    assert decision.reason == "DMs are disabled (dm.enabled is false)"
