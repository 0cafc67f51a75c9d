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

# name -> "module:function" deciding whether the channel should run, in a module that does
# not import the platform library (an unconfigured channel costs nothing at start-up).
WANTED: dict[str, str] = {
    "discord": "channels_app.discord.options:wanted",
    "telegram": "channels_app.telegram.options:wanted",
}

RUNNING: dict[str, Any] = {}


def adapter_class(name: str) -> Any:
    module_name, _, cls_name = ADAPTERS[name].partition(":")
    return getattr(importlib.import_module(module_name), cls_name)


def _wanted(name: str, config: Any) -> bool:
    if name in WANTED:
        module_name, _, func = WANTED[name].partition(":")
        return bool(getattr(importlib.import_module(module_name), func)(config))
    return bool(adapter_class(name).wanted(config))


async def start_enabled(config: Any, only: str | None = None) -> None:
    for name in ADAPTERS:
        if only and name != only:
            continue
        if not _wanted(name, config):
            continue
        adapter = adapter_class(name)(config)
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
