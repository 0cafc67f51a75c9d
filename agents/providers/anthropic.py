"""Anthropic Messages API through the `anthropic` SDK (streaming)."""

from __future__ import annotations

import contextlib
import inspect
import json
import logging
import warnings
from collections.abc import Iterator
from typing import Any

import anthropic

from agents.providers import (
    Block,
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

log = logging.getLogger("epiloop.agent")
_TOLD_DEPRECATED: set[str] = set()

# Anthropic's error `type` values, for errors that arrive inside a streamed 200 response.
_ERROR_TYPES = {
    "overloaded_error": "overloaded",
    "rate_limit_error": "rate_limit",
    "api_error": "server_error",
    "timeout_error": "timeout",
    "authentication_error": "auth",
    "permission_error": "auth",
    "billing_error": "billing",
    "invalid_request_error": "invalid_request",
    "request_too_large": "context_length",
    "not_found_error": "invalid_request",
}


def _client(call: ModelCall) -> anthropic.AsyncAnthropic:
    ep = call.endpoint
    return cached(
        ("anthropic", ep.base_url, ep.api_key),
        lambda: anthropic.AsyncAnthropic(
            api_key=ep.api_key, base_url=ep.base_url or None, max_retries=0
        ),
    )


@contextlib.contextmanager
def _quiet_deprecation(model: str) -> Iterator[None]:
    """The SDK warns (DeprecationWarning) on every call to a deprecated model; say it once
    in our log instead. Only deprecated models pay for the warnings-filter juggling."""
    try:
        from anthropic._data import DEPRECATED_MODELS
    except ImportError:  # private module moved: let the SDK warn as it likes
        yield
        return
    end = DEPRECATED_MODELS.get(model)
    if end is None:
        yield
        return
    if model not in _TOLD_DEPRECATED:
        _TOLD_DEPRECATED.add(model)
        log.warning("anthropic/%s is deprecated by Anthropic (end of life %s)", model, end)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        yield


def to_provider_error(exc: Exception) -> ProviderError:
    if isinstance(exc, anthropic.APITimeoutError):
        return ProviderError("timeout", "request timed out")
    if isinstance(exc, anthropic.APIConnectionError):
        return ProviderError("connection", "connection failed")
    if isinstance(exc, anthropic.APIStatusError):
        body = exc.body
        kind = kind_from_body(body, _ERROR_TYPES)
        if exc.status_code == 200:  # an error event inside a streamed reply
            kind = kind or "server_error"
        else:
            kind = classify_status(exc.status_code, str(exc.message), kind)
        return ProviderError(kind, str(exc.message)[:300], status=exc.status_code)
    if isinstance(exc, anthropic.APIError):
        return ProviderError("server_error", str(exc)[:300])
    if isinstance(exc, transport_errors()):  # a transport error the SDK did not wrap
        return ProviderError("connection", f"connection failed ({exc})"[:300])
    raise exc


def _block(block: Block) -> dict[str, Any]:
    kind = block.get("type")
    if kind == "tool_use":
        return {
            "type": "tool_use",
            "id": block["id"],
            "name": block["name"],
            "input": block.get("input") or {},
        }
    if kind == "tool_result":
        return {
            "type": "tool_result",
            "tool_use_id": block["tool_use_id"],
            "content": str(block.get("content") or ""),
            "is_error": bool(block.get("is_error")),
        }
    return {"type": "text", "text": str(block.get("text") or "")}


def _message(m: ChatMessage) -> dict[str, Any]:
    if not m.blocks:
        return {"role": m.role, "content": m.content}
    return {"role": m.role, "content": [_block(b) for b in m.blocks if _nonempty(b)]}


def _nonempty(block: Block) -> bool:
    return block.get("type") != "text" or bool(str(block.get("text") or "").strip())


def _system(call: ModelCall) -> list[dict[str, Any]]:
    """The stable part first, marked for prompt caching; the per-turn part after it."""
    blocks: list[dict[str, Any]] = []
    if call.system:
        blocks.append({"type": "text", "text": call.system, "cache_control": {"type": "ephemeral"}})
    if call.system_tail:
        blocks.append({"type": "text", "text": call.system_tail})
    return blocks


class _Calls:
    """Tool-use blocks being streamed, by content block index."""

    def __init__(self) -> None:
        self.open: dict[int, tuple[str, str, list[str]]] = {}
        self.done: list[ToolCall] = []

    def start(self, index: int, block: Any) -> None:
        self.open[index] = (block.id, block.name, [])
        if getattr(block, "input", None):  # non-streamed input arrives whole
            self.open[index][2].append(json.dumps(block.input))

    def delta(self, index: int, partial: str) -> None:
        if index in self.open:
            self.open[index][2].append(partial)

    def stop(self, index: int) -> None:
        found = self.open.pop(index, None)
        if found is not None:
            call_id, name, parts = found
            args, error = parse_arguments("".join(parts))
            self.done.append(ToolCall(call_id, name, args, error))


class AnthropicProvider:
    async def complete(self, call: ModelCall, on_text: OnText) -> ModelOutput:
        out = ModelOutput()
        kwargs: dict[str, Any] = {
            "model": call.model,
            "max_tokens": call.max_tokens,
            "messages": [_message(m) for m in call.messages],
            "stream": True,
            "timeout": request_timeout(call.timeout),
        }
        if call.system or call.system_tail:
            kwargs["system"] = _system(call)
        if call.tools:
            kwargs["tools"] = [
                {"name": t.name, "description": t.description, "input_schema": t.input_schema}
                for t in call.tools
            ]
            if call.tool_choice == "none":
                kwargs["tool_choice"] = {"type": "none"}
        parts: list[str] = []
        calls = _Calls()
        finished = False
        try:
            with _quiet_deprecation(call.model):
                stream = await _client(call).messages.create(**kwargs)
            async for event in stream:
                etype = event.type
                if etype == "content_block_delta":
                    delta = event.delta
                    if delta.type == "text_delta" and delta.text:
                        parts.append(delta.text)
                        result = on_text(delta.text)
                        if inspect.isawaitable(result):
                            await result
                    elif delta.type == "input_json_delta":
                        calls.delta(event.index, delta.partial_json)
                elif etype == "content_block_start":
                    if event.content_block.type == "tool_use":
                        calls.start(event.index, event.content_block)
                elif etype == "content_block_stop":
                    calls.stop(event.index)
                elif etype == "message_start":
                    out.input_tokens = event.message.usage.input_tokens or 0
                elif etype == "message_delta":
                    out.output_tokens = event.usage.output_tokens or 0
                    out.stop_reason = event.delta.stop_reason or ""
                elif etype == "message_stop":
                    finished = True
        except Exception as exc:
            if not isinstance(exc, (anthropic.AnthropicError, *transport_errors())):
                raise
            out.text = "".join(parts)
            err = to_provider_error(exc)
            err.partial = out.text
            err.started = bool(parts or calls.open or calls.done)
            raise err from exc
        out.text = "".join(parts)
        out.tool_calls = calls.done
        if not finished:
            err = ProviderError("connection", "the reply stream ended early")
            err.partial = out.text
            err.started = bool(parts or calls.open or calls.done)
            raise err
        return out
