"""The config this process runs on: `${VAR}`-resolved and validated.

`current()` is what every subsystem reads; before anything is applied it is an empty valid
`EpiloopConfig` (all defaults). `set_current(cfg)` installs a new one (the importer and
rungateway call it; tests use it to install a config) and calls every `subscribe`d callback
with it. A callback that raises is logged and does not stop the others.

Callbacks run in the thread that called `set_current` (an admin save runs in a worker
thread, not on the gateway's event loop): an asyncio component should hand the work to its
loop with `loop.call_soon_threadsafe(...)`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from config.schema import EpiloopConfig

log = logging.getLogger("epiloop.config")

Callback = Callable[[EpiloopConfig], object]

_lock = threading.Lock()
_current: EpiloopConfig | None = None
_subscribers: list[Callback] = []


def current() -> EpiloopConfig:
    global _current
    with _lock:
        if _current is None:
            _current = EpiloopConfig()
        return _current


def set_current(cfg: EpiloopConfig) -> None:
    global _current
    with _lock:
        _current = cfg
        callbacks = list(_subscribers)
    for callback in callbacks:
        try:
            callback(cfg)
        except Exception:
            log.exception("config subscriber %r failed", callback)


def subscribe(callback: Callback) -> Callable[[], None]:
    """Call `callback(cfg)` after each `set_current`; returns a function that unsubscribes."""
    with _lock:
        _subscribers.append(callback)

    def unsubscribe() -> None:
        with _lock:
            if callback in _subscribers:
                _subscribers.remove(callback)

    return unsubscribe


def reset() -> None:
    """Back to the empty default config (for tests). Subscribers stay: modules subscribe
    once, at import."""
    global _current
    with _lock:
        _current = None
