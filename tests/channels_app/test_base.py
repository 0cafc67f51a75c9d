"""Shared adapter helpers: backoff, report-once, typing loop, status."""

from __future__ import annotations

import asyncio
import logging

import pytest

from channels_app.base import Backoff, ChannelStatus, ReportOnce, typing_loop


def test_backoff_grows_exponentially_up_to_the_cap_with_jitter() -> None:
    backoff = Backoff(base=1.0, cap=30.0, jitter=0.5)
    delays = [backoff.next() for _ in range(12)]
    assert 0.5 <= delays[0] <= 1.0
    assert 2.0 <= delays[2] <= 4.0
    assert all(15.0 <= d <= 30.0 for d in delays[6:])
    assert len({round(d, 6) for d in delays[6:]}) > 1, "jitter spreads retries"


def test_backoff_starts_over_after_a_reset() -> None:
    backoff = Backoff(base=1.0, cap=30.0)
    for _ in range(5):
        backoff.next()
    backoff.reset()
    assert backoff.next() <= 1.0


def test_a_problem_is_reported_once_but_always_recorded(caplog: pytest.LogCaptureFixture) -> None:
    status = ChannelStatus("discord")
    report = ReportOnce(logging.getLogger("epiloop.discord"), status)
    with caplog.at_level(logging.INFO, logger="epiloop.discord"):
        assert report("token", "invalid token") is True
        assert report("token", "invalid token") is False
        report.clear("token")
        assert report("token", "invalid token") is True
    assert caplog.messages == ["invalid token", "invalid token"]
    assert status.last_error == "invalid token"


async def test_typing_is_sent_at_once_and_repeated_until_the_block_ends() -> None:
    sent: list[float] = []

    async def send() -> None:
        sent.append(asyncio.get_running_loop().time())

    async with typing_loop(send, interval=0.05):
        await asyncio.sleep(0.18)
    count = len(sent)
    await asyncio.sleep(0.1)
    assert 3 <= count <= 5
    assert len(sent) == count, "no typing after the run"


async def test_a_failing_typing_call_does_not_break_the_run() -> None:
    async def send() -> None:
        raise RuntimeError("boom")

    async with typing_loop(send, interval=0.01):
        await asyncio.sleep(0.03)


def test_status_summary_has_the_fields_the_ui_shows() -> None:
    status = ChannelStatus("discord")
    status.connected_now("epiloop-bot", "1")
    status.inbound()
    data = status.as_dict()
    for key in (
        "connected",
        "bot_user",
        "last_connect",
        "last_error",
        "last_inbound",
        "last_outbound",
    ):
        assert key in data
    assert data["connected"] is True and data["bot_user"] == "epiloop-bot"
