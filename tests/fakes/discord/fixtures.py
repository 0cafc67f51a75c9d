"""`fake_discord`: a running fake Discord with one guild (`111`, "Friends of Clawd") whose
channels are `general` (900) and `random` (901), plus a thread (950) under `general`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.discord.server import FakeDiscord

GUILD_ID = "111"
GENERAL = "900"
RANDOM = "901"
THREAD = "950"


@pytest.fixture
def fake_discord() -> Iterator[FakeDiscord]:
    fake = FakeDiscord()
    fake.add_guild(
        GUILD_ID,
        "Friends of Clawd",
        {"general": GENERAL, "random": RANDOM},
        {THREAD: ("plans", GENERAL)},
    )
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()
