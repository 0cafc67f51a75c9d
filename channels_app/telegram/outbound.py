"""Sending to Telegram: chunked replies, flood-control waits, the typing indicator.

A reply is split with the shared fence-aware splitter at `textChunkLimit` (≤ 4096) and sent
as plain text (no parse mode, so no entity can fail to parse), in the same chat and forum
topic. 429 `retry_after` is waited out; a 403 (bot blocked or kicked) is logged once per
chat and the rest of that reply is not attempted.
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import timedelta
from typing import Any

from telegram import Bot, ReplyParameters
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from channels_app.base import typing_loop
from channels_app.telegram.options import MAX_MESSAGE_LENGTH

log = logging.getLogger("epiloop.telegram")

TYPING_EVERY = 4.0  # Telegram shows "typing…" for 5 s after each sendChatAction
# An answer faster than this needs no "typing…" (it would show after the answer anyway):
# saves one Bot API call per quick reply.
TYPING_GRACE = 0.2
MAX_ATTEMPTS = 5


def retry_seconds(exc: RetryAfter) -> float:
    value = exc.retry_after  # a timedelta (PTB_TIMEDELTA, see __init__) or seconds
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def chunks(text: str, limit: int) -> list[str]:
    """`text` split at `limit` characters; Telegram counts UTF-16 units, so a chunk full of
    emoji that still exceeds 4096 of them is split again, smaller."""
    from channels_app.chunking import split_reply

    out: list[str] = []
    for part in split_reply(text, limit):
        if utf16_len(part) <= MAX_MESSAGE_LENGTH:
            out.append(part)
        else:
            out.extend(chunks(part, max(1, limit // 2)))
    return [c for c in out if c.strip()]


class Sender:
    """Sends replies through one bot; remembers which chats refused us (403)."""

    def __init__(
        self, bot: Bot, on_error: Callable[[str], None] | None = None, max_in_flight: int = 16
    ) -> None:
        self.bot = bot
        # Bot API calls wait here, not in httpcore's pool queue, which rescans every queued
        # request each time a connection frees up (quadratic CPU under a burst of updates).
        self.slots = asyncio.Semaphore(max_in_flight)
        self.on_error = on_error or (lambda _msg: None)
        self.forbidden: set[str] = set()
        self.sent_messages = 0

    async def send_parts(
        self, chat_id: str, parts: list[str], *, thread_id: str = "", reply_to: str = ""
    ) -> list[str]:
        """Send each part as a message, the first replying to `reply_to`; the ids of the
        messages that went out (a part that cannot be sent ends the sending)."""
        sent: list[str] = []
        for index, part in enumerate(parts):
            first_reply = reply_to if index == 0 else ""
            message_id = await self.send_one(
                chat_id, part, thread_id=thread_id, reply_to=first_reply
            )
            if not message_id:
                break
            sent.append(message_id)
        return sent

    async def send_one(
        self, chat_id: str, text: str, *, thread_id: str = "", reply_to: str = ""
    ) -> str:
        """Send one message; its id, or "" when it could not be sent (reported)."""
        kwargs: dict[str, Any] = {"chat_id": int(chat_id), "text": text}
        if thread_id:
            kwargs["message_thread_id"] = int(thread_id)
        if reply_to:
            kwargs["reply_parameters"] = ReplyParameters(
                message_id=int(reply_to), allow_sending_without_reply=True
            )
        delay = 1.0
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                async with self.slots:
                    message = await self.bot.send_message(**kwargs)
            except RetryAfter as exc:
                wait = retry_seconds(exc)
                log.info("flood control on chat %s: waiting %.0f s", chat_id, wait)
                await asyncio.sleep(wait + 0.1)
                continue
            except Forbidden as exc:
                self._forbidden(chat_id, exc)
                return ""
            except BadRequest as exc:
                if "thread not found" in exc.message.lower() and "message_thread_id" in kwargs:
                    kwargs.pop("message_thread_id")  # the topic was closed or deleted
                    continue
                self.report(f"sendMessage to chat {chat_id} failed: {exc.message}")
                return ""
            except (TimedOut, NetworkError) as exc:
                if attempt == MAX_ATTEMPTS:
                    self.report(f"sendMessage to chat {chat_id} failed: {exc.message}")
                    return ""
                await asyncio.sleep(delay * random.uniform(0.5, 1.5))
                delay = min(delay * 2, 10.0)
                continue
            self.forbidden.discard(chat_id)
            self.sent_messages += 1
            return str(message.message_id)
        self.report(f"sendMessage to chat {chat_id} gave up after {MAX_ATTEMPTS} attempts")
        return ""

    def _forbidden(self, chat_id: str, exc: Forbidden) -> None:
        if chat_id in self.forbidden:
            return
        self.forbidden.add(chat_id)
        self.report(f"cannot send to chat {chat_id}: {exc.message}")

    def report(self, message: str) -> None:
        log.warning("%s", message)
        self.on_error(message)

    async def typing_once(self, chat_id: str, thread_id: str = "") -> None:
        if chat_id in self.forbidden:
            return
        kwargs: dict[str, Any] = {"chat_id": int(chat_id), "action": "typing"}
        if thread_id:
            kwargs["message_thread_id"] = int(thread_id)
        try:
            async with self.slots:
                await self.bot.send_chat_action(**kwargs)
        except Forbidden as exc:
            self._forbidden(chat_id, exc)
        except Exception as exc:  # typing is cosmetic: never let it fail a reply
            log.debug("sendChatAction to chat %s failed: %s", chat_id, exc)


def typing(sender: Sender, chat_id: str, thread_id: str = "") -> AbstractAsyncContextManager[None]:
    """Keep "typing…" visible while the block runs (from `TYPING_GRACE` seconds on)."""
    started = False

    async def send() -> None:
        nonlocal started
        if not started:
            started = True
            await asyncio.sleep(TYPING_GRACE)
        await sender.typing_once(chat_id, thread_id)

    return typing_loop(send, TYPING_EVERY, log)


_TARGET = re.compile(r"^(?:(?:chat|user|telegram|tg):)?(-?\d+)(?::topic:(\d+))?$")


def parse_target(target: str) -> tuple[str, str]:
    """(chat id, forum topic id) of a `send` target: `-100123`, `user:42` (a user's DM chat
    has the user's id), `-100123:topic:9`."""
    found = _TARGET.match(target.strip())
    if found is None:
        raise ValueError(
            f"not a Telegram chat id: {target!r} (use a numeric chat id, user:ID, or "
            "CHAT:topic:ID for a forum topic)"
        )
    return found.group(1), found.group(2) or ""
