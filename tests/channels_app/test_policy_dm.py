"""Allowlist entries name a sender by id or user name, in each platform's spellings (the
prefixes come from the registry)."""

from __future__ import annotations

import pytest

from agents.inbound import InboundMessage
from channels_app.policy.dm import sender_matches

ALICE = InboundMessage(
    channel="discord",
    chat_kind="dm",
    chat_id="9",
    sender_id="123",
    text="hi",
    sender_username="alice",
)


@pytest.mark.parametrize(
    "entry",
    ["123", "user:123", "<@123>", "<@!123>", "discord:123", "tg:123", "TELEGRAM:123", "@Alice"],
)
def test_an_allowlist_entry_names_the_sender_in_any_spelling(entry: str) -> None:
    assert sender_matches(ALICE, [entry])


@pytest.mark.parametrize("entry", ["1234", "<@124>", "discord:12", "slack:123", "bob"])
def test_an_entry_naming_someone_else_does_not_match(entry: str) -> None:
    assert not sender_matches(ALICE, [entry])
