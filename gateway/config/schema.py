"""The shape of `epiloop.json` (DESIGN §6) as pydantic v2 models.

Every model keeps keys it does not know (`extra="allow"`, found in `model_extra`). JSON
keys are camelCase, Python attributes snake_case (`cfg.channels.discord.group_policy`).
Ids may be written as numbers or strings; they are normalised to strings. A channel
section that is absent from the file is `None` (`cfg.channels.discord is None`), so
"configured" and "not configured" stay distinguishable.

Validate a `${VAR}`-resolved document with `EpiloopConfig.model_validate(doc)`; the loader
in `gateway.config.io` does the resolving and turns errors into one line per problem.
"""

from __future__ import annotations

import builtins
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

GroupPolicy = Literal["open", "allowlist", "disabled"]
DmPolicy = Literal["pairing", "allowlist", "open", "disabled"]
AuthMode = Literal["api_key", "token", "oauth"]
DmScope = Literal["main", "per-peer", "per-channel-peer", "per-account-channel-peer"]
GatewayMode = Literal["local", "remote"]
BindMode = Literal["loopback", "lan", "tailnet", "custom", "auto"]
GatewayAuthMode = Literal["token", "password"]


def _id(value: Any) -> Any:
    """Ids arrive as numbers (`123456789`) or strings; everything downstream sees strings."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _id_list(value: Any) -> Any:
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


class Meta(ConfigModel):
    last_touched_version: str | None = None
    last_touched_at: str | None = None


class ModelSpec(ConfigModel):
    """`primary` then `fallbacks`. `fallbacks=None` means "inherit the defaults'" on an
    agent; `[]` means no fallbacks."""

    primary: str | None = None
    fallbacks: builtins.list[str] | None = None


def _model_spec(value: Any) -> Any:
    if isinstance(value, str):
        return {"primary": value}
    return value


ModelField = Annotated[ModelSpec | None, BeforeValidator(_model_spec)]


class AgentDefaults(ConfigModel):
    model: ModelField = None
    max_concurrent: int = 4
    timeout_seconds: int = 600
    workspace: str | None = None
    models: dict[str, Any] = Field(default_factory=dict)


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
    models: builtins.list[Any] = Field(default_factory=builtins.list)


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


class GuildChannel(ConfigModel):
    allow: bool | None = None
    require_mention: bool | None = None
    users: IdList | None = None
    system_prompt: str | None = None
    enabled: bool | None = None


class Guild(ConfigModel):
    slug: str | None = None
    require_mention: bool | None = None
    users: IdList | None = None
    channels: dict[str, GuildChannel] = Field(default_factory=dict)


class DiscordDm(ConfigModel):
    enabled: bool = True
    policy: DmPolicy | None = None
    allow_from: IdList | None = None


def _open_needs_wildcard(
    policy: str | None, allow_from: builtins.list[str] | None, key: str
) -> None:
    if policy == "open" and "*" not in (allow_from or []):
        raise PydanticCustomError(
            "dm_open_without_wildcard",
            'dmPolicy "open" lets anyone message the bot; add "*" to allowFrom to confirm, '
            'or use "pairing" or "allowlist"',
            {"field": key},
        )


class DiscordConfig(ConfigModel):
    enabled: bool = True
    token: Secret | None = None
    group_policy: GroupPolicy = "allowlist"
    require_mention: bool | None = None
    dm: DiscordDm | None = None
    dm_policy: DmPolicy | None = None
    allow_from: IdList | None = None
    guilds: dict[str, Guild] = Field(default_factory=dict)
    text_chunk_limit: int = 2000
    history_limit: int | None = None
    allow_bots: bool = False
    api_base: str | None = None
    gateway_url: str | None = None
    mention_patterns: builtins.list[str] | None = None

    @property
    def effective_dm_policy(self) -> str:
        """The flat `dmPolicy` wins over the older nested `dm.policy`; default `pairing`."""
        if self.dm_policy:
            return self.dm_policy
        if self.dm and self.dm.policy:
            return self.dm.policy
        return "pairing"

    @property
    def effective_allow_from(self) -> builtins.list[str]:
        if self.allow_from is not None:
            return self.allow_from
        if self.dm and self.dm.allow_from is not None:
            return self.dm.allow_from
        return []

    @model_validator(mode="after")
    def _check_open_dm(self) -> DiscordConfig:
        if self.dm_policy is not None:
            _open_needs_wildcard(self.dm_policy, self.effective_allow_from, "dmPolicy")
        elif self.dm is not None:
            _open_needs_wildcard(self.dm.policy, self.effective_allow_from, "dm.policy")
        return self


class TelegramGroup(ConfigModel):
    require_mention: bool | None = None
    allow_from: IdList | None = None
    system_prompt: str | None = None
    enabled: bool | None = None


class TelegramConfig(ConfigModel):
    enabled: bool = True
    bot_token: Secret | None = None
    token_file: str | None = None
    dm_policy: DmPolicy = "pairing"
    allow_from: IdList = Field(default_factory=builtins.list)
    group_policy: GroupPolicy = "allowlist"
    group_allow_from: IdList = Field(default_factory=builtins.list)
    groups: dict[str, TelegramGroup] = Field(default_factory=dict)
    text_chunk_limit: int = 4000
    webhook_url: str | None = None
    webhook_secret: Secret | None = None
    api_root: str | None = None
    mention_patterns: builtins.list[str] | None = None

    @model_validator(mode="after")
    def _check_open_dm(self) -> TelegramConfig:
        _open_needs_wildcard(self.dm_policy, self.allow_from, "dmPolicy")
        return self


class ChannelsConfig(ConfigModel):
    """Only Discord and Telegram are modelled; other keys (slack, `defaults`, `_comment_*`)
    are kept as they are."""

    discord: DiscordConfig | None = None
    telegram: TelegramConfig | None = None


class GatewayAuth(ConfigModel):
    mode: GatewayAuthMode | None = None
    token: Secret | None = None
    password: Secret | None = None


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


class EpiloopConfig(ConfigModel):
    meta: Meta = Field(default_factory=Meta)
    agents: AgentsConfig = Field(default_factory=AgentsConfig)
    auth: AuthConfig = Field(default_factory=AuthConfig)
    models: ModelsConfig = Field(default_factory=ModelsConfig)
    bindings: builtins.list[Binding] = Field(default_factory=builtins.list)
    channels: ChannelsConfig = Field(default_factory=ChannelsConfig)
    gateway: GatewayConfig = Field(default_factory=GatewayConfig)
    session: SessionConfig = Field(default_factory=SessionConfig)
    messages: MessagesConfig = Field(default_factory=MessagesConfig)
