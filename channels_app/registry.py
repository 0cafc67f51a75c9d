"""Every chat platform Epiloop speaks: name -> its folder under `channels_app/`.

Everything about a platform lives in its folder; the rest of the project finds it here and
never names a platform. Adding a platform is one new folder and one line below.

A platform folder has `schema.py` (its `channels.<name>` config section; `register()` hands
the schema and its admin tables to the config core), and imports its chat library only
lazily, so an unconfigured platform costs nothing at start-up.
"""

from __future__ import annotations

import importlib
from types import ModuleType

PLATFORMS: dict[str, str] = {
    "discord": "channels_app.discord",
    "telegram": "channels_app.telegram",
}


def names() -> list[str]:
    return list(PLATFORMS)


def part(name: str, module: str) -> ModuleType:
    """Module `module` of platform `name`'s folder (`part("discord", "schema")`)."""
    return importlib.import_module(f"{PLATFORMS[name]}.{module}")


def register_config() -> None:
    """Register each platform's config section and tables with the config core."""
    for name in PLATFORMS:
        part(name, "schema").register()
