"""OpenAI Chat Completions through the `openai` SDK (streaming); also every
OpenAI-compatible server (Google's OpenAI endpoint, Ollama, vLLM, LM Studio, OpenRouter)."""

from __future__ import annotations

import inspect
from typing import Any

import openai

from agents.providers import ModelCall, ModelOutput, OnText, ProviderError
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


class OpenAIProvider:
    async def complete(self, call: ModelCall, on_text: OnText) -> ModelOutput:
        out = ModelOutput()
        messages: list[dict[str, str]] = []
        if call.system:
            messages.append({"role": "system", "content": call.system})
        messages += [{"role": m.role, "content": m.content} for m in call.messages]
        kwargs: dict[str, Any] = {
            "model": call.model,
            "messages": messages,
            "stream": True,
            "stream_options": {"include_usage": True},
            "max_tokens": call.max_tokens,
            "timeout": request_timeout(call.timeout),
        }
        parts: list[str] = []
        finished = False
        try:
            stream = await _client(call).chat.completions.create(**kwargs)
            async for chunk in stream:
                if chunk.usage is not None:
                    out.input_tokens = chunk.usage.prompt_tokens or 0
                    out.output_tokens = chunk.usage.completion_tokens or 0
                for choice in chunk.choices:
                    text = choice.delta.content if choice.delta else None
                    if text:
                        parts.append(text)
                        result = on_text(text)
                        if inspect.isawaitable(result):
                            await result
                    if choice.finish_reason:
                        finished = True
                        out.stop_reason = choice.finish_reason
        except Exception as exc:
            if not isinstance(exc, (openai.OpenAIError, *transport_errors())):
                raise
            err = to_provider_error(exc)
            err.partial = "".join(parts)
            raise err from exc
        out.text = "".join(parts)
        if not finished:
            err = ProviderError("connection", "the reply stream ended early")
            err.partial = out.text
            raise err
        return out
