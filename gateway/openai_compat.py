"""`POST /v1/chat/completions`: the OpenAI chat API in front of Epiloop's agents.

Off unless `gateway.http.endpoints.chatCompletions.enabled`. Bearer gateway token; model
`epiloop:<agentId>` (`epiloop` alone is the default agent); the OpenAI `user` field pins a
session (`agent:<id>:openai-user:<user>`), without it every request is a fresh session and
earlier messages of the request are given to the agent as context.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

from django.http import HttpRequest, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.views.decorators.csrf import csrf_exempt

from agents import sessionkeys
from gateway.protocol import agentsinfo


def _error(status: int, message: str, kind: str, code: str | None = None) -> JsonResponse:
    body = {"error": {"message": message, "type": kind, "param": None, "code": code}}
    return JsonResponse(body, status=status)


def _authorized(request: HttpRequest) -> bool:
    from gateway.auth import GATEWAY_SECRETS, token_matches

    if not any(GATEWAY_SECRETS.values()):
        return True
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    return scheme.lower() == "bearer" and token_matches(given.strip())


def _agent_for(model: Any) -> str | None:
    if not isinstance(model, str) or not model.strip():
        return None
    name = model.strip()
    if name == "epiloop":
        return agentsinfo.default_agent_id()
    for prefix in ("epiloop:", "epiloop/"):
        if name.startswith(prefix):
            agent_id = name[len(prefix) :]
            return agent_id if agentsinfo.known_agent(agent_id) else None
    return None


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return ""


def _prompt(messages: list[Any], pinned: bool) -> str:
    """The text the agent gets: the last user message, plus the request's earlier messages
    as context when no session remembers them."""
    turns = [(m.get("role"), _text(m.get("content"))) for m in messages if isinstance(m, dict)]
    last = next((i for i in range(len(turns) - 1, -1, -1) if turns[i][0] == "user"), None)
    if last is None:
        return ""
    if pinned or last == 0:
        return turns[last][1]
    context = "\n".join(f"{role}: {text}" for role, text in turns[:last] if text)
    return f"Earlier in this conversation:\n{context}\n\n{turns[last][1]}"


@csrf_exempt
async def chat_completions(request: HttpRequest) -> HttpResponseBase:
    from config.runtime import current

    if not current().gateway.http.endpoints.chat_completions.enabled:
        return _error(404, "Not found: enable gateway.http.endpoints.chatCompletions", "not_found")
    if request.method != "POST":
        return _error(405, "use POST", "invalid_request_error")
    if not _authorized(request):
        return _error(
            401,
            "invalid gateway token (Authorization: Bearer <token>)",
            "invalid_request_error",
            "invalid_api_key",
        )
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return _error(400, "the body must be JSON", "invalid_request_error")
    if not isinstance(body, dict):
        return _error(400, "the body must be a JSON object", "invalid_request_error")
    agent_id = _agent_for(body.get("model"))
    if agent_id is None:
        return _error(
            404,
            f"unknown model {body.get('model')!r}; use epiloop:<agentId>",
            "invalid_request_error",
            "model_not_found",
        )
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return _error(400, "messages must be a non-empty list", "invalid_request_error")
    user = body.get("user")
    user = user.strip() if isinstance(user, str) else ""
    pinned = bool(user)
    prompt = _prompt(messages, pinned)
    if not prompt.strip():
        return _error(400, "no user message to answer", "invalid_request_error")
    session_key = (
        sessionkeys.openai_user(agent_id, user)
        if pinned
        else sessionkeys.openai_request(agent_id, uuid.uuid4().hex)
    )
    try:
        from agents.service import run_turn
    except ImportError:
        return _error(503, "agents are not available", "server_error")
    model = str(body["model"])
    if body.get("stream"):
        stream = _stream(run_turn, agent_id, session_key, prompt, model)
        response = StreamingHttpResponse(stream, content_type="text/event-stream")
        response["Cache-Control"] = "no-cache"
        return response
    result = await run_turn(
        agent_id, session_key, prompt, on_delta=lambda _t: None, abort=None, channel="openai"
    )
    text = str(getattr(result, "text", "") or "")
    if not getattr(result, "ok", True) or not text:
        return _error(502, text or "the model returned no reply", "upstream_error")
    return JsonResponse(_completion(model, text, getattr(result, "usage", None)))


def _usage(usage: Any) -> dict[str, int]:
    if not isinstance(usage, dict):
        usage = getattr(usage, "__dict__", {}) or {}
    prompt = int(usage.get("inputTokens") or usage.get("input_tokens") or 0)
    completion = int(usage.get("outputTokens") or usage.get("output_tokens") or 0)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def _completion(model: str, text: str, usage: Any) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
        ],
        "usage": _usage(usage),
    }


async def _stream(
    run_turn: Any, agent_id: str, session_key: str, prompt: str, model: str
) -> AsyncIterator[str]:
    chunk_id = f"chatcmpl-{uuid.uuid4().hex}"
    created = int(time.time())
    queue: asyncio.Queue[str | None] = asyncio.Queue()
    abort = asyncio.Event()
    sent = {"text": ""}

    def on_delta(text: str) -> None:
        queue.put_nowait(text)

    async def run() -> Any:
        try:
            return await run_turn(
                agent_id, session_key, prompt, on_delta=on_delta, abort=abort, channel="openai"
            )
        finally:
            queue.put_nowait(None)

    def chunk(delta: dict[str, Any], finish: str | None = None) -> str:
        body = {
            "id": chunk_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }
        return f"data: {json.dumps(body)}\n\n"

    def new_part(text: str) -> str:
        part = text[len(sent["text"]) :] if text.startswith(sent["text"]) else text
        sent["text"] = text
        return part

    task = asyncio.ensure_future(run())
    try:
        yield chunk({"role": "assistant", "content": ""})
        while (item := await queue.get()) is not None:
            part = new_part(item)
            if part:
                yield chunk({"content": part})
        result = await task
        text = str(getattr(result, "text", "") or "")
        part = new_part(text) if text else ""
        if part:
            yield chunk({"content": part})
        yield chunk({}, "stop" if getattr(result, "ok", True) else "error")
        yield "data: [DONE]\n\n"
    finally:
        if not task.done():
            abort.set()
            task.cancel()
