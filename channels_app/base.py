"""What every chat adapter shares: reconnect backoff, the status summary shown by
`channels.status` and the admin, "report a fatal error once", and the typing loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from dataclasses import asdict, dataclass, field


class Backoff:
    """Capped exponential backoff with jitter: delay n is uniform in
    [(1 - jitter) * d, d] where d = min(cap, base * factor**n)."""

    def __init__(
        self, base: float = 1.0, cap: float = 60.0, factor: float = 2.0, jitter: float = 0.5
    ) -> None:
        self.base, self.cap, self.factor, self.jitter = base, cap, factor, jitter
        self.attempts = 0

    def next(self) -> float:
        ceiling = min(self.cap, self.base * self.factor**self.attempts)
        self.attempts += 1
        return ceiling * (1 - self.jitter * random.random())

    def reset(self) -> None:
        self.attempts = 0

    async def sleep(self) -> float:
        delay = self.next()
        await asyncio.sleep(delay)
        return delay


def _now() -> float:
    return time.time()


@dataclass
class ChannelStatus:
    """The `channels.status` summary of one adapter (times are Unix seconds)."""

    channel: str
    running: bool = False
    connected: bool = False
    bot_user: str = ""
    bot_id: str = ""
    guild_count: int = 0
    mode: str = ""
    last_connect: float | None = None
    last_disconnect: float | None = None
    last_error: str = ""
    last_error_at: float | None = None
    last_inbound: float | None = None
    last_outbound: float | None = None
    fatal: bool = False  # stopped for good (invalid token): fix the config and restart
    extra: dict[str, object] = field(default_factory=dict)

    def connected_now(self, bot_user: str = "", bot_id: str = "") -> None:
        self.connected = True
        self.last_connect = _now()
        if bot_user:
            self.bot_user = bot_user
        if bot_id:
            self.bot_id = bot_id

    def disconnected(self) -> None:
        if self.connected:
            self.last_disconnect = _now()
        self.connected = False

    def error(self, message: str) -> None:
        self.last_error = message
        self.last_error_at = _now()

    def inbound(self) -> None:
        self.last_inbound = _now()

    def outbound(self) -> None:
        self.last_outbound = _now()

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data.update(data.pop("extra"))
        data["configured"] = True
        return data


class ReportOnce:
    """Log each distinct problem once (per key) instead of once per retry."""

    def __init__(self, logger: logging.Logger, status: ChannelStatus | None = None) -> None:
        self.logger = logger
        self.status = status
        self.seen: set[str] = set()

    def __call__(self, key: str, message: str, level: int = logging.ERROR) -> bool:
        if self.status is not None:
            self.status.error(message)
        if key in self.seen:
            return False
        self.seen.add(key)
        self.logger.log(level, "%s", message)
        return True

    def clear(self, key: str | None = None) -> None:
        if key is None:
            self.seen.clear()
        else:
            self.seen.discard(key)


@contextlib.asynccontextmanager
async def typing_loop(
    send: Callable[[], Awaitable[object]],
    interval: float = 8.0,
    logger: logging.Logger | None = None,
) -> AsyncIterator[None]:
    """Send a typing indicator now and every `interval` seconds until the block ends
    (Discord's lasts 10 s, Telegram's 5 s). Failures are logged at debug and ignored."""

    async def loop() -> None:
        while True:
            try:
                await send()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if logger is not None:
                    logger.debug("typing indicator failed: %s", exc)
            await asyncio.sleep(interval)

    task = asyncio.create_task(loop())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task


def spawn(
    coro: Coroutine[object, object, None], tasks: set[asyncio.Task[None]]
) -> asyncio.Task[None]:
    """Start a background task and keep a reference until it ends."""
    task = asyncio.ensure_future(coro)
    tasks.add(task)
    task.add_done_callback(tasks.discard)
    return task
