"""Long polling with our own loop instead of PTB's `Updater`: PTB's retry loop has no
jitter, logs every failure, and treats a 409 like any other error.

Here every failure backs off (capped, with jitter) and updates the status at once, but is
*announced* (a log line) only once per episode: a kind of problem is announced again only
after `QUIET` seconds without it. Two processes polling one token take turns failing for
as long as both run; that gives one warning, not one per retry. An invalid token ends
polling after one report.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, Protocol, TypeVar

from telegram.error import Conflict, InvalidToken, RetryAfter, TelegramError, TimedOut

from channels_app.base import Backoff
from channels_app.telegram.outbound import retry_seconds

log = logging.getLogger("epiloop.telegram")

POLL_TIMEOUT = 25  # seconds Telegram holds a getUpdates open
ALLOWED_UPDATES = ["message"]
QUIET = 300.0  # seconds without a problem before it is announced again

CONFLICT_HINT = (
    "another process is polling this bot token (an old machine or a second gateway still "
    "running?). Stop it, or use webhook mode for several instances. Retrying with backoff."
)


def new_backoff() -> Backoff:
    return Backoff(base=0.5, cap=30.0)


class Polled(Protocol):
    @property
    def update_id(self) -> int: ...


U = TypeVar("U", bound=Polled)
U_co = TypeVar("U_co", bound=Polled, covariant=True)


class UpdateSource(Protocol[U_co]):
    """What polling needs of the bot (`telegram.Bot`; a scripted stand-in in tests)."""

    async def get_updates(
        self, *, offset: int | None = ..., timeout: int = ..., allowed_updates: list[str] = ...
    ) -> Sequence[U_co]: ...


class Poller(Generic[U]):
    """Runs getUpdates until cancelled or the token is rejected.

    `on_problem(kind, message, announce)` is called on every failure (kind: "conflict",
    "network", "error", "invalid_token"); `announce` is true once per episode.
    `on_ok(announce)` is called after every successful poll; `announce` is true on the first
    success after an announced problem. `deliver` gets each update and must return quickly.
    """

    def __init__(
        self,
        bot: UpdateSource[U],
        deliver: Callable[[U], Awaitable[None]],
        on_problem: Callable[[str, str, bool], None],
        on_ok: Callable[[bool], None],
        backoff: Backoff | None = None,
        timeout: int = POLL_TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.bot = bot
        self.deliver = deliver
        self.on_problem = on_problem
        self.on_ok = on_ok
        self.backoff = backoff or new_backoff()
        self.timeout = timeout
        self.clock = clock
        self.offset: int | None = None
        self.last_seen: dict[str, float] = {}  # kind -> when it last happened
        self.unresolved = False  # a problem was announced and polling has not worked since

    async def run(self) -> None:
        while True:
            try:
                updates = await self.bot.get_updates(
                    offset=self.offset, timeout=self.timeout, allowed_updates=ALLOWED_UPDATES
                )
            except InvalidToken as exc:
                log.debug("getUpdates: %r", exc)
                self._problem("invalid_token", "the bot token was rejected by Telegram")
                return
            except RetryAfter as exc:
                await asyncio.sleep(retry_seconds(exc) + 0.1)
                continue
            except TimedOut:
                continue  # a long poll that outlived the read timeout: just ask again
            except Conflict as exc:
                hint = CONFLICT_HINT
                if "webhook is active" in exc.message:
                    hint = "a webhook is set for this token (by another instance?). " + hint
                self._problem("conflict", f"getUpdates: 409 Conflict: {hint}")
                await asyncio.sleep(self.backoff.next())
                continue
            except TelegramError as exc:  # NetworkError and every other API error
                kind = "network" if type(exc).__name__ == "NetworkError" else "error"
                self._problem(kind, f"getUpdates failed: {exc.message}")
                await asyncio.sleep(self.backoff.next())
                continue
            self.backoff.reset()
            self.on_ok(self.unresolved)
            self.unresolved = False
            for update in updates:
                self.offset = update.update_id + 1
                await self.deliver(update)

    def _problem(self, kind: str, message: str) -> None:
        now = self.clock()
        last = self.last_seen.get(kind)
        announce = last is None or now - last > QUIET
        self.last_seen[kind] = now
        if announce:
            self.unresolved = True
        self.on_problem(kind, message, announce)

    async def acknowledge(self) -> None:
        """Confirm delivered updates so a restart does not see them again."""
        if self.offset is None:
            return
        try:
            await asyncio.wait_for(
                self.bot.get_updates(
                    offset=self.offset, timeout=0, allowed_updates=ALLOWED_UPDATES
                ),
                2.0,
            )
        except (TelegramError, TimeoutError) as exc:
            log.debug("final getUpdates failed: %s", exc)
