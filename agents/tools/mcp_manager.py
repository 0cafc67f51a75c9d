"""The servers of one event loop: started when a turn asks for tools, retried after a
growing pause (5 s, 10 s, ... 5 min) when they fail, restarted when their config entry
changes, and their tools (`McpTool`) routed to the current connection."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from agents.tools.base import Tool, ToolContext, ToolError
from agents.tools.mcp_conn import Connection, ConnectionLost, RemoteTool, StartFailed, describe
from agents.tools.mcp_text import safe_name, tool_name
from config.jsontypes import JsonObject
from config.schema_tools import McpServer

log = logging.getLogger("epiloop.agent")

State = Literal["idle", "starting", "ready", "failed"]
START_TIMEOUT = 30.0  # seconds; `npx some-server` may have to unpack a package first
CALL_TIMEOUT = 120.0
MAX_DESCRIPTION = 1024


def backoff(failures: int) -> float:
    """Seconds to wait before trying a server again after `failures` failures in a row."""
    return float(min(300, 5 * 2 ** max(0, failures - 1)))


class McpTool:
    """One tool of one server; calls go through the manager, so they reach the server's
    current connection even after it was restarted."""

    group = "mcp"

    def __init__(self, manager: Manager, server: str, remote: RemoteTool, name: str) -> None:
        self.name = name
        self.server = server
        self.remote_name = remote.name
        self.description = remote.description[:MAX_DESCRIPTION] or (
            f"{remote.name} (MCP server {server})"
        )
        self._schema = remote.schema
        self._manager = manager

    def input_schema(self) -> JsonObject:
        return self._schema

    async def run(self, args: JsonObject, ctx: ToolContext) -> str:
        return await self._manager.call(self.server, self.remote_name, args)


@dataclass(eq=False)
class _Server:
    name: str
    spec: McpServer
    state: State = "idle"
    conn: Connection | None = None
    tools: list[McpTool] = field(default_factory=list)
    error: str = ""
    failures: int = 0
    retry_at: float = 0.0
    starting: asyncio.Task[None] | None = None
    retired: bool = False


def _same(a: McpServer, b: McpServer) -> bool:
    return a.model_dump() == b.model_dump()


class Manager:
    def __init__(
        self,
        *,
        environ: Mapping[str, str] | None = None,
        stderr_dir: Path | None = None,
        start_timeout: float = START_TIMEOUT,
        call_timeout: float = CALL_TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._environ = environ
        self.stderr_dir = stderr_dir
        self.start_timeout = start_timeout
        self.call_timeout = call_timeout
        self.clock = clock
        self._servers: dict[str, _Server] = {}
        self._background: set[asyncio.Task[None]] = set()

    async def tools(self, servers: Mapping[str, McpServer]) -> list[Tool]:
        """The tools of every enabled server that is ready (never raises). A first start is
        waited for, so the first turn has the tools; a retry after a failure runs in the
        background, so a broken server never holds up a turn twice."""
        self.reconcile(servers)
        now = self.clock()
        first: list[_Server] = []
        for server in self._servers.values():
            if server.failures == 0 and server.state in ("idle", "starting"):
                first.append(server)
            elif server.state == "failed" and now >= server.retry_at:
                server.state = "starting"
                self._in_background(self._ensure(server))
        if first:
            await asyncio.gather(*(self._ensure(s) for s in first))
        found: list[Tool] = []
        for server in self._servers.values():
            if server.state == "ready":
                found.extend(server.tools)
        return found

    def reconcile(self, servers: Mapping[str, McpServer]) -> None:
        """Match the running servers to the config: stop removed and disabled ones, restart
        changed ones (at once if they were running), leave the others alone."""
        wanted = {name: spec for name, spec in servers.items() if spec.enabled}
        for name, server in list(self._servers.items()):
            spec = wanted.get(name)
            if spec is not None and _same(spec, server.spec):
                continue
            del self._servers[name]
            self._retire(server)
            if spec is not None and server.state in ("ready", "starting"):
                fresh = self._servers[name] = _Server(name, spec)
                self._in_background(self._ensure(fresh))
        for name, spec in wanted.items():
            self._servers.setdefault(name, _Server(name, spec))

    async def call(self, server_name: str, tool: str, args: JsonObject) -> str:
        server = self._servers.get(server_name)
        conn = server.conn if server is not None and server.state == "ready" else None
        if server is None or conn is None:
            raise ToolError(f"MCP server {server_name} is not running; try again later")
        try:
            return await conn.call(tool, args, self.call_timeout)
        except ConnectionLost as exc:
            if server.conn is conn:
                self._failed(server, f"stopped: {exc}")
                log.warning(
                    "MCP server %s stopped: %s; it is restarted on a later turn", server_name, exc
                )
                self._in_background(conn.close())
            raise ToolError(
                f"MCP server {server_name} stopped ({exc}); its tools are unavailable until it "
                "restarts on a later turn"
            ) from exc

    def statuses(self) -> dict[str, dict[str, object]]:
        return {
            name: {"state": s.state, "tools": len(s.tools), "error": s.error}
            for name, s in self._servers.items()
        }

    async def settle(self) -> None:
        """Wait for the starts and stops in flight (tests; a turn never waits for retries)."""
        while self._background:
            await asyncio.gather(*self._background, return_exceptions=True)

    async def close(self) -> None:
        servers, self._servers = list(self._servers.values()), {}
        starts = [s.starting for s in servers if s.starting is not None]
        for server in servers:
            self._retire(server)
        for task in starts:  # a start can take half a minute: not at shutdown
            task.cancel()
        await asyncio.gather(*starts, return_exceptions=True)
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)

    async def _ensure(self, server: _Server) -> None:
        if server.starting is None:
            server.starting = asyncio.ensure_future(self._start(server))
        start = server.starting
        try:
            # Shielded: a turn that is cancelled while it waits must not abort the start.
            await asyncio.shield(start)
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if start.cancelled() and not (current and current.cancelling()):
                return  # the start was abandoned (shutdown), this turn was not cancelled
            raise

    async def _start(self, server: _Server) -> None:
        server.state = "starting"
        stderr = self.stderr_dir / f"{safe_name(server.name)}.log" if self.stderr_dir else None
        conn = Connection(server.name, server.spec, self._env(), stderr)
        try:
            remote = await conn.start(self.start_timeout)
        except StartFailed as exc:
            self._failed(server, str(exc))
            log.warning(
                "MCP server %s failed to start: %s; its tools are not offered",
                server.name,
                server.error,
            )
            return
        except Exception as exc:  # a bug here must not fail the turn either
            self._failed(server, describe(exc))
            log.exception("MCP server %s failed to start; its tools are not offered", server.name)
            return
        finally:
            server.starting = None
        if server.retired:  # the config changed while it was starting
            await conn.close()
            return
        taken: set[str] = set()
        server.tools = []
        for tool in remote:
            name = tool_name(server.name, tool.name, taken)
            taken.add(name)
            server.tools.append(McpTool(self, server.name, tool, name))
        server.conn, server.state, server.error, server.failures = conn, "ready", "", 0
        log.info("MCP server %s started: %d tools", server.name, len(server.tools))

    def _failed(self, server: _Server, error: str) -> None:
        server.state, server.error, server.conn, server.tools = "failed", error, None, []
        server.failures += 1
        server.retry_at = self.clock() + backoff(server.failures)

    def _retire(self, server: _Server) -> None:
        server.retired = True
        if server.conn is not None:
            self._in_background(server.conn.close())
            server.conn = None

    def _in_background(self, coro: Coroutine[object, object, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def _env(self) -> Mapping[str, str]:
        if self._environ is not None:
            return self._environ
        from django.conf import settings

        environ: Mapping[str, str] = settings.EPILOOP_ENVIRON
        return environ
