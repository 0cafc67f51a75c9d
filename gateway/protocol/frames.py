"""Frame shapes, error codes, limits and close codes of gateway protocol v3."""

from __future__ import annotations

import json
from typing import Any

PROTOCOL_VERSION = 3
MAX_PAYLOAD = 512 * 1024  # bytes per incoming frame
MAX_BUFFERED_BYTES = 1536 * 1024  # per-connection outgoing backlog before we hold frames back

INVALID_REQUEST = "INVALID_REQUEST"
UNAVAILABLE = "UNAVAILABLE"
NOT_PAIRED = "NOT_PAIRED"
AGENT_TIMEOUT = "AGENT_TIMEOUT"
ERROR_CODES = (INVALID_REQUEST, UNAVAILABLE, NOT_PAIRED, AGENT_TIMEOUT)

CLOSE_NORMAL = 1000
CLOSE_PROTOCOL_ERROR = 1002
CLOSE_POLICY = 1008
CLOSE_TOO_BIG = 1009
CLOSE_RESTART = 1012


class ProtocolError(Exception):
    """A request that fails with `{code, message, details?}`; handlers raise it."""

    def __init__(
        self,
        code: str,
        message: str,
        details: dict[str, Any] | None = None,
        retry_after_ms: int | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details
        self.retry_after_ms = retry_after_ms

    def shape(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details is not None:
            error["details"] = self.details
        if self.retry_after_ms is not None:
            error["retryable"] = True
            error["retryAfterMs"] = self.retry_after_ms
        return error


def dumps(frame: dict[str, Any]) -> str:
    return json.dumps(frame, separators=(",", ":"), ensure_ascii=False, default=str)


def res_ok(req_id: Any, payload: Any) -> str:
    return dumps({"type": "res", "id": req_id, "ok": True, "payload": payload})


def res_error(req_id: Any, error: ProtocolError) -> str:
    return dumps({"type": "res", "id": req_id, "ok": False, "error": error.shape()})


def event(name: str, payload: Any, seq: int | None = None) -> str:
    frame: dict[str, Any] = {"type": "event", "event": name, "payload": payload}
    if seq is not None:
        frame["seq"] = seq
    return dumps(frame)


def parse_request(text: str) -> tuple[Any, str, dict[str, Any]]:
    """(id, method, params) of a request frame, or ProtocolError naming what is wrong."""
    try:
        frame = json.loads(text)
    except ValueError as exc:
        raise ProtocolError(INVALID_REQUEST, f"frame is not JSON: {exc}") from None
    if not isinstance(frame, dict):
        raise ProtocolError(INVALID_REQUEST, "frame must be a JSON object")
    if frame.get("type") != "req":
        raise ProtocolError(INVALID_REQUEST, 'frame type must be "req"')
    req_id = frame.get("id")
    if not isinstance(req_id, (str, int)) or isinstance(req_id, bool) or req_id == "":
        raise ProtocolError(INVALID_REQUEST, "request id must be a non-empty string")
    method = frame.get("method")
    if not isinstance(method, str) or not method:
        raise ProtocolError(INVALID_REQUEST, "request method must be a non-empty string")
    params = frame.get("params")
    if params is None:
        params = {}
    if not isinstance(params, dict):
        raise ProtocolError(INVALID_REQUEST, "params must be an object")
    return req_id, method, params


def frame_too_big(text: str) -> int:
    """The frame's size in bytes when it exceeds MAX_PAYLOAD, else 0 (cheap for small frames)."""
    if len(text) * 4 <= MAX_PAYLOAD:
        return 0
    size = len(text.encode("utf-8", "surrogatepass"))
    return size if size > MAX_PAYLOAD else 0


def require_str(params: dict[str, Any], name: str, *, allow_empty: bool = False) -> str:
    value = params.get(name)
    if not isinstance(value, str) or (not allow_empty and not value.strip()):
        raise ProtocolError(INVALID_REQUEST, f"{name} is required (a non-empty string)")
    return value


def optional_int(params: dict[str, Any], name: str, default: int, lo: int, hi: int) -> int:
    value = params.get(name, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ProtocolError(INVALID_REQUEST, f"{name} must be a number")
    return max(lo, min(hi, int(value)))
