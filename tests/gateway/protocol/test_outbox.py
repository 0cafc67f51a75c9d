"""The bounded per-connection send buffer: drops ticks and deltas first, then gives up."""

from __future__ import annotations

import asyncio

from gateway.protocol.outbox import Outbox


class Socket:
    """A client socket whose backlog we control: `stuck` means nothing is being read."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.stuck = False
        self.overflowed = False

    async def send(self, text: str) -> None:
        self.sent.append(text)

    def backlog(self) -> int:
        return 10**9 if self.stuck else 0

    async def overflow(self) -> None:
        self.overflowed = True


def outbox(sock: Socket, limit: int = 100) -> Outbox:
    return Outbox(sock.send, sock.backlog, sock.overflow, limit=limit, high_water=10)


async def test_frames_go_straight_out_while_the_client_keeps_up() -> None:
    sock = Socket()
    box = outbox(sock)
    await box.push("a")
    await box.push("b", droppable=True)
    assert sock.sent == ["a", "b"]
    assert box.queued_bytes == 0


async def test_a_slow_client_loses_ticks_and_deltas_before_anything_else() -> None:
    sock = Socket()
    sock.stuck = True
    box = outbox(sock, limit=100)
    await box.push("R" * 40)  # a response: must survive
    for _ in range(5):
        await box.push("t" * 20, droppable=True)  # ticks / deltas
    await box.push("F" * 40)  # a final chat event: must survive
    assert not sock.overflowed
    assert box.dropped >= 3
    assert box.queued_bytes <= 100
    sock.stuck = False
    await asyncio.sleep(0.05)
    assert sock.sent[0] == "R" * 40
    assert sock.sent[-1] == "F" * 40


async def test_a_client_that_still_cannot_keep_up_is_closed_and_its_buffer_freed() -> None:
    sock = Socket()
    sock.stuck = True
    box = outbox(sock, limit=100)
    for _ in range(3):
        await box.push("R" * 40)
    assert sock.overflowed
    assert box.closed
    assert box.queued_bytes == 0
    await box.push("late")
    assert sock.sent == []


async def test_queued_frames_keep_their_order_once_the_client_catches_up() -> None:
    sock = Socket()
    sock.stuck = True
    box = outbox(sock, limit=10_000)
    for i in range(20):
        await box.push(f"m{i}")
    sock.stuck = False
    await asyncio.sleep(0.05)
    assert sock.sent == [f"m{i}" for i in range(20)]
