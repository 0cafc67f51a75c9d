"""pytest fixtures: one fake site and fake search APIs per session, reset before each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.web.search import FakeBrave, FakeSearxng
from tests.fakes.web.site import FakeSite


@pytest.fixture(scope="session")
def fake_site_server() -> Iterator[FakeSite]:
    server = FakeSite().start()
    yield server
    server.stop()


@pytest.fixture
def fake_site(fake_site_server: FakeSite) -> FakeSite:
    fake_site_server.reset()
    return fake_site_server


@pytest.fixture(scope="session")
def fake_brave_server() -> Iterator[FakeBrave]:
    server = FakeBrave().start()
    yield server
    server.stop()


@pytest.fixture
def fake_brave(fake_brave_server: FakeBrave) -> FakeBrave:
    fake_brave_server.reset()
    return fake_brave_server


@pytest.fixture(scope="session")
def fake_searxng_server() -> Iterator[FakeSearxng]:
    server = FakeSearxng().start()
    yield server
    server.stop()


@pytest.fixture
def fake_searxng(fake_searxng_server: FakeSearxng) -> FakeSearxng:
    fake_searxng_server.reset()
    return fake_searxng_server
