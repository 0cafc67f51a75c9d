"""The address classifier and the host check of the web_fetch guard (no network: the
resolver is a function)."""

from __future__ import annotations

import ipaddress

import pytest

from agents.tools.base import ToolError
from agents.tools.ssrf import IPAddress, checked_addresses, classify, system_resolve
from tests.fakes.web.network import resolve

HINT = "; set tools.web.fetch.allowPrivateNetwork to allow it"


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("127.0.0.1", "a loopback address"),
        ("127.8.9.10", "a loopback address"),
        ("10.0.0.1", "a private address"),
        ("172.16.5.4", "a private address"),
        ("172.31.255.255", "a private address"),
        ("192.168.1.1", "a private address"),
        ("169.254.169.254", "the cloud metadata address"),
        ("100.100.100.200", "the cloud metadata address"),
        ("169.254.1.1", "a link-local address"),
        ("100.64.0.1", "a shared (carrier-grade NAT) address"),
        ("100.127.255.254", "a shared (carrier-grade NAT) address"),
        ("0.0.0.0", "an unspecified address"),
        ("0.1.2.3", "a reserved address"),
        ("224.0.0.1", "a multicast address"),
        ("239.255.255.250", "a multicast address"),
        ("240.0.0.1", "a reserved address"),
        ("255.255.255.255", "a reserved address"),
        ("192.0.2.1", "a reserved address"),
        ("::1", "a loopback address"),
        ("::", "an unspecified address"),
        ("fc00::1", "a private address"),
        ("fd12:3456::1", "a private address"),
        ("fe80::1", "a link-local address"),
        ("ff02::1", "a multicast address"),
        ("fd00:ec2::254", "the cloud metadata address"),
        ("::ffff:127.0.0.1", "a loopback address"),
        ("::ffff:10.0.0.1", "a private address"),
        ("::ffff:169.254.169.254", "the cloud metadata address"),
        ("2002:7f00:1::", "a loopback address"),  # 6to4 around 127.0.0.1
        ("64:ff9b::a9fe:a9fe", "the cloud metadata address"),  # NAT64 around 169.254.169.254
        ("::7f00:1", "a reserved address"),  # IPv4-compatible 127.0.0.1
        ("2001:db8::1", "a reserved address"),
    ],
)
def test_it_names_why_an_address_is_not_public(address: str, why: str) -> None:
    assert classify(ipaddress.ip_address(address)) == why


@pytest.mark.parametrize(
    "address",
    ["93.184.215.14", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700:4700::1111"],
)
def test_it_lets_public_addresses_through(address: str) -> None:
    assert classify(ipaddress.ip_address(address)) is None


async def check(host: str, allow_private: bool = False) -> list[IPAddress]:
    return await checked_addresses(host, 80, allow_private=allow_private, resolve=resolve)


@pytest.mark.parametrize(
    ("host", "message"),
    [
        ("10.0.0.1", "refused: 10.0.0.1 is a private address" + HINT),
        ("[::1]", "refused: ::1 is a loopback address" + HINT),
        (
            "localhost",
            "refused: localhost resolves to 127.0.0.1, which is a loopback address" + HINT,
        ),
        (
            "intranet.test",
            "refused: intranet.test resolves to 192.168.1.20, which is a private address" + HINT,
        ),
        (
            "169.254.169.254",
            "refused: 169.254.169.254 is the cloud metadata address (always refused)",
        ),
    ],
)
async def test_it_refuses_a_host_in_one_line_that_names_the_setting(
    host: str, message: str
) -> None:
    with pytest.raises(ToolError) as refused:
        await check(host)
    assert str(refused.value) == message


async def test_it_refuses_a_name_when_any_of_its_addresses_is_private() -> None:
    with pytest.raises(ToolError, match=r"mixed.test resolves to 127.0.0.1"):
        await check("mixed.test")


async def test_it_returns_the_addresses_it_checked_for_a_public_name() -> None:
    assert await check("public.test") == [ipaddress.ip_address("93.184.215.14")]


async def test_allowing_private_networks_lets_private_addresses_through() -> None:
    assert await check("10.0.0.1", allow_private=True) == [ipaddress.ip_address("10.0.0.1")]
    assert len(await check("localhost", allow_private=True)) == 2


async def test_allowing_private_networks_still_refuses_the_metadata_address() -> None:
    with pytest.raises(ToolError, match="always refused"):
        await check("169.254.169.254", allow_private=True)


async def test_a_name_that_does_not_resolve_is_an_error_naming_it() -> None:
    with pytest.raises(ToolError, match=r"^could not resolve nowhere\.test: "):
        await check("nowhere.test")


async def test_the_system_resolver_resolves_localhost_to_loopback() -> None:
    found = await system_resolve("localhost", 80)
    assert found and all(ip.is_loopback for ip in found)
