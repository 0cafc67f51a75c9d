"""What the applied config says about agents: ids, the default agent, model candidates,
workspace paths, limits. Reads `config.runtime.current()` only."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from config.runtime import current
from config.schema import AgentEntry

log = logging.getLogger("epiloop.agent")

DEFAULT_MODEL = "anthropic/claude-opus-4-5"
DEFAULT_AGENT_ID = "main"


@dataclass(frozen=True)
class ModelRef:
    provider: str
    model: str

    @classmethod
    def parse(cls, ref: str) -> ModelRef:
        """`provider/model`; a bare model name is taken as Anthropic's (OpenClaw does too)."""
        provider, sep, model = ref.strip().partition("/")
        if not sep:
            return cls("anthropic", provider)
        return cls(provider.strip().lower(), model.strip())

    def __str__(self) -> str:
        return f"{self.provider}/{self.model}"


@dataclass(frozen=True)
class AgentInfo:
    id: str
    name: str
    emoji: str
    candidates: tuple[ModelRef, ...]
    workspace: Path
    entry: AgentEntry | None  # the config entry (None for the implicit `main`)


def agent_ids() -> list[str]:
    return [str(entry.id) for entry in current().agents.list] or [DEFAULT_AGENT_ID]


def default_agent_id() -> str:
    entries = current().agents.list
    for entry in entries:
        if entry.default:
            return str(entry.id)
    return str(entries[0].id) if entries else DEFAULT_AGENT_ID


def _entry(agent_id: str) -> AgentEntry | None:
    for entry in current().agents.list:
        if str(entry.id) == agent_id:
            return entry
    return None


def known(agent_id: str) -> bool:
    return _entry(agent_id) is not None or (
        agent_id == DEFAULT_AGENT_ID and not current().agents.list
    )


def candidates(agent_id: str) -> tuple[ModelRef, ...]:
    """Primary then fallbacks. An agent's own fallbacks replace the defaults'; `[]` = none."""
    defaults = current().agents.defaults.model
    entry = _entry(agent_id)
    spec = entry.model if entry is not None else None
    primary = (spec.primary if spec else None) or (defaults.primary if defaults else None)
    fallbacks = spec.fallbacks if spec is not None and spec.fallbacks is not None else None
    if fallbacks is None:
        fallbacks = (defaults.fallbacks if defaults else None) or []
    refs = [primary or DEFAULT_MODEL, *fallbacks]
    aliases = _aliases()
    seen: list[ModelRef] = []
    for ref in refs:
        parsed = ModelRef.parse(aliases.get(str(ref).strip().lower(), str(ref)))
        if parsed.model and parsed not in seen:
            seen.append(parsed)
    return tuple(seen)


def _aliases() -> dict[str, str]:
    """`agents.defaults.models` {"openai/gpt-5.4-mini": {"alias": "GPT"}} -> {"gpt": ref}."""
    out: dict[str, str] = {}
    for ref, params in current().agents.defaults.models.items():
        alias = params.get("alias") if isinstance(params, dict) else None
        if isinstance(alias, str) and alias.strip():
            out[alias.strip().lower()] = ref
    return out


def primary_model(agent_id: str | None = None) -> str:
    """`provider/model` of an agent's primary (the default agent's when None)."""
    return str(candidates(agent_id or default_agent_id())[0])


def workspace(agent_id: str) -> Path:
    """The agent's own `workspace`, else the defaults' for the default agent, else
    `$STATE_DIR/workspace` (default agent) or `$STATE_DIR/workspace-<id>`."""
    state: Path = settings.EPILOOP_STATE_DIR
    entry = _entry(agent_id)
    own = entry.workspace if entry is not None else None
    if own:
        return Path(own).expanduser()
    if agent_id == default_agent_id():
        shared = current().agents.defaults.workspace
        return Path(shared).expanduser() if shared else state / "workspace"
    return state / f"workspace-{agent_id}"


def info(agent_id: str) -> AgentInfo:
    entry = _entry(agent_id)
    identity = entry.identity if entry is not None else None
    own_name = entry.name if entry is not None else None
    name = (identity.name if identity else None) or own_name or agent_id
    emoji = (identity.emoji if identity else None) or ""
    return AgentInfo(agent_id, name, emoji, candidates(agent_id), workspace(agent_id), entry)


def max_concurrent() -> int:
    return max(1, int(current().agents.defaults.max_concurrent or 4))


def timeout_seconds() -> float:
    return float(current().agents.defaults.timeout_seconds or 600)


def queue_cap() -> int:
    return max(0, int(current().messages.queue.cap))


def max_tokens(ref: ModelRef) -> int:
    """`maxTokens` from `models.providers.<name>.models[]` or `agents.defaults.models`."""
    provider = current().models.providers.get(ref.provider)
    for item in provider.models if provider is not None else []:
        if isinstance(item, dict) and item.get("id") == ref.model and item.get("maxTokens"):
            return int(item["maxTokens"])
    params = current().agents.defaults.models.get(str(ref)) or {}
    if isinstance(params, dict):
        value = (params.get("params") or {}).get("maxTokens") or params.get("maxTokens")
        if value:
            return int(value)
    return 4096


def apis_in_use() -> list[str]:
    """Wire APIs the configured agents' candidates need (for `providers.warm`)."""
    from agents.keys import BUILTINS

    providers = current().models.providers
    apis: list[str] = []
    for agent_id in agent_ids():
        for ref in candidates(agent_id):
            configured = providers.get(ref.provider)
            builtin = BUILTINS.get(ref.provider)
            api = (configured.api if configured else None) or (builtin.api if builtin else None)
            api = api or "openai-completions"
            if api not in apis:
                apis.append(api)
    return apis
