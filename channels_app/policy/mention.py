"""Mention gating shared by every platform: an @mention of the bot, a reply to one of the
bot's messages, or a match of one of the `mentionPatterns` regexes (case-insensitive)."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable

from agents.inbound import InboundMessage

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


def mention_patterns(config: object, channel_section: object | None) -> list[str]:
    """`messages.groupChat.mentionPatterns` plus the channel section's own, if any."""
    found: list[str] = []
    messages = getattr(config, "messages", None)
    group_chat = getattr(messages, "group_chat", None)
    found += list(getattr(group_chat, "mention_patterns", None) or [])
    found += list(getattr(channel_section, "mention_patterns", None) or [])
    return found
