"""Duplicate-proof inbound: a message seen once is never answered twice.

Telegram redelivers a webhook that was not acknowledged in time and replays polled updates
after a restart that did not confirm them; Discord may dispatch a MESSAGE_CREATE again
around a RESUME. Each delivery is remembered by (platform, account, delivery id) in an
insertion-ordered dict: a lookup and an insert are O(1), entries older than `WINDOW`
seconds are dropped from the front, and past `MAX_ENTRIES` the oldest go first. So memory
is bounded by `MAX_ENTRIES` keys whatever the traffic; a duplicate older than the window
(or pushed out by 10,000 newer messages) would be answered again.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

from agents.inbound import InboundMessage

MAX_ENTRIES = 10_000
WINDOW = 24 * 3600.0  # seconds

Key = tuple[str, str, str]


class SeenSet:
    def __init__(
        self,
        *,
        max_entries: int = MAX_ENTRIES,
        window: float = WINDOW,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_entries = max_entries
        self.window = window
        self.clock = clock
        self._seen: OrderedDict[Key, float] = OrderedDict()

    def __len__(self) -> int:
        return len(self._seen)

    def check_and_add(self, key: Key) -> bool:
        """True when `key` was seen within the window (a duplicate); otherwise remember it."""
        now = self.clock()
        self._expire(now)
        if key in self._seen:
            return True
        self._seen[key] = now
        while len(self._seen) > self.max_entries:
            self._seen.popitem(last=False)
        return False

    def clear(self) -> None:
        self._seen.clear()

    def _expire(self, now: float) -> None:
        # Amortised O(1): each entry is popped at most once.
        while self._seen:
            key, at = next(iter(self._seen.items()))
            if now - at < self.window:
                return
            del self._seen[key]


def delivery_id(inbound: InboundMessage) -> str:
    """What identifies one delivery: the adapter's `extra["delivery_id"]` (Telegram's
    update_id), else the chat and message id (Discord snowflakes are unique anyway). Empty
    when the platform gave no id: such a message is never treated as a duplicate."""
    explicit = inbound.extra.get("delivery_id", "")
    if explicit:
        return explicit
    return f"{inbound.chat_id}/{inbound.message_id}" if inbound.message_id else ""


SEEN = SeenSet()  # one per process: every adapter's messages pass the same pipeline


def is_duplicate(inbound: InboundMessage, seen: SeenSet = SEEN) -> bool:
    ident = delivery_id(inbound)
    if not ident:
        return False
    return seen.check_and_add((inbound.channel, inbound.account_id, ident))
