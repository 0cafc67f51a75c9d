"""The bounded, time-windowed set of deliveries already seen (channels_app/dedupe.py)."""

from __future__ import annotations

from agents.inbound import InboundMessage
from channels_app.dedupe import SeenSet, delivery_id, is_duplicate


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_second_delivery_is_a_duplicate_and_another_message_is_not() -> None:
    seen = SeenSet()
    assert not seen.check_and_add(("telegram", "default", "update:1"))
    assert seen.check_and_add(("telegram", "default", "update:1"))
    assert not seen.check_and_add(("telegram", "default", "update:2"))
    assert not seen.check_and_add(("telegram", "work", "update:1"))  # another account
    assert not seen.check_and_add(("discord", "default", "update:1"))


def test_deliveries_are_forgotten_after_the_window() -> None:
    clock = Clock()
    seen = SeenSet(window=60, clock=clock)
    seen.check_and_add(("discord", "default", "1"))
    clock.now += 59
    assert seen.check_and_add(("discord", "default", "1"))
    clock.now += 2
    assert not seen.check_and_add(("discord", "default", "1"))


def test_memory_is_bounded_by_dropping_the_oldest() -> None:
    seen = SeenSet(max_entries=3)
    for n in range(10):
        seen.check_and_add(("discord", "default", str(n)))
    assert len(seen) == 3
    assert not seen.check_and_add(("discord", "default", "0"))  # pushed out
    assert seen.check_and_add(("discord", "default", "9"))


def test_telegram_update_ids_win_over_message_ids_and_no_id_is_never_a_duplicate() -> None:
    base = dict(channel="telegram", chat_kind="dm", chat_id="42", sender_id="42", text="hi")
    by_update = InboundMessage(**base, message_id="7", extra={"delivery_id": "update:9"})  # type: ignore[arg-type]
    assert delivery_id(by_update) == "update:9"
    assert delivery_id(InboundMessage(**base, message_id="7")) == "42/7"  # type: ignore[arg-type]
    seen = SeenSet()
    anonymous = InboundMessage(**base)  # type: ignore[arg-type]
    assert not is_duplicate(anonymous, seen) and not is_duplicate(anonymous, seen)
