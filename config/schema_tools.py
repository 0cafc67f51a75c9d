"""`tools.*`, `agents.list[].tools` and `mcp.*` in the config schema (OpenClaw's shape, so
an existing `openclaw.json` keeps working). Keys not modelled here are kept as written."""

from __future__ import annotations

import builtins
from typing import Literal

from pydantic import Field

from config.schema_base import ConfigModel, IdList, Secret

ToolProfile = Literal["minimal", "messaging", "coding", "full"]
ExecSecurity = Literal["deny", "allowlist", "full"]
ExecAsk = Literal["off", "on-miss", "always"]


class ExecConfig(ConfigModel):
    enabled: bool = False
    security: ExecSecurity = "allowlist"
    ask: ExecAsk = "on-miss"
    allowlist: builtins.list[str] = Field(default_factory=builtins.list)
    timeout_seconds: int = 60
    max_output_chars: int = 20000
    approval_timeout_seconds: int = 120


class WebSearchConfig(ConfigModel):
    enabled: bool = True
    provider: str | None = None  # "brave" (default) or another registered provider
    api_key: Secret | None = None
    base_url: str | None = None  # for proxies and tests
    max_results: int = 5
    timeout_seconds: int = 15


class WebFetchConfig(ConfigModel):
    enabled: bool = True
    max_chars: int = 50000
    max_bytes: int = 2_000_000
    timeout_seconds: int = 20
    allow_private_network: bool = False


class WebConfig(ConfigModel):
    search: WebSearchConfig = Field(default_factory=WebSearchConfig)
    fetch: WebFetchConfig = Field(default_factory=WebFetchConfig)


class ToolsConfig(ConfigModel):
    """`tools`: the base profile, then allow and deny (deny wins); names, `*` wildcards and
    `group:*` groups; matching is case-insensitive."""

    profile: ToolProfile | None = None
    allow: builtins.list[str] | None = None
    deny: builtins.list[str] = Field(default_factory=builtins.list)
    # What a channel sender who is not an owner of the agent gets (default "messaging").
    guest_profile: ToolProfile | None = None
    exec: ExecConfig = Field(default_factory=ExecConfig)
    web: WebConfig = Field(default_factory=WebConfig)


class AgentTools(ConfigModel):
    """`agents.list[].tools`: replaces the global profile/allow, adds to deny."""

    profile: ToolProfile | None = None
    allow: builtins.list[str] | None = None
    deny: builtins.list[str] = Field(default_factory=builtins.list)


class McpServer(ConfigModel):
    """`{command, args, env}` (stdio) or `{url, headers}` (streamable HTTP)."""

    command: str | None = None
    args: builtins.list[str] = Field(default_factory=builtins.list)
    env: dict[str, str] = Field(default_factory=dict)
    url: str | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    enabled: bool = True


class McpConfig(ConfigModel):
    servers: dict[str, McpServer] = Field(default_factory=dict)


__all__ = ["AgentTools", "IdList", "McpConfig", "McpServer", "ToolsConfig"]
