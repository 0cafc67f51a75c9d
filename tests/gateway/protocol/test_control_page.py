"""The Control UI page itself (its behaviour in a browser is in tests/browser/)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client

from config import runtime
from config.schema import EpiloopConfig

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def config() -> Iterator[None]:
    before = runtime.current()
    yield
    runtime.set_current(before)


def test_the_page_carries_every_test_hook_and_no_secrets() -> None:
    runtime.set_current(
        EpiloopConfig.model_validate({"gateway": {"auth": {"token": "s3cret-tok"}}})
    )
    response = Client().get("/")
    html = response.content.decode()
    assert response.status_code == 200
    for hook in (
        "token-input",
        "connect",
        "connection-state",
        "chat-input",
        "chat-send",
        "chat-abort",
        "chat-transcript",
        "channels",
        "sessions",
        "log",
        "config-status",
    ):
        assert f'data-testid="{hook}"' in html
    assert "s3cret-tok" not in html
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["X-Frame-Options"] == "DENY"


def test_the_page_is_off_when_the_config_says_so() -> None:
    runtime.set_current(
        EpiloopConfig.model_validate({"gateway": {"controlUi": {"enabled": False}}})
    )
    response = Client().get("/")
    assert response.status_code == 404
    assert "gateway.controlUi.enabled" in response.content.decode()
