"""Sessions, transcripts and usage as the protocol shows them (sync: call via sync_to_async).

Reads the agents app's models; until they exist every function answers empty.
"""

from __future__ import annotations

import time
from typing import Any


def recent_by_agent(limit: int = 5) -> dict[str, dict[str, Any]]:
    rows = list_sessions(limit=500)
    out: dict[str, dict[str, Any]] = {}
    now = time.time() * 1000
    for row in rows:
        info = out.setdefault(row["agentId"], {"count": 0, "recent": []})
        info["count"] += 1
        if len(info["recent"]) < limit:
            updated = row["updatedAt"]
            info["recent"].append(
                {
                    "key": row["key"],
                    "updatedAt": updated,
                    "age": int(now - updated) if updated else None,
                }
            )
    return out


def list_sessions(limit: int = 100, agent_id: str | None = None) -> list[dict[str, Any]]:
    return []


def history(session_key: str, limit: int = 200) -> tuple[str, list[dict[str, Any]]]:
    return "", []


def reset(session_key: str) -> bool:
    return False


def delete(session_key: str) -> bool:
    return False


def usage_by_day(days: int = 14) -> list[dict[str, Any]]:
    return []
