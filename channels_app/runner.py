"""Starting and stopping the enabled chat channels inside the gateway process.

Adapters are found through `ADAPTERS` (name -> "module:Class", imported lazily so that an
unused platform's library is never loaded). An adapter class has:

    def __init__(self, config: EpiloopConfig) -> None
    @classmethod
    def wanted(cls, config: EpiloopConfig) -> bool   # enabled and a token is available
    async def start(self) -> None                    # returns quickly; connects in background
    async def stop(self) -> None
    def status(self) -> dict[str, object]            # channels.status summary
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

log = logging.getLogger("epiloop.gateway")

ADAPTERS: dict[str, str] = {
    "discord": "channels_app.discord.adapter:DiscordAdapter",
    "telegram": "channels_app.telegram.adapter:TelegramAdapter",
}

RUNNING: dict[str, Any] = {}


def adapter_class(name: str) -> Any:
    module_name, _, cls_name = ADAPTERS[name].partition(":")
    return getattr(importlib.import_module(module_name), cls_name)


async def start_enabled(config: Any, only: str | None = None) -> None:
    for name in ADAPTERS:
        if only and name != only:
            continue
        cls = adapter_class(name)
        if not cls.wanted(config):
            continue
        adapter = cls(config)
        RUNNING[name] = adapter
        await adapter.start()


async def stop_all() -> None:
    for name, adapter in list(RUNNING.items()):
        try:
            await adapter.stop()
        except Exception:
            log.exception("stopping channel %s failed", name)
        RUNNING.pop(name, None)


def statuses() -> dict[str, dict[str, object]]:
    return {name: adapter.status() for name, adapter in RUNNING.items()}
