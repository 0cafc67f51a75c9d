"""Webhook routes: only registered paths are answered, by their own route."""

from __future__ import annotations

import logging
from collections.abc import Mapping

import pytest

from channels_app import webhooks


def test_only_a_registered_path_is_answered_and_by_its_route() -> None:
    seen: list[tuple[str, str, bytes]] = []

    def answer(method: str, headers: Mapping[str, str], body: bytes) -> tuple[int, bytes]:
        seen.append((method, headers.get("x-secret", ""), body))
        return 200, b'{"ok": true}'

    route = webhooks.Route(answer)
    webhooks.register("/hooks/abc/", route)
    try:
        assert webhooks.answer("/hooks/abc", "POST", {"x-secret": "s"}, b"{}") == (
            200,
            b'{"ok": true}',
        )
        assert webhooks.answer("/hooks/other", "POST", {}, b"{}")[0] == 404
        webhooks.unregister("/hooks/abc", webhooks.Route(answer))  # not its route: kept
        assert webhooks.lookup("hooks/abc") is route
    finally:
        webhooks.unregister("/hooks/abc", route)
    assert webhooks.lookup("/hooks/abc") is None
    assert seen == [("POST", "s", b"{}")]


async def test_a_channel_alone_names_why_its_webhook_cannot_be_served(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    problem = "bind mode custom needs gateway.customBindHost; set it or use lan."
    monkeypatch.setattr(webhooks, "ALONE", webhooks.Address("", 18789, problem=problem))
    with caplog.at_level(logging.ERROR, logger="epiloop.test"):
        assert await webhooks.serve_alone(logging.getLogger("epiloop.test")) is None
    assert caplog.messages == [f"cannot serve the webhook: {problem}"]
