"""A small MCP server built with the SDK's server side (`MCPServer`, formerly FastMCP).

    python tests/fakes/mcp/server.py stdio          # over stdin/stdout
    python tests/fakes/mcp/server.py http PORT      # streamable HTTP on 127.0.0.1:PORT/mcp
    python tests/fakes/mcp/server.py exit           # a broken server: complains and exits

Tools: add(a, b), echo(text), fail(message) (an `isError` result), env(name) (a variable of
the server's environment, to check what the gateway passes on), picture() (image content),
crash() (the process dies mid-call), sleep(seconds), pid(),
header(name) (a header of the HTTP request).
"""

from __future__ import annotations

import os
import sys

import anyio
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.utilities.types import Image

# A 1x1 PNG.
PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)

server = MCPServer("fake", log_level="WARNING")


@server.tool()
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@server.tool()
def echo(text: str) -> str:
    """Repeat the text."""
    return text


@server.tool()
def fail(message: str) -> str:
    """Always fails with the message."""
    raise ToolError(message)


@server.tool()
def env(name: str) -> str:
    """The value of an environment variable of this server, or <unset>."""
    return os.environ.get(name, "<unset>")


@server.tool()
async def sleep(seconds: float) -> str:
    """Answers after the given number of seconds."""
    await anyio.sleep(seconds)
    return "slept"


@server.tool()
def header(name: str, ctx: Context) -> str:
    """A header of the HTTP request that carried this call, or <unset> (or <stdio>)."""
    request = ctx.request_context.request
    if request is None:
        return "<stdio>"
    return str(request.headers.get(name, "<unset>"))


@server.tool()
def pid() -> int:
    """This server's process id."""
    return os.getpid()


@server.tool()
def crash() -> str:
    """Kills the server process mid-call, as a crashing server would."""
    os._exit(1)


@server.tool()
def picture() -> Image:
    """A tiny PNG."""
    return Image(data=PIXEL, format="png")


def main(argv: list[str]) -> None:
    mode = argv[1] if len(argv) > 1 else "stdio"
    if mode == "exit":
        print("fake MCP server: refusing to start", file=sys.stderr)
        sys.exit(3)
    if mode == "http":
        server.run("streamable-http", host="127.0.0.1", port=int(argv[2]))
    else:
        server.run("stdio")


if __name__ == "__main__":
    main(sys.argv)
