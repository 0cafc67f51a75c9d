"""One connection to one MCP server, through the `mcp` SDK (imported only when a server is
started, so a gateway without MCP servers never loads it).

The SDK's transports are anyio context managers (task groups, cancel scopes) that must be
entered and left by the same task. So each connection has one owner task that enters them,
lists the tools, then waits until it is told to stop; callers in other tasks send requests
through the open session, which the SDK allows. Closing cancels the owner's scope, and the
SDK's own shielded teardown ends the server process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from agents.tools.base import ToolError
from agents.tools.mcp_text import result_text
from config.jsontypes import JsonObject
from config.schema_tools import McpServer

if TYPE_CHECKING:
    import anyio
    from mcp import Client

from agents.tools.process import scrubbed_env

log = logging.getLogger("epiloop.agent")

# JSON-RPC error code the SDK uses when the transport closed under a request.
CONNECTION_CLOSED = -32000


class ConnectionLost(Exception):
    """The server stopped answering (process gone, HTTP connection dropped)."""


class StartFailed(Exception):
    """The server could not be started; the message is one line for the log and status."""


@dataclass(frozen=True)
class RemoteTool:
    name: str
    description: str
    schema: JsonObject


def child_env(spec: McpServer, environ: Mapping[str, str]) -> dict[str, str]:
    """What a stdio server gets: the scrubbed environment exec's commands get (with the
    gateway's HOME), then its own `env`; the gateway's keys and tokens never reach it."""
    return {**scrubbed_env(environ.get("HOME", "/"), environ), **spec.env}


def transport_problem(spec: McpServer) -> str:
    """Why `spec` cannot be started as written, or "" when it can."""
    if spec.command and spec.url:
        return "set either command (stdio) or url (streamable HTTP), not both"
    if spec.url and not spec.url.startswith(("http://", "https://")):
        return f"url {spec.url!r} is not an http(s) URL"
    if not spec.command and not spec.url:
        return "it needs a command (stdio) or a url (streamable HTTP)"
    return ""


def describe(exc: BaseException) -> str:
    """One line for an exception, looking through the SDK's task-group exception groups."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    if isinstance(exc, TimeoutError):
        return "no answer in time"
    if isinstance(exc, FileNotFoundError) and exc.filename:
        return f"command not found: {exc.filename}"
    lines = str(exc).strip().splitlines()
    line = lines[0] if lines else ""
    return f"{type(exc).__name__}: {line}" if line else type(exc).__name__


