"""`limits.*` in the config schema: inbound rate limits per sender and per chat (enforced by
`channels_app/ratelimit.py`); `limits.budgets` and other keys are kept as written."""

from __future__ import annotations

from pydantic import Field

from config.schema_base import ConfigModel, IdList


class InboundLimits(ConfigModel):
    enabled: bool = True
    per_sender_per_minute: int = Field(default=20, ge=1)
    per_chat_per_minute: int = Field(default=60, ge=1)
    burst: int = Field(default=5, ge=1)  # messages at once before the per-minute rate applies
    exempt_owners: bool = True  # owners of the routed agent are never limited
    exempt: IdList = Field(default_factory=list)  # "discord:123" or a bare sender id


class LimitsConfig(ConfigModel):
    inbound: InboundLimits = Field(default_factory=InboundLimits)
