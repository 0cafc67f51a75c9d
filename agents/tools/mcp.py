"""MCP servers' tools for agents: `cfg.mcp.servers.<name>` started on the first turn that
asks for tools, each tool offered as `<server>__<tool>` in group "mcp".

A server that cannot start is one log line and a status entry, never a failed turn; a
later turn tries it again in the background. A config reload restarts only the servers
whose entry changed.
One `Manager` per event loop (the gateway has one); `install()` registers the tool source,
`statuses()` and `close_all()` are for the gateway's `status` method and shutdown. Nothing
here imports the `mcp` SDK: a gateway without MCP servers never loads it.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from pathlib import Path

from agents.tools.base import Tool, ToolContext
from agents.tools.mcp_manager import Manager
from config.schema import EpiloopConfig

log = logging.getLogger("epiloop.agent")

# One manager per event loop, as for the SDK clients (agents/providers/clients.py).
_MANAGERS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Manager] = (
    weakref.WeakKeyDictionary()
)


def manager() -> Manager:
    """The running loop's manager (made on first use)."""
    loop = asyncio.get_running_loop()
    found = _MANAGERS.get(loop)
    if found is None:
        from django.conf import settings

        found = _MANAGERS[loop] = Manager(stderr_dir=Path(settings.EPILOOP_LOG_DIR) / "mcp")
    return found


async def source(ctx: ToolContext) -> list[Tool]:
    """The tool source registered in `registry.SOURCES`."""
    servers = ctx.config.mcp.servers
    if not servers and not _MANAGERS.get(asyncio.get_running_loop()):
        return []  # no MCP server configured: not even the manager is made
    try:
        return await manager().tools(servers)
    except Exception:
        log.exception("MCP tools could not be listed; none are offered this turn")
        return []


def statuses() -> dict[str, dict[str, object]]:
    """`{name: {state, tools, error}}` for every configured MCP server; state is "idle"
    (not needed by a turn yet), "starting", "ready", "failed" or "disabled"."""
    from config import runtime

    found: dict[str, dict[str, object]] = {}
    for name, spec in runtime.current().mcp.servers.items():
        found[name] = {"state": "idle" if spec.enabled else "disabled", "tools": 0, "error": ""}
    for loop, each in list(_MANAGERS.items()):
        if not loop.is_closed():
            found.update(each.statuses())
    return found


async def close_all() -> None:
    """Stop the running loop's servers (gateway shutdown, tests)."""
    found = _MANAGERS.pop(asyncio.get_running_loop(), None)
    if found is not None:
        await found.close()


def _on_config(cfg: EpiloopConfig) -> None:
    # Called in whichever thread installed the config: hand the work to each manager's loop.
    servers = dict(cfg.mcp.servers)
    for loop, each in list(_MANAGERS.items()):
        if not loop.is_closed():
            loop.call_soon_threadsafe(each.reconcile, servers)


_installed = False


def install() -> None:
    """Register the tool source and follow config reloads (`AgentsConfig.ready`). Starts
    nothing: servers start on the first turn that asks for tools."""
    global _installed
    if _installed:
        return
    _installed = True
    from agents.tools import registry
    from config import runtime

    registry.SOURCES.append(source)
    runtime.subscribe(_on_config)
