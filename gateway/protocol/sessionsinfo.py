"""Sessions, transcripts and usage as the protocol shows them (sync: call via sync_to_async).

A thin view over the agents app's store; while that app is not installed every function
answers empty.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import close_old_connections

F = TypeVar("F", bound=Callable[..., Any])


def fresh_db(fn: F) -> F:
    """Drop stale DB connections first (the consumer skips Channels' per-frame hop)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        close_old_connections()
        return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _store() -> Any:
    try:
        from agents import store
    except ImportError:
        return None
    return store


def recent_by_agent(limit: int = 5) -> dict[str, dict[str, Any]]:
    rows = list_sessions(limit=500)
    out: dict[str, dict[str, Any]] = {}
    now = time.time() * 1000
    for row in rows:
        info = out.setdefault(row["agentId"], {"count": 0, "recent": []})
        info["count"] += 1
        if len(info["recent"]) < limit:
            updated = row["updatedAt"]
            age = int(now - updated) if updated else None
            info["recent"].append({"key": row["key"], "updatedAt": updated, "age": age})
    return out


@fresh_db
def list_sessions(limit: int = 100, agent_id: str | None = None) -> list[dict[str, Any]]:
    store = _store()
    if store is None:
        return []
    rows: list[dict[str, Any]] = store.list_sessions(limit=limit, agent_id=agent_id)
    for row in rows:
        row.setdefault("displayName", row.get("title") or row["key"])
    return rows


@fresh_db
def history(session_key: str, limit: int = 200) -> tuple[str, list[dict[str, Any]]]:
    store = _store()
    if store is None:
        return "", []
    from agents.models import Session

    session_id = (
        Session.objects.filter(key=session_key, active=True).values_list("id", flat=True).first()
    )
    return (str(session_id) if session_id else ""), store.history(session_key, limit)


@fresh_db
def reset(session_key: str) -> bool:
    store = _store()
    if store is None:
        return False
    store.reset_session(session_key, channel="webchat")
    return True


@fresh_db
def delete(session_key: str) -> bool:
    store = _store()
    return bool(store.delete_session(session_key)) if store is not None else False


@fresh_db
def usage_by_day(days: int = 14) -> list[dict[str, Any]]:
    store = _store()
    return list(store.usage_by_day(days)) if store is not None else []
