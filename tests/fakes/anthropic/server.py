"""Fake Anthropic Messages API: POST /v1/messages, SSE streaming and plain JSON."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp import web

from tests.fakes.anthropic.scripted import FakeModelServer, Step

_STATUS_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}


def _event(name: str, data: dict[str, Any]) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()


class FakeAnthropic(FakeModelServer):
    def add_routes(self, app: web.Application) -> None:
        app.router.add_post("/v1/messages", self.handle)

    def error_response(self, step: Step) -> web.Response:
        body = step.error_body
        if body is None:
            etype = step.error_type or _STATUS_TYPES.get(step.status, "api_error")
            body = {"type": "error", "error": {"type": etype, "message": step.error_message}}
        text = body if isinstance(body, str) else json.dumps(body)
        return web.Response(status=step.status, text=text, content_type="application/json")

    def json_response(self, model: str, step: Step) -> web.Response:
        body = {
            "id": "msg_fake",
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": [{"type": "text", "text": step.text}]
            + [
                {"type": "tool_use", "id": i, "name": n, "input": json.loads(a)}
                for i, n, a in step.calls()
            ],
            "stop_reason": "tool_use" if step.tool_calls else "end_turn",
            "stop_sequence": None,
            "usage": {"input_tokens": step.usage[0], "output_tokens": step.usage[1]},
        }
        return web.Response(text=json.dumps(body), content_type="application/json")

    async def stream_response(
        self, request: web.Request, body: dict[str, Any], step: Step
    ) -> web.StreamResponse:
        model = str(body.get("model", ""))
        response = await self.open_sse(request)
        message: dict[str, Any] = {
            "id": "msg_fake",
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": {"input_tokens": step.usage[0], "output_tokens": 1},
        }
        await response.write(_event("message_start", {"type": "message_start", "message": message}))
        block = {
            "type": "content_block_start",
            "index": 0,
            "content_block": {"type": "text", "text": ""},
        }
        await response.write(_event("content_block_start", block))
        for i, piece in enumerate(step.pieces()):
            if step.drop_after is not None and i >= step.drop_after:
                self.drop(request)
                return response
            if step.error_event_after is not None and i >= step.error_event_after:
                error = {
                    "type": step.error_type or "overloaded_error",
                    "message": step.error_message,
                }
                await response.write(_event("error", {"type": "error", "error": error}))
                return response
            if step.chunk_delay:
                await asyncio.sleep(step.chunk_delay)
            delta = {
                "type": "content_block_delta",
                "index": 0,
                "delta": {"type": "text_delta", "text": piece},
            }
            await response.write(_event("content_block_delta", delta))
        await response.write(
            _event("content_block_stop", {"type": "content_block_stop", "index": 0})
        )
        for index, (call_id, name, raw) in enumerate(step.calls(), start=1):
            start = {
                "type": "content_block_start",
                "index": index,
                "content_block": {"type": "tool_use", "id": call_id, "name": name, "input": {}},
            }
            await response.write(_event("content_block_start", start))
            for part in step.halves(raw):
                delta = {
                    "type": "content_block_delta",
                    "index": index,
                    "delta": {"type": "input_json_delta", "partial_json": part},
                }
                await response.write(_event("content_block_delta", delta))
            stop = {"type": "content_block_stop", "index": index}
            await response.write(_event("content_block_stop", stop))
        done = {
            "type": "message_delta",
            "delta": {
                "stop_reason": "tool_use" if step.tool_calls else "end_turn",
                "stop_sequence": None,
            },
            "usage": {"output_tokens": step.usage[1]},
        }
        await response.write(_event("message_delta", done))
        await response.write(_event("message_stop", {"type": "message_stop"}))
        await response.write_eof()
        return response
