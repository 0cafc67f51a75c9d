"""Playwright with the system Chromium against real rungateway processes.

Run on their own: `pytest -m browser` (sync Playwright and pytest-asyncio do not share a
process well). Each screen is saved under test-artifacts/ for a human to look at.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.openai import fixtures as openai_fixtures
from tests.support.gateway import REPO, GatewayProcess, start_gateway

TOKEN = "test-token-browser-1234"
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CONFIG: dict[str, Any] = {
    "gateway": {"mode": "local"},
    "agents": {
        "defaults": {"model": {"primary": "openai/gpt-4o-mini"}},
        "list": [{"id": "main", "default": True, "name": "Main"}, {"id": "ops", "name": "Ops"}],
    },
}

fake_openai_server = openai_fixtures.fake_openai_server
fake_openai = openai_fixtures.fake_openai


@pytest.fixture(scope="session", autouse=True)
def _allow_sync_orm() -> None:
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip("no /usr/bin/chromium: apt-get install -y chromium (scripts/test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def ui_gateway(
    tmp_path_factory: pytest.TempPathFactory, fake_openai_server: Any
) -> Iterator[GatewayProcess]:
    gw = start_gateway(
        tmp_path_factory.mktemp("ui-gateway"),
        "--no-channels",
        env={
            "EPILOOP_GATEWAY_TOKEN": TOKEN,
            "OPENAI_API_KEY": "sk-test-fake-key",
            "OPENAI_BASE_URL": fake_openai_server.url + "/v1",
        },
        config=CONFIG,
    )
    yield gw
    gw.stop()


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"control-{name}.png"), full_page=True)
