"""Every chat platform Epiloop speaks: name -> its folder under `channels_app/`.

Everything about a platform lives in its folder; the rest of the project finds it here and
never names a platform. Adding a platform is one new folder and one line in `PLATFORMS`.

A platform folder has `platform.py` with its `PLATFORM` description (below): what the
runner, the policy, reload, `channels.status`, doctor and the config core need to know.
`platform.py` and the modules it names never import the chat library: only the adapter
(`Platform.adapter`, imported when the channel runs) does, so an unconfigured platform
costs nothing at start-up. Its config tables, if any, are in `models.py` (and `admin.py`).
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from agents.inbound import InboundMessage
    from channels_app.contract import AdapterFactory
    from channels_app.policy import Decision
    from channels_app.policy.dm import PairingStore
    from config.jsontypes import JsonObject
    from config.schema import EpiloopConfig

PLATFORMS: dict[str, str] = {
    "discord": "channels_app.discord",
    "telegram": "channels_app.telegram",
}


@dataclass(frozen=True)
class Platform:
    """What the rest of Epiloop knows about one chat platform."""

    label: str  # "Discord": channels.status, the Control UI, config hints
    adapter: str  # "module:Class" (a `contract.Adapter`); imported only to run the channel
    register: Callable[[], None]  # hands `channels.<name>`'s schema and tables to the config
    wanted: Callable[[EpiloopConfig], bool]  # enabled, and a token is available
    configured: Callable[[EpiloopConfig], bool]  # the section names a token
    decide: Callable[[InboundMessage, EpiloopConfig, PairingStore], Decision]  # access rules
    token_problem: Callable[[EpiloopConfig], str | None]  # doctor: why it cannot start
    dms_open: Callable[[EpiloopConfig], bool]  # doctor: anyone at all may DM the bot
    # doctor, on the raw file (the schema refuses it): keys of the section whose `open` DM
    # policy lacks "*" in allowFrom ("dmPolicy", "dm.policy").
    open_dm_keys: Callable[[JsonObject], list[str]]
    reconnect: tuple[str, ...] = ()  # section fields whose change needs a new connection
    # `config.schema` UI hints by key inside the section (`{"token": {"label": ...}}`).
    ui_hints: Mapping[str, Mapping[str, object]] = field(default_factory=dict)
    # Allowlist entries may name a sender with these prefixes ("discord:123").
    sender_prefixes: tuple[str, ...] = ()


def names() -> list[str]:
    return list(PLATFORMS)


def platform(name: str) -> Platform:
    """The description of platform `name` (KeyError for an unknown name)."""
    found = importlib.import_module(f"{PLATFORMS[name]}.platform").PLATFORM
    if not isinstance(found, Platform):
        raise TypeError(f"{PLATFORMS[name]}.platform.PLATFORM is not a Platform")
    return found


def adapter_class(name: str) -> AdapterFactory:
    """Platform `name`'s adapter class (this imports its chat library)."""
    module_name, _, cls_name = platform(name).adapter.partition(":")
    return cast("AdapterFactory", getattr(importlib.import_module(module_name), cls_name))


def label(name: str) -> str:
    return platform(name).label if name in PLATFORMS else name.capitalize()


def register_config() -> None:
    """Register each platform's config section and tables with the config core."""
    for name in PLATFORMS:
        platform(name).register()


def import_each(module: str) -> None:
    """Import `module` of every platform folder that has one: `models` (from
    `channels_app.models`, so Django knows a platform's config tables as models of
    `channels_app`) and `admin` (from `channels_app.admin`)."""
    for package in PLATFORMS.values():
        if importlib.util.find_spec(f"{package}.{module}") is not None:
            importlib.import_module(f"{package}.{module}")
