"""OpenAI Chat Completions through the `openai` SDK (streaming); also every
OpenAI-compatible server (Google's OpenAI endpoint, Ollama, vLLM, LM Studio, OpenRouter)."""

from __future__ import annotations

import inspect
import json
from typing import Any

import openai

from agents.providers import (
    ChatMessage,
    ModelCall,
    ModelOutput,
    OnText,
    ProviderError,
    ToolCall,
    parse_arguments,
)
from agents.providers.clients import cached
from agents.providers.errors import (
    classify_status,
    kind_from_body,
    request_timeout,
    transport_errors,
)

_ERROR_CODES = {
    "rate_limit_exceeded": "rate_limit",
    "insufficient_quota": "billing",
    "context_length_exceeded": "context_length",
    "invalid_api_key": "auth",
    "server_error": "server_error",
    "overloaded": "overloaded",
    "overloaded_error": "overloaded",
    "rate_limit_error": "rate_limit",
    "invalid_request_error": "invalid_request",
}


def _client(call: ModelCall) -> openai.AsyncOpenAI:
    ep = call.endpoint
    return cached(
        ("openai", ep.base_url, ep.api_key),
        lambda: openai.AsyncOpenAI(api_key=ep.api_key, base_url=ep.base_url or None, max_retries=0),
    )


def to_provider_error(exc: Exception) -> ProviderError:
    if isinstance(exc, openai.APITimeoutError):
        return ProviderError("timeout", "request timed out")
    if isinstance(exc, openai.APIConnectionError):
        return ProviderError("connection", "connection failed")
    if isinstance(exc, openai.APIStatusError):
        hint = kind_from_body(exc.body, _ERROR_CODES)
        kind = classify_status(exc.status_code, str(exc.message), hint)
        if hint in ("context_length", "billing") and exc.status_code < 500:
            kind = hint
        return ProviderError(kind, str(exc.message)[:300], status=exc.status_code)
    if isinstance(exc, openai.APIError):  # an error inside a streamed 200 response
        kind = kind_from_body({"error": exc.body}, _ERROR_CODES) or "server_error"
        return ProviderError(kind, str(exc.message)[:300])
    if isinstance(exc, transport_errors()):  # a transport error the SDK did not wrap
        return ProviderError("connection", f"connection failed ({exc})"[:300])
    raise exc


def _messages(m: ChatMessage) -> list[dict[str, Any]]:
    """One neutral message -> Chat Completions messages: tool results become `tool`
    messages, tool uses the assistant's `tool_calls`."""
    if not m.blocks:
        return [{"role": m.role, "content": m.content}]
    text = "".join(str(b.get("text") or "") for b in m.blocks if b.get("type") == "text")
    uses = [b for b in m.blocks if b.get("type") == "tool_use"]
    results = [b for b in m.blocks if b.get("type") == "tool_result"]
    out: list[dict[str, Any]] = []
    if m.role == "assistant":
        msg: dict[str, Any] = {"role": "assistant", "content": text or None}
        if uses:
            msg["tool_calls"] = [
                {
                    "id": b["id"],
                    "type": "function",
                    "function": {"name": b["name"], "arguments": json.dumps(b.get("input") or {})},
                }
                for b in uses
            ]
        return [msg]
    for b in results:
        content = str(b.get("content") or "")
        if b.get("is_error"):
            content = f"Error: {content}"
        out.append({"role": "tool", "tool_call_id": b["tool_use_id"], "content": content})
    if text.strip():
        out.append({"role": m.role, "content": text})
    return out


class _Calls:
    """Streamed `tool_calls` deltas, by index: the first names id and function, later ones
    add argument text."""

    def __init__(self) -> None:
        self.parts: dict[int, list[str]] = {}  # index -> [id, name, arguments...]

    def add(self, delta: Any) -> None:
        entry = self.parts.setdefault(delta.index or 0, ["", ""])
        if delta.id:
            entry[0] = delta.id
        fn = delta.function
        if fn is not None:
            if fn.name:
                entry[1] += fn.name
            if fn.arguments:
                entry.append(fn.arguments)

    def calls(self) -> list[ToolCall]:
        out = []
        for index in sorted(self.parts):
            call_id, name, *args = self.parts[index]
            parsed, error = parse_arguments("".join(args))
            out.append(ToolCall(call_id or f"call_{index}", name, parsed, error))
        return out


class OpenAIProvider:
    async def complete(self, call: ModelCall, on_text: OnText) -> ModelOutput:
        out = ModelOutput()
        messages: list[dict[str, Any]] = []
        system = "\n\n".join(p for p in (call.system, call.system_tail) if p)
        if system:
            messages.append({"role": "system", "content": system})
        for m in call.messages:
            messages += _messages(m)
        kwargs: dict[str, Any] = {
            "model": call.model,
            "messages": messages,
            "stream": True,
            "stream_options": {"include_usage": True},
            "max_tokens": call.max_tokens,
            "timeout": request_timeout(call.timeout),
        }
        if call.tools:
            kwargs["tools"] = [
                {
                    "type": "function",
                    "function": {
                        "name": t.name,
                        "description": t.description,
                        "parameters": t.input_schema,
                    },
                }
                for t in call.tools
            ]
            if call.tool_choice == "none":
                kwargs["tool_choice"] = "none"
        parts: list[str] = []
        calls = _Calls()
        finished = False
        try:
            stream = await _client(call).chat.completions.create(**kwargs)
            async for chunk in stream:
                if chunk.usage is not None:
                    out.input_tokens = chunk.usage.prompt_tokens or 0
                    out.output_tokens = chunk.usage.completion_tokens or 0
                for choice in chunk.choices:
                    delta = choice.delta
                    text = delta.content if delta else None
                    if text:
                        parts.append(text)
                        result = on_text(text)
                        if inspect.isawaitable(result):
                            await result
                    for tool_delta in (delta.tool_calls if delta else None) or []:
                        calls.add(tool_delta)
                    if choice.finish_reason:
                        finished = True
                        out.stop_reason = choice.finish_reason
        except Exception as exc:
            if not isinstance(exc, (openai.OpenAIError, *transport_errors())):
                raise
            err = to_provider_error(exc)
            err.partial = "".join(parts)
            err.started = bool(parts or calls.parts)
            raise err from exc
        out.text = "".join(parts)
        out.tool_calls = calls.calls()
        if not finished:
            err = ProviderError("connection", "the reply stream ended early")
            err.partial = out.text
            err.started = bool(parts or calls.parts)
            raise err
        return out
