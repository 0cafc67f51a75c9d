"""Daphne in-process: HTTP + WebSocket on one port, with hooks for start-up and shutdown.

`daphne.server` must be imported before anything else imports Twisted (it installs the
asyncio reactor), so this module is imported first by the rungateway command.

TLS terminates in front of the gateway (Fly's proxy, a reverse proxy, or none on
loopback): Twisted never opens a TLS endpoint here, yet it would load pyOpenSSL and
cryptography's X.509 stack (~0.1 s and several MB) just in case. Marking `OpenSSL` as
unavailable before Twisted is imported makes it skip that.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable
from typing import Any

sys.modules.setdefault("OpenSSL", None)  # type: ignore[arg-type]

import daphne.server  # noqa: E402  # installs Twisted's asyncio reactor
from twisted.internet import defer, reactor  # noqa: E402

log = logging.getLogger("epiloop.gateway")

# Daphne closes WebSockets after 24 h by default; gateway clients stay for weeks.
WEBSOCKET_TIMEOUT = 0  # 0 = never (channel-layer groups are set to 7 days in settings)
MAX_FRAME = 1024 * 1024  # the protocol refuses frames over 512 KiB with a clear error
_TASKS: set[asyncio.Future[None]] = set()


def endpoint(host: str, port: int) -> str:
    if ":" in host:
        return f"tcp6:port={port}:interface={host.replace(':', chr(92) + ':')}"
    return f"tcp:port={port}:interface={host}"


def serve(
    application: Any,
    host: str,
    port: int,
    on_ready: Callable[[], Awaitable[None]],
    on_stop: Callable[[], Awaitable[None]],
) -> bool:
    """Serve until SIGTERM/SIGINT. Returns False when the port could not be bound."""
    server = daphne.server.Server(
        application,
        endpoints=[endpoint(host, port)],
        signal_handlers=True,
        verbosity=0,
        websocket_timeout=WEBSOCKET_TIMEOUT or 10 * 365 * 24 * 3600,
        websocket_max_message_size=MAX_FRAME,
        websocket_max_frame_size=MAX_FRAME,
        application_close_timeout=3,
        ready_callable=lambda: _schedule(on_ready),
        server_name="epiloop",
    )

    def before_shutdown() -> defer.Deferred[Any]:
        future = asyncio.ensure_future(_bounded(on_stop(), 3.0))
        return defer.Deferred.fromFuture(future)

    reactor.addSystemEventTrigger("before", "shutdown", before_shutdown)  # type: ignore[arg-type]
    server.run()
    return not server.abort_start and bool(server.listening_addresses)


def _schedule(factory: Callable[[], Awaitable[None]]) -> None:
    async def runner() -> None:
        try:
            await factory()
        except Exception:
            log.exception("start-up task failed")

    _TASKS.add(task := asyncio.ensure_future(runner()))
    task.add_done_callback(_TASKS.discard)


async def _bounded(awaitable: Awaitable[None], seconds: float) -> None:
    try:
        await asyncio.wait_for(awaitable, seconds)
    except TimeoutError:
        log.warning("shutdown took longer than %.0f s; stopping anyway", seconds)
    except Exception:
        log.exception("shutdown task failed")
