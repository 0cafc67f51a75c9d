"""Live reload of `epiloop.json` (DESIGN §6, issue 7 point 1).

The gateway polls the file once a second (a `stat`, and a hash only when size or mtime
moved). A valid change is imported and applied at once: agents, bindings, policies and
allowlists are read from `config.runtime.current()` on every message, and a
channel adapter reconnects itself when its token or endpoint changed. A change under
`gateway.*` cannot be applied to a listening server: it is logged as needing a restart and
kept in `RUNTIME.restart_needed` (the `status` method, the Control UI). An invalid change
is not applied; the running config stays and every problem is logged with its path.

`gateway.reload.mode`: `hybrid` (default) and `hot` both apply what can be applied live
and report what needs a restart (Epiloop never restarts itself); `off` stops watching.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asgiref.sync import sync_to_async

from config.schema import EpiloopConfig
from gateway.runtime import RUNTIME

log = logging.getLogger("epiloop.reload")

POLL_SECONDS = 1.0


@dataclass
class Fingerprint:
    size: int
    mtime_ns: int


def fingerprint(path: Path) -> Fingerprint | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return Fingerprint(st.st_size, st.st_mtime_ns)


def gateway_changes(old: EpiloopConfig, new: EpiloopConfig) -> list[str]:
    """Dotted `gateway.*` keys whose value changed (these need a restart)."""
    before = old.gateway.model_dump(by_alias=True, exclude_none=True)
    after = new.gateway.model_dump(by_alias=True, exclude_none=True)
    return [f"gateway.{key}" for key in _changed_keys(before, after)]


def _changed_keys(before: dict[str, Any], after: dict[str, Any], prefix: str = "") -> list[str]:
    changed: list[str] = []
    for key in list(before) + [k for k in after if k not in before]:
        a, b = before.get(key), after.get(key)
        if a == b:
            continue
        if isinstance(a, dict) and isinstance(b, dict):
            changed += _changed_keys(a, b, f"{prefix}{key}.")
        else:
            changed.append(f"{prefix}{key}")
    return changed


def channels_changed(old: EpiloopConfig, new: EpiloopConfig) -> list[str]:
    """Platforms whose section appeared, went, or changed a setting that needs a new
    connection (`Platform.reconnect`: the token, the endpoints, `enabled`)."""
    from channels_app import registry

    names = []
    for name in registry.names():
        a, b = old.channels.section(name), new.channels.section(name)
        if a is None and b is None:
            continue
        keys = registry.platform(name).reconnect
        if a is None or b is None or any(getattr(a, k) != getattr(b, k) for k in keys):
            names.append(name)
    return names


def reload_mode(config: EpiloopConfig) -> str:
    mode = config.gateway.reload.mode or "hybrid"
    return mode if mode in ("hybrid", "hot", "off") else "hybrid"


class Watcher:
    """Watches one config file; `check()` is the single step the loop (and tests) run."""

    def __init__(self, path: Path, running: EpiloopConfig, channels: bool) -> None:
        self.path = path
        self.running = running
        self.channels = channels
        self.seen = fingerprint(path)

    async def check(self) -> bool:
        """Look at the file once; returns True when a change was applied."""
        now = fingerprint(self.path)
        if now == self.seen or now is None:
            return False
        self.seen = now
        if not await sync_to_async(_changed_on_disk)(self.path):
            # Our own export, a touch, or the file is back to the text we run on.
            if not RUNTIME.config_valid:
                RUNTIME.config_valid, RUNTIME.config_problems = True, []
                log.info("%s is back to the running config", self.path)
            return False
        outcome = await sync_to_async(_import)(self.path)
        if not outcome.imported:
            RUNTIME.config_valid = False
            RUNTIME.config_problems = list(outcome.problems)
            log.error(
                "%s changed but is invalid; still running on the previous config. Problems:",
                self.path,
            )
            for problem in outcome.problems:
                log.error("config problem: %s", problem)
            return False
        new = outcome.result.config
        assert new is not None
        await self.apply(new)
        return True

    async def apply(self, new: EpiloopConfig) -> None:
        old, self.running = self.running, new
        RUNTIME.config_valid = True
        RUNTIME.config_problems = []
        log.info("applied the changed %s", self.path)
        for key in gateway_changes(old, new):
            if key not in RUNTIME.restart_needed:
                RUNTIME.restart_needed.append(key)
            log.warning("%s changed: restart the gateway to apply it", key)
        if self.channels:
            from channels_app import runner

            # A running adapter follows the config itself (it reconnects when its token or
            # endpoint changes, and stops when disabled); a channel that was not running
            # starts here once the new config wants it.
            for name in channels_changed(old, new):
                if name not in runner.RUNNING:
                    await runner.start_enabled(new, only=name)

    async def run(self) -> None:
        while True:
            await asyncio.sleep(POLL_SECONDS)
            if reload_mode(self.running) == "off":
                continue
            try:
                await self.check()
            except Exception:
                log.exception("checking %s for changes failed", self.path)


def _changed_on_disk(path: Path) -> bool:
    from config.sync import file_changed_on_disk, runs_other_text

    return file_changed_on_disk(path) or runs_other_text(path)


def _import(path: Path) -> Any:
    from config.sync import import_file

    return import_file(path, source="file")
