"""Channel summaries: what runs (adapters' status) and what the config asks for, for every
platform of the registry."""

from __future__ import annotations

from typing import Any

from channels_app import registry
from config.runtime import current


def label(name: str) -> str:
    return registry.label(name)


def summaries() -> dict[str, dict[str, Any]]:
    try:
        from channels_app.runner import statuses

        running = statuses()
    except Exception:
        running = {}
    cfg = current()
    out: dict[str, dict[str, Any]] = {}
    for name in registry.names():
        section = cfg.channels.section(name)
        enabled = bool(section is not None and getattr(section, "enabled", True) is not False)
        configured = section is not None and registry.platform(name).configured(cfg)
        out[name] = {
            "configured": configured,
            "enabled": enabled,
            "running": False,
            "connected": False,
        }
    for name, status in running.items():
        entry = out.setdefault(name, {"configured": True, "enabled": True})
        entry.update({"running": True, **status})
        entry.update(_camel(status))
    return out


def _ms(seconds: Any) -> int | None:
    return int(seconds * 1000) if isinstance(seconds, (int, float)) and seconds else None


def _camel(status: dict[str, Any]) -> dict[str, Any]:
    """The protocol's camelCase names for the adapters' status fields (times in ms)."""
    return {
        "botUser": status.get("bot_user") or "",
        "botId": status.get("bot_id") or "",
        "lastError": status.get("last_error") or "",
        "lastErrorAt": _ms(status.get("last_error_at")),
        "lastConnectedAt": _ms(status.get("last_connect")),
        "lastInboundAt": _ms(status.get("last_inbound")),
        "lastOutboundAt": _ms(status.get("last_outbound")),
    }
