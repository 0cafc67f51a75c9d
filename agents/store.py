"""Sessions and messages in the database. Plain sync functions: async code calls them
through `sync_to_async` (see `agents.service`): one read on a session's first turn in this
process, one write per turn after the reply."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import ParamSpec, TypeVar

from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.db.models import Sum
from django.utils import timezone

from agents import memory, sessionkeys, transcript
from agents.memory import Row
from agents.models import Message, Session, UsageDay
from agents.models.usage import price_for
from agents.providers import Block
from config.jsontypes import JsonObject

HISTORY_MESSAGES = memory.HISTORY_MESSAGES  # user + assistant messages sent to the model
HISTORY_CHARS = transcript.HISTORY_CHARS
bounded_history = transcript.bounded_history


P = ParamSpec("P")
R = TypeVar("R")


def reconnecting(fn: Callable[P, R]) -> Callable[P, R]:
    """Run `fn`, and once more on a fresh connection if the database dropped ours.

    These helpers run in the long-lived thread of `sync_to_async`, where no request cycle
    closes stale connections (a PostgreSQL restart, say)."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except (InterfaceError, OperationalError):
            if connection.in_atomic_block:
                raise
            connection.close()
            return fn(*args, **kwargs)

    return wrapper


def _active(key: str, agent_id: str, channel: str, title: str) -> Session:
    session = Session.objects.filter(key=key, active=True).first()
    if session is not None:
        return session
    try:
        with transaction.atomic():
            return Session.objects.create(
                key=key, agent_id=agent_id, channel=channel, title=title[:200]
            )
    except IntegrityError:  # created meanwhile by another process
        return Session.objects.get(key=key, active=True)


@reconnecting
def load_session(key: str, agent_id: str, channel: str, title: str) -> tuple[int, list[Row]]:
    """The key's active session (created if needed) and its recent answered messages."""
    session = _active(key, agent_id, channel, title[:200])
    found = list(
        Message.objects.filter(session=session, ok=True)
        .order_by("-id")
        .values_list("role", "text", "blocks")[:HISTORY_MESSAGES]
    )
    found.reverse()
    rows: list[Row] = [
        (role, text, tuple(blocks)) if blocks else (role, text) for role, text, blocks in found
    ]
    return session.pk, rows


@dataclass
class TurnRecord:
    """Both messages of one turn, written together after the reply (off the hot path)."""

    session_id: int
    key: str
    agent_id: str
    channel: str
    user_text: str
    user_at: datetime
    text: str
    ok: bool
    error: str = ""
    sender_id: str = ""
    sender_name: str = ""
    provider: str = ""
    model: str = ""
    tokens_in: int = 0
    tokens_out: int = 0
    latency_ms: int | None = None
    # Between the user's message and the answer: ("assistant", text, tool uses) and
    # ("tool", "", tool results) pairs, one per tool round.
    steps: list[tuple[str, str, list[Block]]] | None = None


