"""config.get, config.set, config.patch, config.apply, config.schema."""

from __future__ import annotations

import functools
import time
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings

from gateway.protocol import configdoc, health
from gateway.protocol.registry import Call, Handler


async def config_get(call: Call) -> dict[str, Any]:
    return await sync_to_async(configdoc.read)()


def _write(call: Call, *, patch: bool) -> dict[str, Any]:
    document = configdoc.parse_raw(call.params.get("raw"))
    return configdoc.write(document, call.params.get("baseHash"), patch=patch)


async def config_set(call: Call) -> dict[str, Any]:
    result = await sync_to_async(_write)(call, patch=False)
    health.invalidate()
    return result


async def config_patch(call: Call) -> dict[str, Any]:
    result = await sync_to_async(_write)(call, patch=True)
    health.invalidate()
    return result


@functools.cache
def _schema() -> dict[str, Any]:
    """Built once: pydantic takes ~170 ms to produce it and it cannot change at runtime."""
    from config.schema import json_schema

    return json_schema()


async def config_schema(call: Call) -> dict[str, Any]:
    return {
        "schema": await sync_to_async(_schema)(),
        "uiHints": ui_hints(),
        "version": settings.VERSION,
        "generatedAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


UI_HINTS: dict[str, dict[str, Any]] = {
    "gateway.auth.token": {"label": "Gateway token", "sensitive": True, "group": "Gateway"},
    "gateway.auth.password": {"label": "Gateway password", "sensitive": True, "group": "Gateway"},
    "gateway.port": {"label": "Port", "group": "Gateway"},
    "gateway.bind": {"label": "Bind", "group": "Gateway"},
    "models.providers.*.apiKey": {"label": "API key", "sensitive": True, "group": "Models"},
    "agents.defaults.model.primary": {"label": "Default model", "group": "Agents"},
    "session.dmScope": {"label": "DM session scope", "group": "Sessions"},
}


def ui_hints() -> dict[str, dict[str, Any]]:
    """The hints above, with each chat platform's own under `channels.<name>.`."""
    from channels_app import registry

    hints = dict(UI_HINTS)
    for name in registry.names():
        platform = registry.platform(name)
        for key, hint in platform.ui_hints.items():
            hints[f"channels.{name}.{key}"] = {**hint, "group": platform.label}
    return hints


METHODS: dict[str, Handler] = {
    "config.get": config_get,
    "config.set": config_set,
    "config.patch": config_patch,
    "config.apply": config_set,
    "config.schema": config_schema,
}
