"""Per-sender and per-chat inbound rate limits (`limits.inbound`): token buckets.

Each (platform, account, sender) and (platform, account, chat) has a bucket of `burst`
tokens refilled at `perSenderPerMinute` (or `perChatPerMinute`) a minute; a message takes
one token from both. The first message over the limit gets one short line telling the
sender when to come back; later ones are dropped without a word until a message passes
again (so a flood never makes the bot flood back). Buckets live in insertion-ordered dicts
moved to the end on use; a bucket at the front that has refilled completely holds nothing
worth keeping and is evicted, so memory follows the senders of the last few minutes.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from agents.inbound import InboundMessage
from config.schema import EpiloopConfig
from config.schema_limits import InboundLimits

Key = tuple[str, str, str]


@dataclass
class Bucket:
    tokens: float
    at: float
    told: bool = False  # the sender was told they are too fast (since their last pass)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reason: str = ""  # "rate limited (perSenderPerMinute 20)"
    tell: str = ""  # the one line for the sender, on the first refusal only


class Buckets:
    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self._buckets: OrderedDict[Key, Bucket] = OrderedDict()

    def __len__(self) -> int:
        return len(self._buckets)

    def get(self, key: Key, burst: int, per_minute: int) -> Bucket:
        now, rate = self.clock(), per_minute / 60.0
        self._evict(now, burst, rate)
        bucket = self._buckets.pop(key, None) or Bucket(float(burst), now)
        bucket.tokens = min(float(burst), bucket.tokens + (now - bucket.at) * rate)
        bucket.at = now
        self._buckets[key] = bucket  # now the most recently used
        return bucket

    def _evict(self, now: float, burst: int, rate: float) -> None:
        while self._buckets:
            key, oldest = next(iter(self._buckets.items()))
            if oldest.tokens + (now - oldest.at) * rate < burst:
                return
            del self._buckets[key]

    def clear(self) -> None:
        self._buckets.clear()


class RateLimiter:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.senders = Buckets(clock)
        self.chats = Buckets(clock)

    def check(self, inbound: InboundMessage, limits: InboundLimits) -> Verdict:
        """Take a token for the message from its sender's and its chat's buckets, or say
        why not. Exemptions are the caller's (they depend on the routed agent)."""
        where = (inbound.channel, inbound.account_id)
        sender = self.senders.get(
            (*where, inbound.sender_id), limits.burst, limits.per_sender_per_minute
        )
        chat = self.chats.get((*where, inbound.chat_id), limits.burst, limits.per_chat_per_minute)
        if sender.tokens >= 1 and chat.tokens >= 1:
            sender.tokens -= 1
            chat.tokens -= 1
            sender.told = False
            return Verdict(True)
        if sender.tokens < 1:
            reason = f"rate limited (perSenderPerMinute {limits.per_sender_per_minute})"
            wait = (1 - sender.tokens) * 60 / limits.per_sender_per_minute
        else:
            reason = f"rate limited (perChatPerMinute {limits.per_chat_per_minute})"
            wait = (1 - chat.tokens) * 60 / limits.per_chat_per_minute
        if sender.told:
            return Verdict(False, reason)
        sender.told = True
        seconds = max(1, math.ceil(wait))
        return Verdict(
            False, reason, f"You're sending messages too fast; I'll answer again in {seconds} s."
        )

    def clear(self) -> None:
        self.senders.clear()
        self.chats.clear()


def is_exempt(inbound: InboundMessage, limits: InboundLimits) -> bool:
    """Listed in `exempt` (`"discord:123"`, or a bare id on any platform)."""
    me = {inbound.sender_id, f"{inbound.channel}:{inbound.sender_id}".lower()}
    return any(entry.strip() in me or entry.strip().lower() in me for entry in limits.exempt)


LIMITER = RateLimiter()  # one per process, like the pipeline it guards


def guard(
    inbound: InboundMessage, config: EpiloopConfig, limiter: RateLimiter | None = None
) -> Verdict:
    """The pipeline's check for a message the policy allowed: exempt senders (`exempt`,
    and with `exemptOwners` the owners of the agent it is routed to) always pass and take
    no token from their chat."""
    limits = config.limits.inbound
    if not limits.enabled or is_exempt(inbound, limits):
        return Verdict(True)
    if limits.exempt_owners:
        from agents.routing import resolve_route  # reads the running config
        from channels_app.approvals import is_owner

        if is_owner(config, resolve_route(inbound).agent_id, inbound):
            return Verdict(True)
    return (limiter or LIMITER).check(inbound, limits)
