"""MCP servers' tools: a real MCP server (the SDK's server side, tests/fakes/mcp/server.py)
over stdio and streamable HTTP, and servers that cannot start."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from agents.tools import mcp as mcp_tools
from agents.tools.base import Tool, ToolContext, ToolError
from agents.tools.mcp_manager import Manager
from config.schema import EpiloopConfig
from config.schema_tools import McpConfig, McpServer
from tests.fakes.mcp.fixtures import SERVER, free_port, mcp_http_url, stdio_server

__all__ = ["mcp_http_url"]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def _logs_in_tmp(settings: Any, tmp_path: Path) -> None:
    """The module's own managers write servers' stderr under the log dir: not the real one."""
    settings.EPILOOP_LOG_DIR = tmp_path / "logs"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def manager(tmp_path: Path, clock: Clock) -> AsyncIterator[Manager]:
    found = Manager(stderr_dir=tmp_path / "mcp", start_timeout=30, clock=clock)
    yield found
    await found.close()


def ctx(**servers: McpServer) -> ToolContext:
    cfg = EpiloopConfig(mcp=McpConfig(servers=servers))
    return ToolContext(
        agent_id="main", session_key="agent:main:main", workspace=Path("."), config=cfg
    )


def by_name(tools: list[Tool]) -> dict[str, Tool]:
    return {tool.name: tool for tool in tools}


async def test_a_stdio_servers_tools_are_offered_as_server__tool_in_group_mcp(
    manager: Manager,
) -> None:
    tools = by_name(await manager.tools({"fake": stdio_server()}))

    assert {"fake__add", "fake__echo", "fake__fail", "fake__env"} <= set(tools)
    add = tools["fake__add"]
    assert add.group == "mcp"
    assert add.description == "Add two integers."
    schema = add.input_schema()
    assert schema["type"] == "object"
    assert set(schema["properties"]) == {"a", "b"}
    assert manager.statuses()["fake"] == {"state": "ready", "tools": len(tools), "error": ""}


async def test_calling_a_tool_returns_its_text_content(manager: Manager) -> None:
    tools = by_name(await manager.tools({"fake": stdio_server()}))

    assert await tools["fake__add"].run({"a": 2, "b": 3}, ctx()) == "5"
    assert await tools["fake__echo"].run({"text": "héllo"}, ctx()) == "héllo"
    picture = await tools["fake__picture"].run({}, ctx())
    assert picture.startswith("[image: image/png, ") and picture.endswith(" bytes not shown]")


async def test_an_is_error_result_is_raised_as_a_tool_error_with_its_text(
    manager: Manager,
) -> None:
    tools = by_name(await manager.tools({"fake": stdio_server()}))

    with pytest.raises(ToolError, match="disk is full"):
        await tools["fake__fail"].run({"message": "disk is full"}, ctx())
    assert await tools["fake__echo"].run({"text": "still up"}, ctx()) == "still up"


async def test_a_slow_tool_is_a_tool_error_after_the_call_timeout(manager: Manager) -> None:
    manager.call_timeout = 0.3
    tools = by_name(await manager.tools({"fake": stdio_server()}))

    with pytest.raises(ToolError, match=r"did not answer within 0\.3 s"):
        await tools["fake__sleep"].run({"seconds": 5}, ctx())


async def test_the_server_is_started_once_and_kept_for_later_turns(manager: Manager) -> None:
    first = by_name(await manager.tools({"fake": stdio_server()}))
    pid = await first["fake__pid"].run({}, ctx())
    second = by_name(await manager.tools({"fake": stdio_server()}))

    assert await second["fake__pid"].run({}, ctx()) == pid


async def test_the_server_gets_its_env_and_path_but_none_of_the_gateways_secrets(
    manager: Manager, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_API_KEY", "sk-fake-0123456789")
    tools = by_name(await manager.tools({"fake": stdio_server(env={"GREETING": "hi"})}))
    env = tools["fake__env"]

    assert await env.run({"name": "FAKE_API_KEY"}, ctx()) == "<unset>"
    assert await env.run({"name": "GREETING"}, ctx()) == "hi"
    assert await env.run({"name": "PATH"}, ctx()) == os.environ["PATH"]


async def test_a_streamable_http_servers_tools_are_listed_and_called_with_its_headers(
    manager: Manager, mcp_http_url: str
) -> None:
    spec = McpServer(url=mcp_http_url, headers={"X-Team": "blue"})
    tools = by_name(await manager.tools({"remote": spec}))

    assert await tools["remote__add"].run({"a": 40, "b": 2}, ctx()) == "42"
    assert await tools["remote__header"].run({"name": "X-Team"}, ctx()) == "blue"
    with pytest.raises(ToolError, match="nope"):
        await tools["remote__fail"].run({"message": "nope"}, ctx())


@pytest.mark.parametrize(
    ("spec", "error"),
    [
        (
            McpServer(command="/nonexistent/mcp-server"),
            "command not found: /nonexistent/mcp-server",
        ),
        (stdio_server("exit"), "Connection closed (stderr: fake MCP server: refusing to start)"),
        (McpServer(url=f"http://127.0.0.1:{free_port()}/mcp"), "ConnectError"),
        (McpServer(), "it needs a command (stdio) or a url (streamable HTTP)"),
    ],
    ids=["nonexistent-command", "exits-at-once", "http-nothing-listening", "neither"],
)
async def test_a_server_that_cannot_start_is_one_log_line_and_a_status_not_an_exception(
    manager: Manager, caplog: pytest.LogCaptureFixture, spec: McpServer, error: str
) -> None:
    with caplog.at_level(logging.WARNING, logger="epiloop.agent"):
        tools = await manager.tools({"broken": spec, "fake": stdio_server()})

    assert {tool.name for tool in tools} >= {"fake__add"}
    assert not [tool for tool in tools if tool.name.startswith("broken__")]
    [line] = [r.getMessage() for r in caplog.records if "broken" in r.getMessage()]
    assert line.startswith("MCP server broken failed to start: ")
    assert line.endswith("; its tools are not offered")
    assert error in line
    status = manager.statuses()["broken"]
    assert status["state"] == "failed" and status["tools"] == 0
    assert error in str(status["error"])


async def test_a_server_that_never_answers_fails_after_the_start_timeout(
    manager: Manager, caplog: pytest.LogCaptureFixture
) -> None:
    manager.start_timeout = 0.5
    silent = McpServer(command=sys.executable, args=["-c", "import time; time.sleep(60)"])

    with caplog.at_level(logging.WARNING, logger="epiloop.agent"):
        assert await manager.tools({"silent": silent}) == []

    assert "MCP server silent failed to start: no answer within 0.5 s;" in caplog.text
    assert manager.statuses()["silent"]["state"] == "failed"


async def test_closing_while_a_server_starts_cancels_the_start(tmp_path: Path) -> None:
    manager = Manager(stderr_dir=tmp_path, start_timeout=30)
    silent = McpServer(command=sys.executable, args=["-c", "import time; time.sleep(60)"])
    turn = asyncio.ensure_future(manager.tools({"silent": silent}))
    await asyncio.sleep(0.2)

    await asyncio.wait_for(manager.close(), 10)

    assert await turn == []


async def test_a_failed_server_is_retried_after_a_growing_pause_not_every_turn(
    manager: Manager, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    servers = {"broken": McpServer(command="/nonexistent/mcp-server")}

    async def turn_after(seconds: float) -> int:
        """Failures logged so far, after a turn `seconds` later (and its retry, if any)."""
        clock.now += seconds
        await manager.tools(servers)
        await manager.settle()
        return sum("failed to start" in r.getMessage() for r in caplog.records)

    with caplog.at_level(logging.WARNING, logger="epiloop.agent"):
        assert await turn_after(0) == 1
        assert await turn_after(0) == 1
        assert await turn_after(4.9) == 1
        assert await turn_after(0.2) == 2  # the first pause is 5 s
        assert await turn_after(9.0) == 2
        assert await turn_after(1.1) == 3  # the second is 10 s
        assert await turn_after(19.0) == 3


async def test_a_retry_runs_in_the_background_and_a_later_turn_gets_the_tools(
    manager: Manager, clock: Clock, tmp_path: Path
) -> None:
    # A server that fails until a file exists, as one whose dependency comes up later.
    flag = tmp_path / "up"
    script = (
        "import os, runpy, sys; "
        f"os.path.exists({str(flag)!r}) or sys.exit(1); "
        f"sys.argv = [{SERVER!r}, 'stdio']; runpy.run_path({SERVER!r}, run_name='__main__')"
    )
    servers = {"late": McpServer(command=sys.executable, args=["-c", script])}
    assert await manager.tools(servers) == []

    flag.touch()
    clock.now += 5
    assert await manager.tools(servers) == []  # the retry does not hold up this turn
    await manager.settle()

    assert "late__add" in by_name(await manager.tools(servers))


async def test_a_server_that_dies_mid_call_is_a_tool_error_then_restarts_on_a_later_turn(
    manager: Manager, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    servers = {"fake": stdio_server()}
    tools = by_name(await manager.tools(servers))

    with caplog.at_level(logging.WARNING, logger="epiloop.agent"), pytest.raises(ToolError):
        await tools["fake__crash"].run({}, ctx())
    assert manager.statuses()["fake"]["state"] == "failed"
    assert "MCP server fake stopped: " in caplog.text
    assert await manager.tools(servers) == []
    with pytest.raises(ToolError, match="not running"):
        await tools["fake__echo"].run({"text": "x"}, ctx())

    clock.now += 5
    await manager.tools(servers)
    await manager.settle()
    again = by_name(await manager.tools(servers))
    assert await again["fake__echo"].run({"text": "back"}, ctx()) == "back"
    assert await tools["fake__echo"].run({"text": "old tool, new process"}, ctx())


async def test_a_config_change_restarts_only_the_changed_servers(manager: Manager) -> None:
    before = {"a": stdio_server(), "b": stdio_server(), "c": stdio_server()}
    first = by_name(await manager.tools(before))
    pids = {name: await first[f"{name}__pid"].run({}, ctx()) for name in "abc"}

    after = {"a": stdio_server(), "b": stdio_server(env={"CHANGED": "1"})}
    manager.reconcile(after)  # what a config reload does
    second = by_name(await manager.tools(after))

    assert await second["a__pid"].run({}, ctx()) == pids["a"]
    assert await second["b__pid"].run({}, ctx()) != pids["b"]
    assert "c__pid" not in second and "c" not in manager.statuses()
    assert await _gone(int(pids["c"])) and await _gone(int(pids["b"]))


async def test_closing_ends_the_server_processes(tmp_path: Path) -> None:
    manager = Manager(stderr_dir=tmp_path)
    tools = by_name(await manager.tools({"fake": stdio_server()}))
    pid = int(await tools["fake__pid"].run({}, ctx()))

    await manager.close()

    assert not _alive(pid)
    assert manager.statuses() == {}


async def test_the_source_offers_nothing_and_starts_nothing_without_servers() -> None:
    assert await mcp_tools.source(ctx()) == []
    assert asyncio.get_running_loop() not in mcp_tools._MANAGERS


async def test_the_source_never_raises_for_a_broken_server_and_statuses_show_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from config import runtime

    broken = McpServer(command="/nonexistent/mcp-server")
    off = McpServer(command="/nonexistent/other", enabled=False)
    runtime.set_current(ctx(broken=broken, off=off, later=stdio_server()).config)
    try:
        assert mcp_tools.statuses()["later"]["state"] == "idle"
        with caplog.at_level(logging.WARNING, logger="epiloop.agent"):
            assert await mcp_tools.source(ctx(broken=broken, off=off)) == []
        statuses = mcp_tools.statuses()
        assert statuses["broken"]["state"] == "failed"
        assert statuses["off"] == {"state": "disabled", "tools": 0, "error": ""}
    finally:
        await mcp_tools.close_all()
    assert "MCP server broken failed to start" in caplog.text


def test_the_agents_app_registers_the_source_once() -> None:
    from agents.tools import registry

    mcp_tools.install()
    assert registry.SOURCES.count(mcp_tools.source) == 1


async def _gone(pid: int, timeout: float = 10) -> bool:
    """Whether the process ends within `timeout` seconds (servers are closed in the
    background)."""
    for _ in range(int(timeout / 0.05)):
        if not _alive(pid):
            return True
        await asyncio.sleep(0.05)
    return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def test_a_config_reload_stops_a_removed_server_without_waiting_for_a_turn() -> None:
    from config import runtime

    servers = {"keep": stdio_server(), "drop": stdio_server()}
    try:
        tools = by_name(await mcp_tools.source(ctx(**servers)))
        keep_pid = await tools["keep__pid"].run({}, ctx())
        drop_pid = int(await tools["drop__pid"].run({}, ctx()))

        runtime.set_current(ctx(keep=stdio_server()).config)

        assert await _gone(drop_pid)
        assert set(mcp_tools.statuses()) == {"keep"}
        assert await tools["keep__pid"].run({}, ctx()) == keep_pid
    finally:
        await mcp_tools.close_all()


def test_a_gateway_without_mcp_servers_never_imports_the_sdk() -> None:
    # In a fresh process: this test process has imported `mcp` already.
    script = (
        "import asyncio, sys, django; django.setup()\n"
        "from pathlib import Path\n"
        "from agents.tools import mcp, registry\n"
        "from agents.tools.base import ToolContext\n"
        "from config.schema import EpiloopConfig\n"
        "ctx = ToolContext('main', 'agent:main:main', Path('.'), EpiloopConfig())\n"
        "assert mcp.source in registry.SOURCES\n"
        "assert asyncio.run(mcp.source(ctx)) == []\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('mcp', 'mcp_types')))\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "epiloop_site.settings"}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


async def test_a_stdio_servers_stderr_goes_to_its_file_in_the_log_dir(tmp_path: Path) -> None:
    try:
        assert await mcp_tools.source(ctx(**{"loud.one": stdio_server("exit")})) == []
    finally:
        await mcp_tools.close_all()

    log_file = tmp_path / "logs" / "mcp" / "loud_one.log"
    assert "fake MCP server: refusing to start" in log_file.read_text()
