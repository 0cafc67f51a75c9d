"""HTTP status and error-body classification shared by the provider modules."""

from __future__ import annotations

import functools
import re

_CONTEXT = re.compile(
    r"context.length|context window|prompt is too long|maximum context|too many tokens"
    r"|input is too long|reduce the length",
    re.IGNORECASE,
)
_BILLING = re.compile(
    r"credit balance|insufficient.quota|billing|payment required|exceeded your current quota",
    re.IGNORECASE,
)


def classify_status(status: int, message: str = "", hint: str | None = None) -> str:
    """Error kind for an HTTP status (and the error text, which refines 400/429)."""
    if status == 402 or _BILLING.search(message):
        return "billing"
    if status in (400, 413, 422) and _CONTEXT.search(message):
        return "context_length"
    if status == 429:
        return "rate_limit"
    if status == 529:
        return "overloaded"
    if status in (401, 403):
        return "auth"
    if status in (408, 504):
        return "timeout"
    if status >= 500:
        return "server_error"
    if hint:
        return hint
    return "invalid_request"


def kind_from_body(body: object, types: dict[str, str]) -> str | None:
    """Kind from a JSON error body such as `{"error": {"type": "overloaded_error"}}`."""
    if not isinstance(body, dict):
        return None
    error = body.get("error", body)
    if not isinstance(error, dict):
        return None
    for key in ("type", "code"):
        value = error.get(key)
        if isinstance(value, str) and value in types:
            return types[value]
    return None


@functools.cache
def transport_errors() -> tuple[type[BaseException], ...]:
    """The HTTP library's transport error base, which escapes the SDKs mid-stream."""
    import httpx2  # the SDKs' HTTP library; present whenever a provider module is in use

    return (httpx2.TransportError,)


CONNECT_TIMEOUT = 10.0


def request_timeout(seconds: float) -> object:
    """The SDK timeout: `seconds` for each read, but a dead host is given up on quickly."""
    import httpx2

    return httpx2.Timeout(seconds, connect=min(CONNECT_TIMEOUT, seconds))
