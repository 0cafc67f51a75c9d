"""Model providers: one module per wire API, found through `REGISTRY` and imported on first use.

Only the modules in this package import the model SDKs. Everything else speaks `ModelCall`,
`ModelOutput` and `ProviderError`.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

# api name (as in `models.providers.<name>.api`) -> "module:Class", imported lazily.
REGISTRY: dict[str, str] = {
    "anthropic-messages": "agents.providers.anthropic:AnthropicProvider",
    "openai-completions": "agents.providers.openai:OpenAIProvider",
    "openai-chat": "agents.providers.openai:OpenAIProvider",
    "openai-responses": "agents.providers.openai:OpenAIProvider",
}

# Error kinds after which the next candidate model is tried (DESIGN §8).
FALLBACK_KINDS = frozenset(
    {"rate_limit", "overloaded", "server_error", "timeout", "connection", "auth", "billing"}
)
# Set-up problems on our side (no key, unknown provider): move on, but no cooldown.
SETUP_KINDS = frozenset({"missing_key", "unknown_provider"})
# Error kinds that waiting does not cure.
PERMANENT_KINDS = frozenset({"auth", "billing", "invalid_request", "context_length"})

REASONS = {
    "rate_limit": "rate limited",
    "overloaded": "overloaded",
    "server_error": "server error",
    "timeout": "timed out",
    "connection": "connection failed",
    "auth": "authentication failed",
    "billing": "billing problem",
    "invalid_request": "invalid request",
    "context_length": "conversation too long",
    "missing_key": "no API key",
    "unknown_provider": "unknown provider",
    "cooldown": "cooling down",
}


class ProviderError(Exception):
    """A failed model call, classified. `permanent`: retrying later will not help."""

    def __init__(self, kind: str, message: str = "", *, status: int | None = None) -> None:
        super().__init__(message or REASONS.get(kind, kind))
        self.kind = kind
        self.status = status
        self.permanent = kind in PERMANENT_KINDS or kind in SETUP_KINDS
        self.partial = ""  # text that had streamed before the failure
        self.started = False  # text or a tool call had begun streaming: no fallback

    @property
    def falls_back(self) -> bool:
        return self.kind in FALLBACK_KINDS or self.kind in SETUP_KINDS


# Content blocks, neutral (each provider module maps them to its wire format):
#   {"type": "text", "text": str}
#   {"type": "tool_use", "id": str, "name": str, "input": dict}          (assistant)
#   {"type": "tool_result", "tool_use_id": str, "name": str, "content": str,
#    "is_error": bool}                                                    (user)
Block = dict[str, Any]


@dataclass(frozen=True)
class ChatMessage:
    role: str  # "user" | "assistant"
    content: str
    blocks: tuple[Block, ...] = ()  # when set, the message is these blocks (content ignored)

    def as_blocks(self) -> list[Block]:
        if self.blocks:
            return list(self.blocks)
        return [{"type": "text", "text": self.content}] if self.content else []


@dataclass(frozen=True)
class ToolSpec:
    """A tool as offered to the model."""

    name: str
    description: str
    input_schema: dict[str, Any]


@dataclass
class ToolCall:
    """A call the model asked for. `error`: its arguments were not a JSON object."""

    id: str
    name: str
    input: dict[str, Any]
    error: str = ""


@dataclass(frozen=True)
class Endpoint:
    """Where and how to reach one provider: resolved from config, env and auth profiles."""

    provider: str
    api: str
    base_url: str | None
    api_key: str
    label: str = ""  # where the key came from: an auth profile id, an env var, the config


@dataclass
class ModelCall:
    endpoint: Endpoint
    model: str
    system: str
    messages: list[ChatMessage]
    max_tokens: int = 4096
    timeout: float = 600.0
    tools: list[ToolSpec] = field(default_factory=list)
    tool_choice: str = "auto"  # "none": the tools stay declared (history uses them), unused
    # The part of the system prompt that changes every turn (time, sender): sent after the
    # stable part, so that providers can cache the stable part.
    system_tail: str = ""


@dataclass
class ModelOutput:
    text: str = ""
    input_tokens: int = 0
    output_tokens: int = 0
    stop_reason: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)
    extra: dict[str, object] = field(default_factory=dict)


OnText = Callable[[str], Awaitable[None] | None]


def parse_arguments(raw: str) -> tuple[dict[str, Any], str]:
    """A tool call's streamed JSON arguments -> (object, error message or "")."""
    import json

    if not raw.strip():
        return {}, ""
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        return {}, f"the arguments were not valid JSON ({exc.msg} at position {exc.pos})"
    if not isinstance(value, dict):
        return {}, "the arguments must be a JSON object"
    return value, ""


class Provider(Protocol):
    async def complete(self, call: ModelCall, on_text: OnText) -> ModelOutput:
        """Stream one reply; `on_text` gets each new piece of text as it arrives."""
        ...


_INSTANCES: dict[str, Provider] = {}


def provider_for(api: str) -> Provider:
    """The provider object for a wire API name; its module (and SDK) is imported now."""
    spec = REGISTRY.get(api)
    if spec is None:
        raise ProviderError(
            "invalid_request",
            f"unknown provider api {api!r}; use one of {', '.join(sorted(REGISTRY))}",
        )
    instance = _INSTANCES.get(spec)
    if instance is None:
        module_name, _, cls_name = spec.partition(":")
        instance = getattr(importlib.import_module(module_name), cls_name)()
        _INSTANCES[spec] = instance
    return instance


def warm(apis: list[str]) -> None:
    """Import the provider modules (and SDKs) for these wire APIs now, e.g. from a
    background thread once the gateway is listening, so the first turn does not pay."""
    for api in apis:
        if api in REGISTRY:
            provider_for(api)
