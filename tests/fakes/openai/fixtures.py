"""pytest fixtures: one fake OpenAI server per test session, reset before each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.openai.server import FakeOpenAI


@pytest.fixture(scope="session")
def fake_openai_server() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI().start()
    yield server
    server.stop()


@pytest.fixture
def fake_openai(fake_openai_server: FakeOpenAI) -> FakeOpenAI:
    fake_openai_server.reset()
    return fake_openai_server
