"""The polling loop's error handling, with a scripted bot (no clock-free server can show
backoff timings; the adapter tests cover the same paths against the fake Bot API)."""

from __future__ import annotations

import asyncio
from typing import Any

from telegram.error import Conflict, InvalidToken, NetworkError

from channels_app.base import Backoff
from channels_app.telegram.polling import Poller


class Update:
    def __init__(self, update_id: int) -> None:
        self.update_id = update_id


class ScriptedBot:
    """Answers getUpdates from a script of exceptions and update lists; then blocks."""

    def __init__(self, script: list[Any]) -> None:
        self.script = script
        self.offsets: list[int | None] = []

    async def get_updates(self, offset: int | None = None, **_: Any) -> list[Update]:
        self.offsets.append(offset)
        if not self.script:
            await asyncio.sleep(3600)
        step = self.script.pop(0)
        if isinstance(step, Exception):
            raise step
        return step


class Recorder:
    def __init__(self) -> None:
        self.problems: list[tuple[str, bool]] = []
        self.oks: list[bool] = []
        self.updates: list[int] = []

    def problem(self, kind: str, message: str, announce: bool) -> None:
        self.problems.append((kind, announce))

    def ok(self, announce: bool) -> None:
        self.oks.append(announce)

    async def deliver(self, update: Update) -> None:
        self.updates.append(update.update_id)


async def run(script: list[Any], rec: Recorder, **kw: Any) -> Poller:
    bot = ScriptedBot(script)
    poller = Poller(bot, rec.deliver, rec.problem, rec.ok, backoff=Backoff(0.001, 0.01), **kw)
    task = asyncio.create_task(poller.run())
    await asyncio.sleep(0.2)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    return poller


async def test_network_errors_are_announced_once_per_episode() -> None:
    rec = Recorder()
    errors = [NetworkError("connection refused") for _ in range(5)]
    await run([*errors, [Update(1)], NetworkError("again")], rec)
    assert rec.problems == [("network", True)] + [("network", False)] * 5
    assert rec.oks == [True]  # the first success after the announced problem says so
    assert rec.updates == [1]


async def test_a_conflict_that_comes_back_soon_is_not_announced_again() -> None:
    rec = Recorder()
    await run([Conflict("terminated by other getUpdates request"), [], Conflict("again"), []], rec)
    assert rec.problems == [("conflict", True), ("conflict", False)]
    assert rec.oks == [True, False]


async def test_a_conflict_after_a_quiet_period_is_announced_again() -> None:
    rec = Recorder()
    clock = iter([0.0, 1000.0])
    script = [Conflict("one"), [], Conflict("two")]
    bot = ScriptedBot(script)
    poller = Poller(
        bot,
        rec.deliver,
        rec.problem,
        rec.ok,
        backoff=Backoff(0.001, 0.01),
        clock=lambda: next(clock),
    )
    task = asyncio.create_task(poller.run())
    await asyncio.sleep(0.2)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert rec.problems == [("conflict", True), ("conflict", True)]


async def test_an_invalid_token_ends_polling() -> None:
    rec = Recorder()
    bot = ScriptedBot([InvalidToken("rejected")])
    poller = Poller(bot, rec.deliver, rec.problem, rec.ok)
    await asyncio.wait_for(poller.run(), 1.0)
    assert rec.problems == [("invalid_token", True)]
    assert bot.offsets == [None]


async def test_offsets_confirm_every_delivered_update() -> None:
    rec = Recorder()
    poller = await run([[Update(5), Update(6)], [Update(7)]], rec)
    assert rec.updates == [5, 6, 7]
    assert poller.offset == 8
