"""A fake MCP server over streamable HTTP on 127.0.0.1 (one per test module), and the
config entries that start the fake server over stdio or reach it over HTTP."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from config.schema_tools import McpServer

SERVER = str(Path(__file__).with_name("server.py"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stdio_server(*args: str, env: dict[str, str] | None = None) -> McpServer:
    """The fake server as a stdio subprocess (`exit` as the argument: one that fails)."""
    return McpServer(command=sys.executable, args=[SERVER, *(args or ("stdio",))], env=env or {})


def _wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"fake MCP HTTP server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("fake MCP HTTP server did not start listening")


@pytest.fixture(scope="module")
def mcp_http_url() -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, SERVER, "http", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port, process, 20)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