class Connection:
    def __init__(
        self, name: str, spec: McpServer, environ: Mapping[str, str], stderr_path: Path | None
    ) -> None:
        self.name = name
        self.spec = spec
        self._environ = environ
        self._stderr_path = stderr_path
        self._client: Client | None = None
        self._scope: anyio.CancelScope | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self, timeout: float) -> list[RemoteTool]:
        """Connect and list the tools; `StartFailed` (with the server's last stderr line
        when it wrote one) if that fails or takes longer than `timeout` seconds."""
        problem = transport_problem(self.spec)
        if problem:
            raise StartFailed(problem)
        ready: asyncio.Future[list[RemoteTool]] = asyncio.get_running_loop().create_future()
        # Read even when nobody waits any more (a cancelled start), so asyncio does not log it.
        ready.add_done_callback(lambda f: f.cancelled() or f.exception())
        self._task = asyncio.create_task(self._own(ready, timeout), name=f"mcp:{self.name}")
        try:
            return await asyncio.shield(ready)
        except Exception as exc:
            await self.close()
            why = f"no answer within {timeout:g} s" if isinstance(exc, TimeoutError) else ""
            last = self._last_stderr_line()
            line = why or describe(exc)
            raise StartFailed(f"{line} (stderr: {last})" if last else line) from exc
        except asyncio.CancelledError:
            await self.close()
            raise

    async def call(self, tool: str, args: JsonObject, timeout: float) -> str:
        """The tool's result as text; `ToolError` for an `isError` result, a protocol error
        or a timeout, `ConnectionLost` when the server is gone."""
        import anyio
        from mcp import MCPError

        client = self._client
        if client is None:
            raise ConnectionLost("not connected")
        try:
            async with asyncio.timeout(timeout):
                result = await client.call_tool(tool, args)
        except TimeoutError:
            raise ToolError(
                f"MCP tool {tool} of server {self.name} did not answer within {timeout:g} s"
            ) from None
        except MCPError as exc:
            if exc.code == CONNECTION_CLOSED:
                raise ConnectionLost(exc.message) from exc
            raise ToolError(f"MCP server {self.name} refused {tool}: {exc.message}") from exc
        except (OSError, EOFError, anyio.ClosedResourceError, anyio.BrokenResourceError) as exc:
            raise ConnectionLost(describe(exc)) from exc
        except Exception as exc:  # e.g. a result that does not match the tool's output schema
            raise ToolError(
                f"MCP tool {tool} of server {self.name} failed: {describe(exc)}"
            ) from exc
        text = result_text(result)
        if result.is_error:
            raise ToolError(text or f"MCP tool {tool} failed without a message")
        return text

    async def close(self) -> None:
        """Stop the owner task (which ends the server); safe to call more than once."""
        self._client = None
        task, self._task = self._task, None
        if task is None or task.done():
            return
        if self._scope is not None:
            self._scope.cancel()
        else:  # not inside the scope yet
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    async def _own(self, ready: asyncio.Future[list[RemoteTool]], timeout: float) -> None:
        import anyio

        stderr: TextIO | None = None
        try:
            with anyio.CancelScope() as scope:
                # The deadline bounds start-up only; it is lifted once the tools are listed.
                scope.deadline = anyio.current_time() + timeout
                self._scope = scope
                async with contextlib.AsyncExitStack() as stack:
                    stderr = self._open_stderr()
                    client = await stack.enter_async_context(self._client_for(stack, stderr))
                    tools = await _list_tools(client)
                    scope.deadline = float("inf")
                    self._client = client
                    ready.set_result(tools)
                    await asyncio.Event().wait()  # until close() cancels the scope
            if not ready.done():
                ready.set_exception(TimeoutError())
        except BaseException as exc:  # everything reaches the starter, nothing escapes
            if not ready.done():
                ready.set_exception(exc if isinstance(exc, Exception) else RuntimeError(exc))
            elif not isinstance(exc, asyncio.CancelledError):
                log.debug("MCP server %s closed: %s", self.name, describe(exc))
        finally:
            self._client = None
            if stderr is not None:
                stderr.close()

    def _client_for(self, stack: contextlib.AsyncExitStack, stderr: TextIO) -> Client:
        from mcp import Client, StdioServerParameters
        from mcp.client.stdio import stdio_client
        from mcp.client.streamable_http import streamable_http_client
        from mcp.shared._httpx_utils import create_mcp_http_client

        spec = self.spec
        if spec.url:
            http = create_mcp_http_client(headers=dict(spec.headers))
            stack.push_async_callback(http.aclose)
            return Client(streamable_http_client(spec.url, http_client=http), cache=None)
        assert spec.command
        params = StdioServerParameters(
            command=spec.command, args=list(spec.args), env=child_env(spec, self._environ)
        )
        return Client(stdio_client(params, errlog=stderr), cache=None)

    def _open_stderr(self) -> TextIO:
        # A real file: the child writes to it directly, and we read its last line when the
        # server fails to start. Rewritten at each start so it stays small.
        if self._stderr_path is None:
            return open(os.devnull, "w", encoding="utf-8")
        self._stderr_path.parent.mkdir(parents=True, exist_ok=True)
        return open(self._stderr_path, "w+", encoding="utf-8")

    def _last_stderr_line(self) -> str:
        if self._stderr_path is None or self.spec.url:
            return ""
        try:
            lines = self._stderr_path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return ""
        last = next((line.strip() for line in reversed(lines) if line.strip()), "")
        return last[:200]


async def _list_tools(client: Client) -> list[RemoteTool]:
    tools: list[RemoteTool] = []
    cursor: str | None = None
    for _ in range(100):  # a server that pages forever cannot hang the start
        page = await client.list_tools(cursor=cursor)
        for tool in page.tools:
            schema: dict[str, Any] = dict(tool.input_schema or {})
            schema.setdefault("type", "object")
            tools.append(RemoteTool(tool.name, (tool.description or "").strip(), schema))
        cursor = page.next_cursor
        if cursor is None:
            break
    return tools
