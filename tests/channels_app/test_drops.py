"""Every drop is explained: a log line and a bounded table."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest

from agents.inbound import InboundMessage
from channels_app import drops
from channels_app.models import DroppedMessage

pytestmark = pytest.mark.django_db

MSG = InboundMessage(
    channel="discord",
    chat_kind="channel",
    chat_id="900",
    chat_name="random",
    guild_id="111",
    sender_id="42",
    sender_name="alice",
    text="hello",
)


def test_a_drop_is_logged_with_guild_channel_user_and_reason(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO, logger="epiloop.discord"):
        drops.record_drop(MSG, "no mention (requireMention)")
    assert "drop message 111/900 from 42: no mention (requireMention)" in caplog.messages


def test_a_drop_is_kept_with_its_reason() -> None:
    drops.record_drop(MSG, "channel not allowlisted in this guild")
    row = DroppedMessage.objects.get()
    assert (row.guild_id, row.chat_id, row.sender_name, row.reason) == (
        "111",
        "900",
        "alice",
        "channel not allowlisted in this guild",
    )


def test_only_the_newest_rows_are_kept() -> None:
    for i in range(30):
        drops.record_drop(replace(MSG, text=f"m{i}"), "r")
    drops.trim(keep=10)
    texts = list(DroppedMessage.objects.values_list("text", flat=True))
    assert texts == [f"m{i}" for i in range(29, 19, -1)]


def test_the_table_never_passes_the_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(drops, "KEEP", 5)
    monkeypatch.setattr(drops.trim, "__defaults__", (5,))
    for i in range(12):
        drops.record_drop(replace(MSG, text=f"m{i}"), "r")
    assert DroppedMessage.objects.count() == 5