@reconnecting
def record_turns(records: list[TurnRecord]) -> None:
    """Write finished turns in one transaction (a group commit when many finish at once).

    Plain SQL (SQLite and PostgreSQL): this runs once per turn and the ORM's per-statement
    cost was most of the gateway's own CPU time per turn."""
    now = timezone.now()
    ops = connection.ops
    at = ops.adapt_datetimefield_value(now)
    q = ops.quote_name
    msg, ses, use = (q(m._meta.db_table) for m in (Message, Session, UsageDay))
    c_day, c_role, c_text = q("day"), q("role"), q("text")
    with transaction.atomic():
        ids = sorted({r.session_id for r in records})
        alive = set(Session.objects.filter(pk__in=ids).values_list("pk", flat=True))
        for rec in records:
            if rec.session_id not in alive:  # deleted meanwhile (admin, sessions.delete)
                rec.session_id = _active(rec.key, rec.agent_id, rec.channel, rec.user_text).pk
                alive.add(rec.session_id)
        rows: list[tuple[str | int | bool | None, ...]] = []  # one per message, as SQL values
        per_session: dict[int, list[int]] = {}
        per_day: dict[tuple[str, str, str], list[int]] = {}
        for rec in records:
            user_at = ops.adapt_datetimefield_value(rec.user_at)
            rows.append(
                (
                    rec.session_id,
                    "user",
                    rec.user_text,
                    None,
                    user_at,
                    rec.sender_id,
                    rec.sender_name,
                    "",
                    "",
                    0,
                    0,
                    None,
                    True,
                    "",
                )
            )
            for role, text, blocks in rec.steps or []:
                rows.append(
                    (
                        rec.session_id,
                        role,
                        text,
                        json.dumps(blocks),
                        user_at,
                        "",
                        "",
                        "",
                        "",
                        0,
                        0,
                        None,
                        rec.ok,
                        "",
                    )
                )
            rows.append(
                (
                    rec.session_id,
                    "assistant",
                    rec.text,
                    None,
                    at,
                    "",
                    "",
                    rec.provider,
                    rec.model,
                    rec.tokens_in,
                    rec.tokens_out,
                    rec.latency_ms,
                    rec.ok,
                    rec.error[:600],
                )
            )
            sums = per_session.setdefault(rec.session_id, [0, 0, 0])
            sums[0] += 2 + len(rec.steps or [])
            sums[1] += rec.tokens_in
            sums[2] += rec.tokens_out
            if rec.model:
                day = per_day.setdefault((rec.agent_id, rec.provider, rec.model), [0, 0, 0])
                day[0] += 1
                day[1] += rec.tokens_in
                day[2] += rec.tokens_out
        with connection.cursor() as cur:
            cur.executemany(
                f"INSERT INTO {msg} (session_id, {c_role}, {c_text}, blocks, created_at, "
                "sender_id, sender_name, provider, model, tokens_in, tokens_out, latency_ms, "
                "ok, error) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                rows,
            )
            cur.executemany(
                f"UPDATE {ses} SET updated_at = %s, message_count = message_count + %s, "
                "tokens_in = tokens_in + %s, tokens_out = tokens_out + %s WHERE id = %s",
                [(at, c, i, o, sid) for sid, (c, i, o) in per_session.items()],
            )
            titles = {r.session_id: r.user_text[:200] for r in reversed(records)}
            cur.executemany(  # sessions started by /new get their first message as title
                f"UPDATE {ses} SET title = %s WHERE id = %s AND title = ''",
                [(title, sid) for sid, title in titles.items()],
            )
            today = ops.adapt_datefield_value(now.date())
            cur.executemany(
                f"INSERT INTO {use} ({c_day}, agent_id, provider, model, turns, tokens_in, "
                "tokens_out) VALUES (%s, %s, %s, %s, %s, %s, %s) "
                f"ON CONFLICT ({c_day}, agent_id, provider, model) DO UPDATE SET "
                f"turns = {use}.turns + excluded.turns, "
                f"tokens_in = {use}.tokens_in + excluded.tokens_in, "
                f"tokens_out = {use}.tokens_out + excluded.tokens_out",
                [(today, a, p, m, t, i, o) for (a, p, m), (t, i, o) in per_day.items()],
            )


@reconnecting
def reset_session(key: str, agent_id: str = "", channel: str = "") -> Session:
    """End the key's active session and start a fresh one (`/new`, `/reset`)."""
    with transaction.atomic():
        Session.objects.filter(key=key, active=True).update(active=False)
        if not agent_id and (parsed := sessionkeys.parse(key)) is not None:
            agent_id = parsed.agent_id
        session = Session.objects.create(key=key, agent_id=agent_id, channel=channel)
    memory.put(key, session.pk)
    return session


# -- read side (WebSocket protocol, Control UI, admin) ---------------------------------------


def _millis(value: datetime | None) -> int:
    return int(value.timestamp() * 1000) if value else 0


def list_sessions(limit: int = 100, agent_id: str | None = None) -> list[JsonObject]:
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


def history(key: str, limit: int = 200) -> list[JsonObject]:
    """The active session's messages, oldest first, at most `limit` of the newest."""
    session = Session.objects.filter(key=key, active=True).first()
    if session is None:
        return []
    rows = list(session.messages.order_by("-id")[:limit])
    rows.reverse()
    return [shown for m in rows for shown in transcript.shown(m)]


def delete_session(key: str) -> bool:
    deleted, _ = Session.objects.filter(key=key).delete()
    memory.forget(key)
    return deleted > 0


def usage_by_day(days: int = 14) -> list[JsonObject]:
    """Tokens and estimated cost per day and agent over the last `days` days."""
    since = timezone.now().date() - timedelta(days=days - 1)
    out: dict[tuple[str, str], JsonObject] = {}
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
