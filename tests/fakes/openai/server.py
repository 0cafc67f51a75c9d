"""Fake OpenAI Chat Completions API: POST /v1/chat/completions (SSE or JSON), GET /v1/models."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp import web

from tests.fakes.anthropic.scripted import FakeModelServer, Step

_STATUS_CODES = {
    400: ("invalid_request_error", None),
    401: ("invalid_request_error", "invalid_api_key"),
    402: ("insufficient_quota", "insufficient_quota"),
    429: ("requests", "rate_limit_exceeded"),
    500: ("server_error", None),
    503: ("server_error", None),
}


def _chunk(model: str, delta: dict[str, Any], finish: str | None = None) -> bytes:
    data = {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return f"data: {json.dumps(data)}\n\n".encode()


class FakeOpenAI(FakeModelServer):
    def add_routes(self, app: web.Application) -> None:
        app.router.add_post("/v1/chat/completions", self.handle)
        app.router.add_get("/v1/models", self.list_models)

    async def list_models(self, request: web.Request) -> web.Response:
        data = [{"id": m, "object": "model", "created": 0, "owned_by": "fake"} for m in self.models]
        return web.json_response({"object": "list", "data": data})

    def error_response(self, step: Step) -> web.Response:
        body = step.error_body
        if body is None:
            etype, code = _STATUS_CODES.get(step.status, ("server_error", None))
            if step.error_type:
                etype = code = step.error_type
            body = {
                "error": {"message": step.error_message, "type": etype, "param": None, "code": code}
            }
        text = body if isinstance(body, str) else json.dumps(body)
        return web.Response(status=step.status, text=text, content_type="application/json")

    def json_response(self, model: str, step: Step) -> web.Response:
        body = {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": 0,
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {
                        "role": "assistant",
                        "content": step.text or None,
                        **(
                            {
                                "tool_calls": [
                                    {
                                        "id": i,
                                        "type": "function",
                                        "function": {"name": n, "arguments": a},
                                    }
                                    for i, n, a in step.calls()
                                ]
                            }
                            if step.tool_calls
                            else {}
                        ),
                    },
                    "finish_reason": "tool_calls" if step.tool_calls else "stop",
                }
            ],
            "usage": {
                "prompt_tokens": step.usage[0],
                "completion_tokens": step.usage[1],
                "total_tokens": sum(step.usage),
            },
        }
        return web.json_response(body)

    async def stream_response(
        self, request: web.Request, body: dict[str, Any], step: Step
    ) -> web.StreamResponse:
        model = str(body.get("model", ""))
        response = await self.open_sse(request)
        await response.write(_chunk(model, {"role": "assistant", "content": ""}))
        for i, piece in enumerate(step.pieces()):
            if step.drop_after is not None and i >= step.drop_after:
                self.drop(request)
                return response
            if step.error_event_after is not None and i >= step.error_event_after:
                error = {
                    "message": step.error_message,
                    "type": step.error_type or "server_error",
                    "code": step.error_type or "server_error",
                }
                await response.write(f"data: {json.dumps({'error': error})}\n\n".encode())
                return response
            if step.chunk_delay:
                await asyncio.sleep(step.chunk_delay)
            await response.write(_chunk(model, {"content": piece}))
        for index, (call_id, name, raw) in enumerate(step.calls()):
            first = {
                "index": index,
                "id": call_id,
                "type": "function",
                "function": {"name": name, "arguments": ""},
            }
            await response.write(_chunk(model, {"tool_calls": [first]}))
            for part in step.halves(raw):
                more = {"index": index, "function": {"arguments": part}}
                await response.write(_chunk(model, {"tool_calls": [more]}))
        finish = "tool_calls" if step.tool_calls else "stop"
        await response.write(_chunk(model, {}, finish))
        if (body.get("stream_options") or {}).get("include_usage"):
            usage = {
                "id": "chatcmpl-fake",
                "object": "chat.completion.chunk",
                "created": 0,
                "model": model,
                "choices": [],
                "usage": {
                    "prompt_tokens": step.usage[0],
                    "completion_tokens": step.usage[1],
                    "total_tokens": sum(step.usage),
                },
            }
            await response.write(f"data: {json.dumps(usage)}\n\n".encode())
        await response.write(b"data: [DONE]\n\n")
        await response.write_eof()
        return response
