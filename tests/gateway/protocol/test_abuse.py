"""Failed-auth limits per client address and the Fly-Client-IP rule, in process."""

from __future__ import annotations

import pytest

from gateway.auth import GATEWAY_SECRETS
from gateway.protocol import handshake
from tests.gateway.protocol.inproc import Conn

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(GATEWAY_SECRETS, "token", "test-token-abc-123456")
    handshake.reset_failures()


async def fail(
    client: tuple[str, int] = ("10.0.0.9", 1), headers: list[tuple[bytes, bytes]] | None = None
) -> dict:
    conn, res = await Conn.open("wrong-token-000", client=client, headers=headers)
    closed = await conn.recv()
    assert closed["type"] == "close" and closed["code"] == 1008
    await conn.close()
    return res


async def test_after_ten_failures_an_address_is_refused_even_with_the_right_token() -> None:
    for _ in range(handshake.FAILED_AUTH_LIMIT):
        res = await fail()
        assert res["error"]["message"].startswith("unauthorized")
    conn, res = await Conn.open(client=("10.0.0.9", 2))
    await conn.close()
    assert res["ok"] is False
    assert res["error"]["code"] == "UNAVAILABLE"
    assert res["error"]["message"].startswith("too many failed auth attempts from 10.0.0.9")
    assert res["error"]["retryAfterMs"] > 0


async def test_other_addresses_are_not_affected() -> None:
    for _ in range(handshake.FAILED_AUTH_LIMIT):
        await fail()
    conn, res = await Conn.open(client=("10.0.0.10", 2))
    await conn.close()
    assert res["ok"] is True


async def test_on_fly_the_address_is_taken_from_fly_client_ip(
    settings: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.conf import settings as django_settings

    monkeypatch.setitem(django_settings.EPILOOP_ENV, "fly_app_name", "my-epiloop")
    proxy = ("172.16.0.2", 1)
    for _ in range(handshake.FAILED_AUTH_LIMIT):
        await fail(proxy, [(b"fly-client-ip", b"203.0.113.5")])
    blocked, res_blocked = await Conn.open(
        client=proxy, headers=[(b"fly-client-ip", b"203.0.113.5")]
    )
    other, res_other = await Conn.open(client=proxy, headers=[(b"fly-client-ip", b"198.51.100.1")])
    await blocked.close()
    await other.close()
    assert res_blocked["error"]["code"] == "UNAVAILABLE"
    assert res_other["ok"] is True


async def test_off_fly_a_fly_client_ip_header_is_not_believed() -> None:
    for i in range(handshake.FAILED_AUTH_LIMIT):
        await fail(("10.0.0.11", 1), [(b"fly-client-ip", f"203.0.113.{i}".encode())])
    conn, res = await Conn.open(client=("10.0.0.11", 2))
    await conn.close()
    assert res["error"]["code"] == "UNAVAILABLE"


async def test_an_allowed_origin_from_the_config_may_connect() -> None:
    from config import runtime
    from config.schema import EpiloopConfig

    before = runtime.current()
    runtime.set_current(
        EpiloopConfig.model_validate(
            {"gateway": {"controlUi": {"allowedOrigins": ["https://ops.example.com"]}}}
        )
    )
    try:
        headers = [(b"origin", b"https://ops.example.com"), (b"host", b"gw.internal:18789")]
        conn, res = await Conn.open(headers=headers)
        await conn.close()
        assert res["ok"] is True
    finally:
        runtime.set_current(before)
