"""pytest fixture for the fake Telegram Bot API (import it in a conftest)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.telegram.server import FakeTelegram


@pytest.fixture
def fake_telegram() -> Iterator[FakeTelegram]:
    fake = FakeTelegram().start()
    try:
        yield fake
    finally:
        fake.stop()
