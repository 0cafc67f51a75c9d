"""Starting and stopping the enabled chat channels inside the gateway (or `runchannel`)
process. Every platform of the registry that its config wants (`Platform.wanted`: enabled,
with a token) gets its adapter (`contract.Adapter`), imported only then."""

from __future__ import annotations

import logging

from channels_app import approvals, registry
from channels_app.contract import Adapter
from config.schema import EpiloopConfig

log = logging.getLogger("epiloop.gateway")

RUNNING: dict[str, Adapter] = {}


async def start_enabled(config: EpiloopConfig, only: str | None = None) -> None:
    approvals.install()  # chats hear about the approvals their turns wait for
    for name in registry.names():
        if only and name != only:
            continue
        if not registry.platform(name).wanted(config):
            continue
        adapter = registry.adapter_class(name)(config)
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
