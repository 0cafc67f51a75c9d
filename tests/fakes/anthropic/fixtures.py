"""pytest fixtures: one fake Anthropic server per test session, reset before each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.anthropic.server import FakeAnthropic


@pytest.fixture(scope="session")
def fake_anthropic_server() -> Iterator[FakeAnthropic]:
    server = FakeAnthropic().start()
    yield server
    server.stop()


@pytest.fixture
def fake_anthropic(fake_anthropic_server: FakeAnthropic) -> FakeAnthropic:
    fake_anthropic_server.reset()
    return fake_anthropic_server
