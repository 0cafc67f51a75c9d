"""Settings every platform's config section shares: the DM block and its rules."""

from __future__ import annotations

import builtins

from pydantic_core import PydanticCustomError

from config.jsontypes import Json
from config.schema_base import ConfigModel, DmPolicy, IdList


class DmConfig(ConfigModel):
    enabled: bool = True
    policy: DmPolicy | None = None
    allow_from: IdList | None = None


def open_needs_wildcard(
    policy: str | None, allow_from: builtins.list[str] | None, key: str
) -> None:
    if policy == "open" and "*" not in (allow_from or []):
        raise PydanticCustomError(
            "dm_open_without_wildcard",
            'dmPolicy "open" lets anyone message the bot; add "*" to allowFrom to confirm, '
            'or use "pairing" or "allowlist"',
            {"field": key},
        )


def id_list(value: Json) -> builtins.list[str]:
    """An allowlist as written in the raw file (a list, one value, or nothing) as strings."""
    if isinstance(value, builtins.list):
        return [str(v) for v in value]
    return [] if value is None else [str(value)]
