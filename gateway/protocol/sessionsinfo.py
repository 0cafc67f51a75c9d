"""Sessions, transcripts and usage as the protocol shows them (sync: call via sync_to_async).

A thin view over the agents app's store; while that app is not installed every function
answers empty.
"""

from __future__ import annotations

import time
from typing import Any


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


def list_sessions(limit: int = 100, agent_id: str | None = None) -> list[dict[str, Any]]:
    store = _store()
    if store is None:
        return []
    rows: list[dict[str, Any]] = store.list_sessions(limit=limit, agent_id=agent_id)
    for row in rows:
        row.setdefault("displayName", row.get("title") or row["key"])
    return rows


def history(session_key: str, limit: int = 200) -> tuple[str, list[dict[str, Any]]]:
    store = _store()
    if store is None:
        return "", []
    from agents.models import Session

    session_id = (
        Session.objects.filter(key=session_key, active=True).values_list("id", flat=True).first()
    )
    return (str(session_id) if session_id else ""), store.history(session_key, limit)


def reset(session_key: str) -> bool:
    store = _store()
    if store is None:
        return False
    store.reset_session(session_key, channel="webchat")
    return True


def delete(session_key: str) -> bool:
    store = _store()
    return bool(store.delete_session(session_key)) if store is not None else False


def usage_by_day(days: int = 14) -> list[dict[str, Any]]:
    store = _store()
    return list(store.usage_by_day(days)) if store is not None else []
