"""Which address and port the gateway listens on (DESIGN §3)."""

from __future__ import annotations

import fcntl
import ipaddress
import socket
import struct
from dataclasses import dataclass

from django.conf import settings

BIND_MODES = ("loopback", "lan", "tailnet", "custom", "auto")
DEFAULT_PORT = 18789
_TAILNET = ipaddress.ip_network("100.64.0.0/10")


class BindError(Exception):
    pass


@dataclass(frozen=True)
class Bind:
    mode: str
    host: str

    @property
    def is_loopback(self) -> bool:
        return ipaddress.ip_address(self.host).is_loopback


def resolve_port(flag: int | None, config_port: int | None) -> int:
    env_port = settings.EPILOOP_ENV["gateway_port"]
    if flag is not None:
        return flag
    if env_port:
        return int(env_port)
    return config_port or DEFAULT_PORT


def resolve_bind(flag: str | None, config_bind: str | None, custom_host: str | None) -> Bind:
    mode = flag or settings.EPILOOP_ENV["gateway_bind"] or config_bind or "loopback"
    if mode not in BIND_MODES:
        raise BindError(f"unknown bind mode {mode!r}; use one of {', '.join(BIND_MODES)}.")
    if mode == "loopback":
        return Bind(mode, "127.0.0.1")
    if mode == "lan":
        return Bind(mode, "0.0.0.0")
    if mode == "auto":
        return Bind(mode, "0.0.0.0" if settings.EPILOOP_IN_CONTAINER else "127.0.0.1")
    if mode == "tailnet":
        return Bind(mode, tailnet_address() or "127.0.0.1")
    if not custom_host:
        raise BindError("bind mode custom needs gateway.customBindHost; set it or use lan.")
    try:
        ipaddress.ip_address(custom_host)
    except ValueError:
        raise BindError(
            f"gateway.customBindHost {custom_host!r} is not an IP address; use e.g. 192.168.1.5."
        ) from None
    return Bind(mode, custom_host)


def tailnet_address() -> str | None:
    """The host's Tailscale (100.64.0.0/10) IPv4 address, if any interface has one."""
    for _, name in socket.if_nameindex():
        address = _ipv4_of(name)
        if address and ipaddress.ip_address(address) in _TAILNET:
            return address
    return None


def _ipv4_of(interface: str) -> str | None:
    siocgifaddr = 0x8915
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            packed = fcntl.ioctl(
                sock.fileno(), siocgifaddr, struct.pack("256s", interface[:15].encode())
            )
        except OSError:
            return None
    return socket.inet_ntoa(packed[20:24])
