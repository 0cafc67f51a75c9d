"""Shared pieces of the config schema: the base model (unknown keys kept, camelCase keys,
snake_case attributes), ids, secrets and the enumerations."""

from __future__ import annotations

import builtins
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict
from pydantic.alias_generators import to_camel

GroupPolicy = Literal["open", "allowlist", "disabled"]
DmPolicy = Literal["pairing", "allowlist", "open", "disabled"]
AuthMode = Literal["api_key", "token", "oauth"]
DmScope = Literal["main", "per-peer", "per-channel-peer", "per-account-channel-peer"]
GatewayMode = Literal["local", "remote"]
BindMode = Literal["loopback", "lan", "tailnet", "custom", "auto"]
GatewayAuthMode = Literal["token", "password"]


def _id(value: object) -> object:
    """Ids arrive as numbers (`123456789`) or strings; everything downstream sees strings."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _id_list(value: object) -> object:
    """A list of ids; a single value (`"allowFrom": "${OWNER_ID}"`) counts as a list of one."""
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        value = [value]
    if isinstance(value, builtins.list):
        return [_id(v) for v in value]
    return value


Id = Annotated[str, BeforeValidator(_id)]
IdList = Annotated[builtins.list[str], BeforeValidator(_id_list)]


class ConfigModel(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        alias_generator=to_camel,
        validate_by_alias=True,
        validate_by_name=True,
        serialize_by_alias=True,
    )


class SecretRef(ConfigModel):
    """`{source: env|file|exec, provider, id}`: a secret kept elsewhere, stored as written."""

    source: str
    provider: str | None = None
    id: str | None = None


Secret = str | SecretRef
