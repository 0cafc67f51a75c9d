"""channels.status and send with a running adapter (an object honouring the runner's contract)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any, cast

import pytest

from channels_app import runner
from channels_app.contract import Adapter
from tests.gateway.protocol.inproc import Conn, operator

pytestmark = pytest.mark.django_db(transaction=True)


class LoopbackAdapter:
    """Stands in for a connected Discord adapter: remembers what it was asked to send."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def status(self) -> dict[str, Any]:
        return {
            "channel": "discord",
            "running": True,
            "connected": True,
            "bot_user": "Epiloop#0001",
            "last_error": "",
            "last_inbound": 1_700_000_000.5,
        }

    async def send_text(self, to: str, text: str) -> str:
        if not to.isdigit():
            raise ValueError(f"not a Discord id: {to!r}")
        self.sent.append((to, text))
        return "998877"


@pytest.fixture
def adapter() -> Iterator[LoopbackAdapter]:
    fake = LoopbackAdapter()
    runner.RUNNING["discord"] = cast(Adapter, fake)  # the methods read status() and send_text
    yield fake
    runner.RUNNING.pop("discord", None)


@pytest.fixture
async def conn(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Conn]:
    async with operator(monkeypatch) as c:
        yield c


async def test_a_running_channel_shows_its_bot_and_last_message(
    conn: Conn, adapter: LoopbackAdapter
) -> None:
    status = (await conn.call("channels.status"))["payload"]
    discord = status["channels"]["discord"]
    assert discord["connected"] is True
    assert discord["botUser"] == "Epiloop#0001"
    assert discord["lastInboundAt"] == 1_700_000_000_500


async def test_send_delivers_through_the_channel(conn: Conn, adapter: LoopbackAdapter) -> None:
    res = await conn.call("send", {"to": "1234", "message": "hello", "channel": "discord"})
    assert res["payload"] == {"ok": True, "channel": "discord", "to": "1234", "messageId": "998877"}
    assert adapter.sent == [("1234", "hello")]


async def test_send_to_a_bad_target_names_the_problem(conn: Conn, adapter: LoopbackAdapter) -> None:
    res = await conn.call("send", {"to": "general", "message": "x", "channel": "discord"})
    assert res["error"] == {
        "code": "INVALID_REQUEST",
        "message": "discord: not a Discord id: 'general'",
    }


async def test_send_to_a_channel_that_is_not_running_is_unavailable(conn: Conn) -> None:
    res = await conn.call("send", {"to": "1", "message": "x", "channel": "telegram"})
    assert res["error"] == {"code": "UNAVAILABLE", "message": "channel telegram is not running"}
