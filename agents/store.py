"""Sessions and messages in the database. Plain sync functions: async code calls them
through `sync_to_async` (see `agents.service`), at most twice per turn."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from agents.models import Message, Session, UsageDay
from agents.models.usage import price_for
from agents.providers import ChatMessage

HISTORY_MESSAGES = 40  # user + assistant messages sent back to the model
HISTORY_CHARS = 32_000


@dataclass
class TurnStart:
    session_id: int
    history: list[ChatMessage]


def _active(key: str, agent_id: str, channel: str, title: str) -> Session:
    session = Session.objects.filter(key=key, active=True).first()
    if session is not None:
        return session
    try:
        with transaction.atomic():
            return Session.objects.create(key=key, agent_id=agent_id, channel=channel, title=title)
    except IntegrityError:  # created meanwhile by another process
        return Session.objects.get(key=key, active=True)


def bounded_history(rows: list[tuple[str, str]]) -> list[ChatMessage]:
    """Newest-last messages within the limits, same-role runs merged, starting with `user`."""
    kept: list[tuple[str, str]] = []
    total = 0
    for role, text in reversed(rows[-HISTORY_MESSAGES:]):
        total += len(text)
        if total > HISTORY_CHARS and kept:
            break
        kept.append((role, text))
    kept.reverse()
    merged: list[ChatMessage] = []
    for role, text in kept:
        if merged and merged[-1].role == role:
            merged[-1] = ChatMessage(role, merged[-1].content + "\n\n" + text)
        else:
            merged.append(ChatMessage(role, text))
    while merged and merged[0].role != "user":
        merged.pop(0)
    return merged


def begin_turn(
    key: str, agent_id: str, channel: str, text: str, sender_id: str = "", sender_name: str = ""
) -> TurnStart:
    """Record the user's message; return the session and the history to send (with it)."""
    with transaction.atomic():
        session = _active(key, agent_id, channel, text[:200])
        rows = list(
            Message.objects.filter(session=session, ok=True)
            .order_by("-id")
            .values_list("role", "text")[:HISTORY_MESSAGES]
        )
        rows.reverse()
        Message.objects.create(
            session=session, role="user", text=text, sender_id=sender_id, sender_name=sender_name
        )
        Session.objects.filter(pk=session.pk).update(
            updated_at=timezone.now(), message_count=F("message_count") + 1
        )
    return TurnStart(session.pk, bounded_history([*rows, ("user", text)]))


def finish_turn(
    session_id: int,
    agent_id: str,
    text: str,
    *,
    ok: bool,
    error: str = "",
    provider: str = "",
    model: str = "",
    tokens_in: int = 0,
    tokens_out: int = 0,
    latency_ms: int | None = None,
) -> None:
    """Record the assistant's reply (or failure message) and add its usage to the day."""
    now = timezone.now()
    with transaction.atomic():
        Message.objects.create(
            session_id=session_id,
            role="assistant",
            text=text,
            ok=ok,
            error=error[:600],
            provider=provider,
            model=model,
            tokens_in=tokens_in,
            tokens_out=tokens_out,
            latency_ms=latency_ms,
            created_at=now,
        )
        Session.objects.filter(pk=session_id).update(
            updated_at=now,
            message_count=F("message_count") + 1,
            tokens_in=F("tokens_in") + tokens_in,
            tokens_out=F("tokens_out") + tokens_out,
        )
        if model:
            ident = {"day": now.date(), "agent_id": agent_id, "provider": provider, "model": model}
            updated = UsageDay.objects.filter(**ident).update(
                turns=F("turns") + 1,
                tokens_in=F("tokens_in") + tokens_in,
                tokens_out=F("tokens_out") + tokens_out,
            )
            if not updated:
                UsageDay.objects.create(
                    **ident, turns=1, tokens_in=tokens_in, tokens_out=tokens_out
                )


def reset_session(key: str, agent_id: str = "", channel: str = "") -> Session:
    """End the key's active session and start a fresh one (`/new`, `/reset`)."""
    with transaction.atomic():
        Session.objects.filter(key=key, active=True).update(active=False)
        agent_id = agent_id or (key.split(":")[1] if key.startswith("agent:") else "")
        return Session.objects.create(key=key, agent_id=agent_id, channel=channel)


# -- read side (WebSocket protocol, Control UI, admin) ---------------------------------------


def _millis(value: Any) -> int:
    return int(value.timestamp() * 1000) if value else 0


def list_sessions(limit: int = 100, agent_id: str | None = None) -> list[dict[str, Any]]:
    """Active sessions, most recently updated first."""
    query = Session.objects.filter(active=True)
    if agent_id:
        query = query.filter(agent_id=agent_id)
    return [
        {
            "key": s.key,
            "agentId": s.agent_id,
            "channel": s.channel,
            "title": s.title,
            "updatedAt": _millis(s.updated_at),
            "createdAt": _millis(s.created_at),
            "messageCount": s.message_count,
            "inputTokens": s.tokens_in,
            "outputTokens": s.tokens_out,
        }
        for s in query.order_by("-updated_at")[:limit]
    ]


def history(key: str, limit: int = 200) -> list[dict[str, Any]]:
    """The active session's messages, oldest first, at most `limit` of the newest."""
    session = Session.objects.filter(key=key, active=True).first()
    if session is None:
        return []
    rows = list(session.messages.order_by("-id")[:limit])
    rows.reverse()
    return [
        {
            "role": m.role,
            "content": [{"type": "text", "text": m.text}],
            "timestamp": _millis(m.created_at),
            "model": m.model,
            "provider": m.provider,
            "usage": {"inputTokens": m.tokens_in, "outputTokens": m.tokens_out},
            "ok": m.ok,
        }
        for m in rows
    ]


def delete_session(key: str) -> bool:
    deleted, _ = Session.objects.filter(key=key).delete()
    return deleted > 0


def usage_by_day(days: int = 14) -> list[dict[str, Any]]:
    """Tokens and estimated cost per day and agent over the last `days` days."""
    since = timezone.now().date() - timedelta(days=days - 1)
    out: dict[tuple[str, str], dict[str, Any]] = {}
    rows = UsageDay.objects.filter(day__gte=since).order_by("day", "agent_id")
    for row in rows:
        entry = out.setdefault(
            (row.day.isoformat(), row.agent_id),
            {
                "date": row.day.isoformat(),
                "agentId": row.agent_id,
                "turns": 0,
                "inputTokens": 0,
                "outputTokens": 0,
                "costUsd": 0.0,
            },
        )
        entry["turns"] += row.turns
        entry["inputTokens"] += row.tokens_in
        entry["outputTokens"] += row.tokens_out
        price = price_for(row.provider, row.model)
        if price is not None:
            entry["costUsd"] += float(price.cost(row.tokens_in, row.tokens_out))
    return list(out.values())


def totals_by_agent() -> dict[str, dict[str, int]]:
    sums = UsageDay.objects.values("agent_id").annotate(
        tokens_in=Sum("tokens_in"), tokens_out=Sum("tokens_out"), turns=Sum("turns")
    )
    return {
        r["agent_id"]: {k: int(r[k] or 0) for k in ("tokens_in", "tokens_out", "turns")}
        for r in sums
    }
