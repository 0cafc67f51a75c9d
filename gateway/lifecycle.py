"""What happens once the gateway listens, and when it stops."""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any

from django.conf import settings

from agents import agentconf
from gateway import server
from gateway.reload import Watcher
from gateway.startup import Plan

log = logging.getLogger("epiloop.gateway")


def run(plan: Plan) -> bool:
    from epiloop_site.asgi import application

    tasks: list[asyncio.Future[None]] = []
    # Created before listening, so that an edit made right after start-up is not missed.
    watcher = Watcher(settings.EPILOOP_CONFIG_PATH, plan.config, plan.channels)

    async def on_ready() -> None:
        log.info("listening on ws://%s:%s (PID %s)", plan.bind.host, plan.port, os.getpid())
        log.info("agent model: %s", agentconf.primary_model())
        if plan.auth.generated:
            host = "127.0.0.1" if plan.bind.host in ("0.0.0.0", "::") else plan.bind.host
            # Printed, not logged: the generated token must never reach the log file.
            url = f"http://{host}:{plan.port}/?token={plan.auth.token}"
            print(f"[gateway] control UI: {url}", flush=True)
        if plan.problems:
            log.warning("/readyz answers 503 until the config problems above are fixed")
        tasks.append(asyncio.ensure_future(watcher.run()))
        if plan.channels:
            from channels_app import runner

            await runner.start_enabled(plan.config)

    async def on_stop() -> None:
        log.info("shutting down")
        for task in tasks:
            task.cancel()
        await _broadcast_shutdown()
        if plan.channels:
            from channels_app import runner

            await runner.stop_all()
        # Finished turns are written in the background: wait for them before exiting.
        from agents import writes
        from agents.providers import clients
        from agents.tools import mcp as mcp_tools

        await writes.drain()
        await clients.close_all()
        await mcp_tools.close_all()

    return server.serve(application, plan.bind.host, plan.port, on_ready, on_stop)


async def _broadcast_shutdown() -> None:
    try:
        from gateway import events
    except ImportError:
        return
    broadcast: Any = getattr(events, "broadcast_shutdown", None)
    if broadcast is not None:
        await broadcast("gateway stopping")
