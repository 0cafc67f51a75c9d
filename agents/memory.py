"""Recent history of the sessions this process is serving, so a turn needs no database
read before calling the model. Filled from the database on a session's first turn here;
dropped when a session is reset or deleted."""

from __future__ import annotations

import collections
import threading
from dataclasses import dataclass, field
from typing import Any, TypeAlias

MAX_SESSIONS = 2000
HISTORY_MESSAGES = 40

# (role, text) or (role, text, content blocks): role "tool" holds tool results.
Row: TypeAlias = tuple[str, str] | tuple[str, str, tuple[dict[str, Any], ...]]


@dataclass
class Recent:
    session_id: int
    rows: collections.deque[Row] = field(
        default_factory=lambda: collections.deque(maxlen=HISTORY_MESSAGES)
    )


_lock = threading.Lock()
_sessions: collections.OrderedDict[str, Recent] = collections.OrderedDict()


def get(key: str) -> Recent | None:
    with _lock:
        recent = _sessions.get(key)
        if recent is not None:
            _sessions.move_to_end(key)
        return recent


def put(key: str, session_id: int, rows: list[Row] | None = None) -> Recent:
    recent = Recent(session_id)
    recent.rows.extend(rows or [])
    with _lock:
        _sessions[key] = recent
        _sessions.move_to_end(key)
        while len(_sessions) > MAX_SESSIONS:
            _sessions.popitem(last=False)
    return recent


def forget(key: str | None = None) -> None:
    """Drop one session's cached history (all when `key` is None)."""
    with _lock:
        if key is None:
            _sessions.clear()
        else:
            _sessions.pop(key, None)
