"""Direct-message policy shared by every platform: pairing (default), allowlist, open,
disabled; plus `sender_matches`, the one place allowlist entries are compared."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from agents.inbound import InboundMessage

if TYPE_CHECKING:
    from channels_app.policy import Decision

# Ways to write a sender id every platform accepts; each platform adds its own
# (`Platform.sender_prefixes`: "discord:123", "tg:123", "<@123>").
SHARED_PREFIXES = ("user:", "@")


@dataclass(frozen=True)
class PairingAttempt:
    code: str = ""
    created: bool = False  # a new code was issued now: tell the sender
    full: bool = False  # too many pending codes on this channel: nothing issued


class PairingStore(Protocol):
    def is_approved(self, inbound: InboundMessage) -> bool: ...

    def request(self, inbound: InboundMessage) -> PairingAttempt: ...


class DbPairingStore:
    """Pairing state in the database (`channels_app.pairing`)."""

    def is_approved(self, inbound: InboundMessage) -> bool:
        from channels_app import pairing

        return pairing.is_approved(inbound.channel, inbound.sender_id, inbound.account_id)

    def request(self, inbound: InboundMessage) -> PairingAttempt:
        from channels_app import pairing

        return pairing.request_code(inbound)


@functools.lru_cache(maxsize=8)
def _prefix_re(prefixes: tuple[str, ...]) -> re.Pattern[str]:
    longest_first = sorted(prefixes, key=len, reverse=True)  # "<@!" before "<@"
    return re.compile(rf"^(?:{'|'.join(map(re.escape, longest_first))})+", re.IGNORECASE)


def _prefixes() -> re.Pattern[str]:
    from channels_app import registry

    found = list(SHARED_PREFIXES)
    for name in registry.names():
        found += registry.platform(name).sender_prefixes
    return _prefix_re(tuple(found))


def _norm(entry: str, prefixes: re.Pattern[str]) -> str:
    entry = prefixes.sub("", str(entry).strip())
    return entry.rstrip(">").lower()


def sender_matches(inbound: InboundMessage, entries: Iterable[str] | None) -> bool:
    """True if an allowlist entry names the sender: `*`, the id (`123`, `user:123`,
    `<@123>`, `discord:123`), or the user name (`@name`, `name`), case-insensitively."""
    names = {n.lower() for n in (inbound.sender_username, inbound.sender_name) if n}
    prefixes = _prefixes()
    for raw in entries or ():
        if str(raw).strip() == "*":
            return True
        entry = _norm(str(raw), prefixes)
        if entry and (entry == inbound.sender_id.lower() or entry in names):
            return True
    return False


def pairing_text(inbound: InboundMessage, code: str) -> str:
    return (
        f"Hi! I don't know you yet, so I can't answer. Your pairing code is {code} "
        "(valid for 1 hour). Ask the owner to approve it with:\n"
        f"python manage.py pairing approve {inbound.channel} {code}"
    )


def decide_dm(
    inbound: InboundMessage,
    *,
    policy: str,
    allow_from: Iterable[str] | None,
    store: PairingStore,
    enabled: bool = True,
) -> Decision:
    from channels_app.policy import Decision

    if not enabled:
        return Decision.drop("DMs are disabled (dm.enabled is false)")
    if policy == "disabled":
        return Decision.drop("DMs are disabled (dmPolicy disabled)")
    if policy == "open":
        return Decision.allow(reason="dmPolicy open")
    if sender_matches(inbound, allow_from):
        return Decision.allow(reason="sender in allowFrom")
    if policy == "allowlist":
        return Decision.drop("sender not in allowFrom (dmPolicy allowlist)")
    if store.is_approved(inbound):
        return Decision.allow(reason="sender paired")
    attempt = store.request(inbound)
    if attempt.full:
        return Decision.drop("pairing required, but 3 codes are already pending; no code sent")
    if attempt.created:
        return Decision.drop(
            f"pairing required; code {attempt.code} sent", reply=pairing_text(inbound, attempt.code)
        )
    return Decision.drop(f"pairing pending (code {attempt.code} already sent)")
