"""Which addresses `web_fetch` may connect to: the server-side request forgery guard.

A model that can fetch any URL can be talked (by a web page it read, or a chat message)
into fetching the gateway's own admin, a router's page or the cloud metadata service. So a
host is resolved first and refused if ANY of its addresses is not a public one; the fetch
then connects to an address checked here (`agents/tools/pinned.py`), never to a second
resolution of the name.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable

from agents.tools.base import ToolError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# (host, port) -> the addresses to try, in order; tests inject one that knows `public.test`.
Resolver = Callable[[str, int], Awaitable[list[IPAddress]]]

SETTING = "tools.web.fetch.allowPrivateNetwork"

# Instance metadata services hand out cloud credentials: refused even when private
# addresses are allowed (AWS/GCP/Azure, AWS over IPv6, Alibaba).
METADATA = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200")
)
METADATA_WHY = "the cloud metadata address"
_PRIVATE = tuple(
    ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
)
_SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT (RFC 6598)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# IPv4-compatible IPv6 (deprecated) that Python still counts as global.
_V4_COMPATIBLE = ipaddress.ip_network("::/96")


def embedded_v4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, 6to4, NAT64), which is where the
    packets end up."""
    if isinstance(ip, ipaddress.IPv4Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def classify(ip: IPAddress) -> str | None:
    """Why `ip` is not a public address ("a private address", ...), or None if it is."""
    inner = embedded_v4(ip)
    if inner is not None:
        return classify(inner)
    if ip in METADATA:
        return METADATA_WHY
    if ip.is_unspecified:
        return "an unspecified address"
    if ip.is_loopback:
        return "a loopback address"
    if any(ip in net for net in _PRIVATE if net.version == ip.version):
        return "a private address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_multicast:  # Python counts 224.0.0.0/4 and ff00::/8 as global
        return "a multicast address"
    if ip in _SHARED:
        return "a shared (carrier-grade NAT) address"
    if ip.is_reserved or not ip.is_global or ip in _V4_COMPATIBLE:
        return "a reserved address"
    return None


def refusal(host: str, ip: IPAddress, why: str) -> str:
    subject = str(ip) if host.strip("[]") == str(ip) else f"{host} resolves to {ip}, which"
    if why == METADATA_WHY:
        return f"refused: {subject} is {why} (always refused)"
    return f"refused: {subject} is {why}; set {SETTING} to allow it"


async def system_resolve(host: str, port: int) -> list[IPAddress]:
    """The system resolver's addresses for `host` (getaddrinfo in a thread), in its order."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    found: list[IPAddress] = []
    for info in infos:
        ip = ipaddress.ip_address(info[4][0])
        if ip not in found:
            found.append(ip)
    return found


def literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


async def checked_addresses(
    host: str, port: int, *, allow_private: bool, resolve: Resolver
) -> list[IPAddress]:
    """The addresses to connect to for `host`; `ToolError` if it does not resolve or if any
    address is refused (one bad address is enough: which one a connection would use is
    not ours to choose)."""
    ip = literal(host)
    if ip is not None:
        addresses = [ip]
    else:
        try:
            addresses = await resolve(host, port)
        except (OSError, UnicodeError) as exc:
            raise ToolError(f"could not resolve {host}: {exc}") from None
        if not addresses:
            raise ToolError(f"could not resolve {host}: no addresses")
    for ip in addresses:
        why = classify(ip)
        if why is not None and (not allow_private or why == METADATA_WHY):
            raise ToolError(refusal(host, ip, why))
    return addresses
