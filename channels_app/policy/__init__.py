"""Access policy: may this inbound message reach an agent, and if not, why not.

`decide(inbound, config)` applies the platform's rules (`Platform.decide`, in
`channels_app/<platform>/policy.py`; the rules every platform shares are `dm` and `mention`
here) and returns a `Decision`. Rules are plain functions of the message, the config and a
`PairingStore` (the database by default; tests pass an in-memory one), so every rule of
DESIGN §9 is a unit test away.

A refused message carries a `reason` an operator can read (`no mention`, `guild not
allowlisted`, ...); the pipeline logs and records it through `channels_app.drops`. A
`reply` is text the bot sends back even though the message does not reach an agent (the
pairing code).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from agents.inbound import InboundMessage
from channels_app.policy.dm import DbPairingStore, PairingStore
from config.schema import EpiloopConfig


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""
    system_prompt: str = ""
    reply: str = ""  # sent to the sender even when not allowed (DM pairing code)
    quiet: bool = False  # a drop not worth a log line or a row (the bot's own messages)

    @classmethod
    def allow(cls, system_prompt: str = "", reason: str = "allowed") -> Decision:
        return cls(True, reason=reason, system_prompt=system_prompt)

    @classmethod
    def drop(cls, reason: str, *, reply: str = "", quiet: bool = False) -> Decision:
        return cls(False, reason=reason, reply=reply, quiet=quiet)


Rule = Callable[[InboundMessage, EpiloopConfig, PairingStore], Decision]


def rule_for(channel: str) -> Rule | None:
    """The access rules of platform `channel` (`Platform.decide`), None for another channel."""
    from channels_app import registry

    if channel not in registry.PLATFORMS:
        return None
    return registry.platform(channel).decide


def decide(
    inbound: InboundMessage, config: EpiloopConfig | None = None, store: PairingStore | None = None
) -> Decision:
    """The policy decision for `inbound` under `config` (default: the running config).

    Touches the database only through `store` (pairing approvals and codes): call it from
    async code through `sync_to_async`.
    """
    if config is None:
        from config.runtime import current

        config = current()
    rule = rule_for(inbound.channel)
    if rule is None:
        return Decision.allow(reason=f"no policy for channel {inbound.channel}")
    return rule(inbound, config, store if store is not None else DbPairingStore())
