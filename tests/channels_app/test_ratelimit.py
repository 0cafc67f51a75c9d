"""Token buckets per sender and per chat (channels_app/ratelimit.py), on a fake clock."""

from __future__ import annotations

from agents.inbound import InboundMessage
from channels_app.ratelimit import RateLimiter, is_exempt
from config.schema_limits import InboundLimits


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def dm(sender: str = "42", chat: str = "") -> InboundMessage:
    return InboundMessage(
        channel="telegram", chat_kind="dm", chat_id=chat or sender, sender_id=sender, text="hi"
    )


def test_a_burst_passes_then_one_message_per_refill_interval() -> None:
    clock = Clock()
    limiter, limits = RateLimiter(clock), InboundLimits()  # burst 5, 20 a minute
    assert [limiter.check(dm(), limits).allowed for _ in range(6)] == [True] * 5 + [False]
    clock.now += 2.9
    assert not limiter.check(dm(), limits).allowed
    clock.now += 0.2  # 3 s: one token back
    assert limiter.check(dm(), limits).allowed
    assert not limiter.check(dm(), limits).allowed
    passed = 0
    for _ in range(60):  # a steady message a second for a minute
        clock.now += 1
        passed += limiter.check(dm(), limits).allowed
    assert passed == 20


def test_the_sender_is_told_once_until_a_message_passes_again() -> None:
    clock = Clock()
    limiter, limits = RateLimiter(clock), InboundLimits(burst=1, per_sender_per_minute=6)
    assert limiter.check(dm(), limits).allowed
    first, second = limiter.check(dm(), limits), limiter.check(dm(), limits)
    assert first.tell == "You're sending messages too fast; I'll answer again in 10 s."
    assert second.tell == "" and not second.allowed
    assert first.reason == second.reason == "rate limited (perSenderPerMinute 6)"
    clock.now += 10
    assert limiter.check(dm(), limits).allowed
    assert limiter.check(dm(), limits).tell  # told again after passing


def test_a_busy_chat_is_limited_across_its_senders() -> None:
    limiter = RateLimiter(Clock())
    limits = InboundLimits(burst=3, per_chat_per_minute=30)
    verdicts = [limiter.check(dm(sender=str(n), chat="-100"), limits) for n in range(4)]
    assert [v.allowed for v in verdicts] == [True, True, True, False]
    assert verdicts[-1].reason == "rate limited (perChatPerMinute 30)"
    assert limiter.check(dm(sender="9", chat="-200"), limits).allowed  # another chat


def test_idle_buckets_are_evicted() -> None:
    clock = Clock()
    limiter, limits = RateLimiter(clock), InboundLimits()
    for n in range(100):
        limiter.check(dm(sender=str(n)), limits)
    assert len(limiter.senders) == 100
    clock.now += 60  # every bucket refilled: nothing worth keeping
    limiter.check(dm(sender="new"), limits)
    assert len(limiter.senders) == 1 and len(limiter.chats) == 1


def test_exempt_entries_name_a_platform_or_any() -> None:
    limits = InboundLimits.model_validate({"exempt": ["telegram:42", 77]})
    assert is_exempt(dm("42"), limits)
    assert is_exempt(dm("77"), limits)
    assert not is_exempt(dm("43"), limits)
    assert not is_exempt(
        InboundMessage(channel="discord", chat_kind="dm", chat_id="1", sender_id="42", text=""),
        limits,
    )
