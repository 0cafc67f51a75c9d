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


def make_fake() -> FakeDiscord:
    fake = FakeDiscord()
    fake.add_guild(
        GUILD_ID,
        "Friends of Clawd",
        {"general": GENERAL, "random": RANDOM},
        {THREAD: ("plans", GENERAL)},
    )
    return fake.start()


@pytest.fixture
def fake_discord() -> Iterator[FakeDiscord]:
    fake = make_fake()
    try:
        yield fake
    finally:
        fake.stop()
