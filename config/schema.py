"""The shape of `epiloop.json` (DESIGN §6) as pydantic v2 models.

Every model keeps keys it does not know (`extra="allow"`, found in `model_extra`). JSON
keys are camelCase, Python attributes snake_case (`cfg.gateway.auth.token`). Ids may be
written as numbers or strings; they are normalised to strings. Each chat platform's
section (`channels.<name>`) is registered by the platform (see `config.schema_channels`);
an absent one is `None`, so "configured" and "not configured" stay distinguishable.

Validate a `${VAR}`-resolved document with `EpiloopConfig.model_validate(doc)`; the loader
in `config.io` does the resolving and turns errors into one line per problem.
"""

from __future__ import annotations

import builtins
from typing import Annotated

from pydantic import BeforeValidator, Field, model_validator

from config.jsontypes import Json, JsonObject
from config.schema_base import (
    AuthMode,
    BindMode,
    ConfigModel,
    DmPolicy,
    DmScope,
    GatewayAuthMode,
    GatewayMode,
    GroupPolicy,
    Id,
    IdList,
    Secret,
    SecretRef,
)
from config.schema_channels import ChannelsConfig, channel_schemas
from config.schema_limits import LimitsConfig
from config.schema_tools import AgentTools, McpConfig, ToolsConfig

__all__ = ["ChannelsConfig", "DmPolicy", "EpiloopConfig", "GroupPolicy", "IdList", "SecretRef"]


class Meta(ConfigModel):
    last_touched_version: str | None = None
    last_touched_at: str | None = None


class ModelSpec(ConfigModel):
    """`primary` then `fallbacks`. `fallbacks=None` means "inherit the defaults'" on an
    agent; `[]` means no fallbacks."""

    primary: str | None = None
    fallbacks: builtins.list[str] | None = None


def _model_spec(value: object) -> object:
    if isinstance(value, str):
        return {"primary": value}
    return value


ModelField = Annotated[ModelSpec | None, BeforeValidator(_model_spec)]


class AgentDefaults(ConfigModel):
    model: ModelField = None
    max_concurrent: int = 4
    timeout_seconds: int = 600
    max_tool_iterations: int = 20
    workspace: str | None = None
    user_timezone: str | None = None  # IANA name for the system prompt's clock; else the server's
    models: dict[str, Json] = Field(default_factory=dict)


class Identity(ConfigModel):
    name: str | None = None
    emoji: str | None = None


class AgentEntry(ConfigModel):
    id: Id
    default: bool = False
    name: str | None = None
    model: ModelField = None
    identity: Identity | None = None
    workspace: str | None = None
    tools: AgentTools | None = None
    # Senders who get this agent's full tool profile on a channel ("discord:123", or a bare
    # id on any channel); everyone else gets `tools.guestProfile` ("messaging").
    owners: IdList = Field(default_factory=builtins.list)


class AgentsConfig(ConfigModel):
    defaults: AgentDefaults = Field(default_factory=AgentDefaults)
    list: builtins.list[AgentEntry] = Field(default_factory=builtins.list)


class AuthProfile(ConfigModel):
    provider: str | None = None
    mode: AuthMode | None = None
    email: str | None = None


class AuthConfig(ConfigModel):
    profiles: dict[str, AuthProfile] = Field(default_factory=dict)
    order: dict[str, builtins.list[str]] = Field(default_factory=dict)


class ProviderConfig(ConfigModel):
    base_url: str | None = None
    api_key: Secret | None = None
    api: str | None = None
    models: builtins.list[Json] = Field(default_factory=builtins.list)


class ModelsConfig(ConfigModel):
    providers: dict[str, ProviderConfig] = Field(default_factory=dict)


class Peer(ConfigModel):
    kind: str | None = None
    id: Id | None = None


class BindingMatch(ConfigModel):
    channel: str | None = None
    account_id: Id | None = None
    peer: Peer | None = None
    guild_id: Id | None = None
    team_id: Id | None = None


class Binding(ConfigModel):
    agent_id: Id
    match: BindingMatch = Field(default_factory=BindingMatch)


