"""A pretend internet for `web_fetch` tests, so that the guard runs as in production while
no packet leaves the machine.

`resolve` knows a few `.test` names (and `localhost`) and fails for every other name
instead of asking real DNS. `FakeInternet` is the network under the guarded client: it
connects PUBLIC (a public address the guard allows) to 127.0.0.1 on the same port, passes
loopback through, and fails the test for any other address: were the guard broken, a test
would fail here rather than send traffic to 10.0.0.1 or 169.254.169.254.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from typing import Any

import httpcore

from agents.tools.ssrf import IPAddress

PUBLIC = ipaddress.ip_address("93.184.215.14")
NAMES: dict[str, list[IPAddress]] = {
    "public.test": [PUBLIC],
    "mixed.test": [PUBLIC, ipaddress.ip_address("127.0.0.1")],
    "intranet.test": [ipaddress.ip_address("192.168.1.20")],
    "localhost": [ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1")],
}


async def resolve(host: str, port: int) -> list[IPAddress]:
    try:
        return list(NAMES[host])
    except KeyError:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known") from None


class FakeInternet(httpcore.AsyncNetworkBackend):
    def __init__(self) -> None:
        self.inner = httpcore.AnyIOBackend()
        self.connected: list[str] = []  # the addresses the guarded client connected to

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        ip = ipaddress.ip_address(host)  # the guard hands over addresses, never names
        self.connected.append(host)
        if ip == PUBLIC:
            host = "127.0.0.1"
        elif not ip.is_loopback:
            raise AssertionError(f"the test tried to connect to {host}")
        return await self.inner.connect_tcp(host, port, timeout, local_address, socket_options)

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)
