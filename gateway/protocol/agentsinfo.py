"""Agents and models as the protocol shows them, read from the applied config."""

from __future__ import annotations

from typing import Any

from config.runtime import current


def _model_ref(model: Any) -> tuple[str, list[str]]:
    if model is None:
        return "", []
    if isinstance(model, str):
        return model, []
    primary = getattr(model, "primary", None) or ""
    fallbacks = list(getattr(model, "fallbacks", None) or [])
    return str(primary), [str(f) for f in fallbacks]


def default_agent_id() -> str:
    entries = current().agents.list
    for entry in entries:
        if entry.default:
            return str(entry.id)
    return str(entries[0].id) if entries else "main"


def agents() -> list[dict[str, Any]]:
    cfg = current()
    default_primary, default_fallbacks = _model_ref(cfg.agents.defaults.model)
    default_id = default_agent_id()
    out: list[dict[str, Any]] = []
    entries = list(cfg.agents.list)
    if not entries:
        out.append(
            {
                "id": "main",
                "name": "main",
                "default": True,
                "model": {"primary": default_primary, "fallbacks": default_fallbacks},
                "identity": {},
            }
        )
        return out
    for entry in entries:
        primary, fallbacks = _model_ref(entry.model)
        if entry.model is None:
            primary, fallbacks = default_primary, default_fallbacks
        identity = entry.identity.model_dump(exclude_none=True) if entry.identity else {}
        out.append(
            {
                "id": str(entry.id),
                "name": entry.name or identity.get("name") or str(entry.id),
                "default": str(entry.id) == default_id,
                "model": {"primary": primary, "fallbacks": fallbacks},
                "identity": identity,
            }
        )
    return out


def known_agent(agent_id: str) -> bool:
    return any(a["id"] == agent_id for a in agents())


def models() -> list[dict[str, Any]]:
    """Every model the config names: agents' primaries and fallbacks, providers' lists."""
    cfg = current()
    seen: dict[str, dict[str, Any]] = {}

    def add(ref: str, name: str = "") -> None:
        if not ref or ref in seen:
            return
        provider, _, model_id = ref.partition("/")
        seen[ref] = {"id": model_id or ref, "name": name or ref, "provider": provider, "ref": ref}

    for agent in agents():
        add(agent["model"]["primary"])
        for ref in agent["model"]["fallbacks"]:
            add(ref)
    for ref in cfg.agents.defaults.models or {}:
        add(str(ref))
    for provider_name, provider in (cfg.models.providers or {}).items():
        for model in getattr(provider, "models", None) or []:
            if isinstance(model, dict):
                mid = str(model.get("id") or model.get("name") or "")
                add(f"{provider_name}/{mid}", str(model.get("name") or mid))
            else:
                add(f"{provider_name}/{model}")
    return list(seen.values())