class GatewayAuth(ConfigModel):
    mode: GatewayAuthMode | None = None
    token: Secret | None = None
    password: Secret | None = None
    type: GatewayAuthMode | None = None  # older spelling of `mode`, read as it

    @model_validator(mode="after")
    def _older_type(self) -> GatewayAuth:
        if self.mode is None and self.type is not None:
            self.mode = self.type
        return self


class ControlUi(ConfigModel):
    enabled: bool = True
    base_path: str | None = None
    allowed_origins: builtins.list[str] = Field(default_factory=builtins.list)


class Reload(ConfigModel):
    mode: str | None = None


class Toggle(ConfigModel):
    enabled: bool = False


class HttpEndpoints(ConfigModel):
    chat_completions: Toggle = Field(default_factory=Toggle)


class GatewayHttp(ConfigModel):
    endpoints: HttpEndpoints = Field(default_factory=HttpEndpoints)


class GatewayConfig(ConfigModel):
    """`port`/`bind`/`mode` stay `None` when absent: rungateway applies flag > env > file >
    default precedence itself."""

    mode: GatewayMode | None = None
    port: int | None = None
    bind: BindMode | None = None
    custom_bind_host: str | None = None
    auth: GatewayAuth = Field(default_factory=GatewayAuth)
    control_ui: ControlUi = Field(default_factory=ControlUi)
    trusted_proxies: builtins.list[str] = Field(default_factory=builtins.list)
    reload: Reload = Field(default_factory=Reload)
    http: GatewayHttp = Field(default_factory=GatewayHttp)


class SessionConfig(ConfigModel):
    dm_scope: DmScope = "per-channel-peer"
    reset_triggers: builtins.list[str] = Field(default_factory=builtins.list)


class GroupChat(ConfigModel):
    mention_patterns: builtins.list[str] = Field(default_factory=builtins.list)
    history_limit: int | None = None


class QueueConfig(ConfigModel):
    cap: int = 20


class MessagesConfig(ConfigModel):
    response_prefix: str | None = None
    group_chat: GroupChat = Field(default_factory=GroupChat)
    queue: QueueConfig = Field(default_factory=QueueConfig)


def legacy_channels(document: object) -> JsonObject:
    """Channels written under the older top-level `providers` (Clawdbot) and not also under
    `channels`: read as `channels.<name>`, left where they are in the file."""
    if not isinstance(document, dict) or not isinstance(document.get("providers"), dict):
        return {}
    channels = document.get("channels")
    if channels is not None and not isinstance(channels, dict):
        return {}
    return {
        name: value
        for name, value in document["providers"].items()
        if name in channel_schemas() and isinstance(value, dict) and name not in (channels or {})
    }


class EpiloopConfig(ConfigModel):
    @model_validator(mode="before")
    @classmethod
    def _older_providers(cls, data: object) -> object:
        legacy = legacy_channels(data)
        if not legacy or not isinstance(data, dict):  # legacy channels come from an object
            return data
        return {**data, "channels": {**(data.get("channels") or {}), **legacy}}

    meta: Meta = Field(default_factory=Meta)
    tools: ToolsConfig = Field(default_factory=ToolsConfig)
    mcp: McpConfig = Field(default_factory=McpConfig)
    agents: AgentsConfig = Field(default_factory=AgentsConfig)
    auth: AuthConfig = Field(default_factory=AuthConfig)
    models: ModelsConfig = Field(default_factory=ModelsConfig)
    bindings: builtins.list[Binding] = Field(default_factory=builtins.list)
    channels: ChannelsConfig = Field(default_factory=ChannelsConfig)
    gateway: GatewayConfig = Field(default_factory=GatewayConfig)
    session: SessionConfig = Field(default_factory=SessionConfig)
    messages: MessagesConfig = Field(default_factory=MessagesConfig)
    limits: LimitsConfig = Field(default_factory=LimitsConfig)


def json_schema() -> JsonObject:
    """JSON Schema of the whole file, the registered channel sections included."""
    doc = EpiloopConfig.model_json_schema(by_alias=True)
    defs = doc.setdefault("$defs", {})
    channels = defs["ChannelsConfig"].setdefault("properties", {})
    for name, schema in channel_schemas().items():
        part = schema.model.model_json_schema(by_alias=True, ref_template="#/$defs/{model}")
        defs.update(part.pop("$defs", {}))
        channels[name] = part
    return doc
