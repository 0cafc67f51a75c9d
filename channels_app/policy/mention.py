"""Mention gating shared by every platform: an @mention of the bot, a reply to one of the
bot's messages, or a match of one of the `mentionPatterns` regexes (case-insensitive)."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable
from typing import Protocol

from agents.inbound import InboundMessage
from config.schema import EpiloopConfig

log = logging.getLogger("epiloop.channels")


@functools.lru_cache(maxsize=256)
def _compile(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        log.warning("mentionPatterns: ignoring invalid regex %r (%s)", pattern, exc)
        return None


def matches_patterns(text: str, patterns: Iterable[str] | None) -> bool:
    for pattern in patterns or ():
        compiled = _compile(pattern)
        if compiled is not None and compiled.search(text):
            return True
    return False


def is_mentioned(inbound: InboundMessage, patterns: Iterable[str] | None) -> bool:
    return inbound.mentions_bot or inbound.reply_to_bot or matches_patterns(inbound.text, patterns)


class HasMentionPatterns(Protocol):
    """A platform's config section with its own `mentionPatterns`."""

    @property
    def mention_patterns(self) -> list[str] | None: ...


def mention_patterns(
    config: EpiloopConfig, channel_section: HasMentionPatterns | None
) -> list[str]:
    """`messages.groupChat.mentionPatterns` plus the channel section's own, if any."""
    found = list(config.messages.group_chat.mention_patterns)
    if channel_section is not None:
        found += channel_section.mention_patterns or []
    return found
