"""The connect handshake: params, protocol range, token/password, origin, failed-auth limits."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from gateway import auth
from gateway.auth import LIMITER
from gateway.protocol import frames
from gateway.protocol.frames import INVALID_REQUEST, UNAVAILABLE, ProtocolError

HANDSHAKE_TIMEOUT_S = 10.0
# Failed auth attempts are limited per address by the gateway-wide limiter (shared with
# the admin's token sign-in): LIMITER.limit failures within LIMITER.window seconds.
FAILED_AUTH_LIMIT = LIMITER.limit


class HandshakeError(ProtocolError):
    """A connect failure: answered with an error frame, then the socket closes with `close`."""

    def __init__(self, code: str, message: str, close: int, reason: str, **kw: Any) -> None:
        super().__init__(code, message, **kw)
        self.close_code = close
        self.close_reason = reason


def header(scope: dict[str, Any], name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return ""


def client_address(scope: dict[str, Any]) -> str:
    client = scope.get("client") or ("", 0)
    return auth.client_address(header(scope, b"fly-client-ip"), str(client[0] or ""))


def origin_allowed(scope: dict[str, Any], allowed: list[str]) -> bool:
    """Browsers send Origin: it must be this gateway's own origin or an allowed one."""
    origin = header(scope, b"origin")
    if not origin:
        return True  # CLIs and bots: the token decides
    if "*" in allowed or origin.rstrip("/") in {a.rstrip("/") for a in allowed}:
        return True
    host = header(scope, b"host")
    return bool(host) and urlsplit(origin).netloc.lower() == host.lower()


def check_rate(address: str) -> None:
    wait = LIMITER.retry_after(address)
    if wait:
        wait_ms = int(wait * 1000) + 1
        raise HandshakeError(
            UNAVAILABLE,
            f"too many failed auth attempts from {address}; retry in {wait_ms // 1000 + 1} s",
            frames.CLOSE_POLICY,
            "too many failed auth attempts",
            retry_after_ms=wait_ms,
        )


def record_failure(address: str) -> None:
    LIMITER.failed(address)


def reset_failures() -> None:
    LIMITER.reset()


def validate_connect(params: dict[str, Any]) -> dict[str, Any]:
    """The `client` block of valid connect params; HandshakeError otherwise."""
    missing = [k for k in ("minProtocol", "maxProtocol", "client") if k not in params]
    if missing:
        raise HandshakeError(
            INVALID_REQUEST,
            f"invalid connect params: missing {', '.join(missing)}",
            frames.CLOSE_POLICY,
            "invalid connect params",
        )
    lo, hi = params["minProtocol"], params["maxProtocol"]
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (lo, hi)):
        raise HandshakeError(
            INVALID_REQUEST,
            "invalid connect params: minProtocol and maxProtocol must be integers",
            frames.CLOSE_POLICY,
            "invalid connect params",
        )
    client = params["client"]
    if not isinstance(client, dict) or not isinstance(client.get("id"), str):
        raise HandshakeError(
            INVALID_REQUEST,
            "invalid connect params: client must be an object with an id",
            frames.CLOSE_POLICY,
            "invalid connect params",
        )
    if not lo <= frames.PROTOCOL_VERSION <= hi:
        raise HandshakeError(
            INVALID_REQUEST,
            "protocol mismatch",
            frames.CLOSE_PROTOCOL_ERROR,
            "protocol mismatch",
            details={
                "expectedProtocol": frames.PROTOCOL_VERSION,
                "minProtocol": lo,
                "maxProtocol": hi,
            },
        )
    auth = params.get("auth")
    if auth is not None and not isinstance(auth, dict):
        raise HandshakeError(
            INVALID_REQUEST,
            "invalid connect params: auth must be an object",
            frames.CLOSE_POLICY,
            "invalid connect params",
        )
    return client


def authenticate(params: dict[str, Any], address: str) -> None:
    """Token or password must match; the device block is accepted and ignored."""
    from gateway.auth import GATEWAY_SECRETS, token_matches

    check_rate(address)
    if not any(GATEWAY_SECRETS.values()):
        return  # no auth configured (loopback only: rungateway refuses anything else)
    auth = params.get("auth") or {}
    given = auth.get("token") or auth.get("password")
    if isinstance(given, str) and token_matches(given):
        return
    record_failure(address)
    what = "missing" if not given else "wrong"
    raise HandshakeError(
        INVALID_REQUEST,
        f"unauthorized: gateway token {what} (paste the token from the gateway's start-up "
        "line or gateway.auth.token)",
        frames.CLOSE_POLICY,
        "unauthorized",
    )
