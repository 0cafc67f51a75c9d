"""Access policy: may this inbound message reach an agent, and if not, why not.

`decide(inbound, config)` looks up the platform's rules in `RULES` (channel name ->
"module:function", imported lazily) and returns a `Decision`. Rules are plain functions of
the message, the config and a `PairingStore` (the database by default; tests pass an
in-memory one), so every rule of DESIGN §9 is a unit test away.

A refused message carries a `reason` an operator can read (`no mention`, `guild not
allowlisted`, ...); the adapter logs and records it through `channels_app.drops`. A
`reply` is text the bot sends back even though the message does not reach an agent (the
pairing code).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from agents.inbound import InboundMessage
from channels_app.policy.dm import DbPairingStore, PairingStore


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


Rule = Callable[[InboundMessage, Any, PairingStore], Decision]

# channel name -> "module:function"; the telegram helper registers "telegram" here.
RULES: dict[str, str] = {
    "discord": "channels_app.policy.discord:decide",
    "telegram": "channels_app.policy.telegram:decide",
}


def rule_for(channel: str) -> Rule | None:
    target = RULES.get(channel)
    if not target:
        return None
    module_name, _, func_name = target.partition(":")
    rule: Rule = getattr(importlib.import_module(module_name), func_name)
    return rule


def decide(
    inbound: InboundMessage, config: Any = None, store: PairingStore | None = None
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
