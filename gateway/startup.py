"""Start-up of the gateway process (DESIGN §3): migrations, config, auth, lock.

Each refusal is a `Refusal` with one line saying what is wrong and how to fix it; the
command prints it and exits 1.
"""

from __future__ import annotations

import logging
import os
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

from epiloop_site.commands import migrate_pending
from gateway import auth
from gateway.bind import Bind, BindError, resolve_bind, resolve_port
from gateway.lock import GatewayLock, LockHeld, lock_path
from gateway.runtime import RUNTIME

log = logging.getLogger("epiloop.gateway")


class Refusal(Exception):
    pass


@dataclass
class Options:
    port: int | None = None
    bind: str | None = None
    token: str | None = None
    allow_unconfigured: bool = False
    no_channels: bool = False
    force: bool = False


@dataclass
class Plan:
    config: Any  # EpiloopConfig
    bind: Bind
    port: int
    auth: auth.GatewayAuth
    lock: GatewayLock
    channels: bool
    problems: list[str] = field(default_factory=list)


def migrate() -> None:
    """Apply pending migrations (one console line when there are some; cheap when not)."""
    migrate_pending(log)


def load_config(opts: Options) -> tuple[Any, list[str], bool]:
    """(config to run on, problems, unconfigured). Never rewrites an invalid file. Refuses
    a config whose `gateway.mode` is not `local`."""
    from config.startup import load_for_startup, write_minimal

    path: Path = settings.EPILOOP_CONFIG_PATH
    if settings.EPILOOP_CONFIG_PATH_NOTE:
        log.info(settings.EPILOOP_CONFIG_PATH_NOTE)
    if not path.exists():
        if not opts.allow_unconfigured:
            raise Refusal(
                f"Missing config at {path}. Create it (see README) or start with "
                "--allow-unconfigured to write a minimal one."
            )
        write_minimal(path)
        log.info("wrote a minimal config to %s", path)
    result = load_for_startup(path)
    for problem in result.problems:
        log.error("config problem: %s", problem)
    for warning in result.warnings:
        log.warning("config: %s", warning)
    if result.problems:
        if result.config is not None:
            log.warning(
                "%s is invalid; running on the last valid config (imported %s). "
                "Fix the problems above; the file was not changed.",
                path,
                result.last_valid_at or "earlier",
            )
            check_mode(opts, result.raw_mode)
            return result.config, result.problems, False
        log.warning(
            "%s is invalid and there is no earlier valid config; running unconfigured with "
            "channels off. Fix the problems above and restart.",
            path,
        )
        from config.schema import EpiloopConfig

        return EpiloopConfig.model_validate({"gateway": {"mode": "local"}}), result.problems, True
    check_mode(opts, result.raw_mode)
    return result.config, [], False


def check_mode(opts: Options, raw_mode: str | None) -> None:
    if raw_mode == "local":
        return
    if raw_mode is None and opts.allow_unconfigured:
        return
    if raw_mode is None:
        raise Refusal(
            f"gateway.mode is not set in {settings.EPILOOP_CONFIG_PATH}. Set gateway.mode to "
            '"local" or start with --allow-unconfigured.'
        )
    raise Refusal(
        f'gateway.mode is "{raw_mode}" in {settings.EPILOOP_CONFIG_PATH}: this machine is set up '
        'as a remote client. Set gateway.mode to "local" to run the gateway here.'
    )


def take_lock(port: int, force: bool) -> GatewayLock:
    lock = GatewayLock(lock_path(settings.EPILOOP_STATE_DIR, settings.EPILOOP_CONFIG_PATH))
    try:
        lock.acquire(settings.EPILOOP_CONFIG_PATH, port)
        return lock
    except LockHeld as held:
        if not force or not held.pid:
            raise Refusal(f"gateway already running (pid {held.pid or 'unknown'})") from None
        log.warning("--force: stopping the gateway with pid %s", held.pid)
        _stop_process(held.pid)
    try:
        lock.acquire(settings.EPILOOP_CONFIG_PATH, port)
    except LockHeld as held:
        raise Refusal(f"gateway already running (pid {held.pid or 'unknown'})") from None
    return lock


def _stop_process(pid: int) -> None:
    for sig, wait in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 2.0)):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)


def prepare(opts: Options) -> Plan:
    migrate()
    config, problems, unconfigured = load_config(opts)
    gw = config.gateway
    try:
        bind = resolve_bind(opts.bind, gw.bind, gw.custom_bind_host)
    except BindError as exc:
        raise Refusal(str(exc)) from None
    port = resolve_port(opts.port, gw.port)
    token, password = gw.auth.token, gw.auth.password
    try:
        effective = auth.resolve_auth(
            opts.token,
            token if isinstance(token, str) else None,
            password if isinstance(password, str) else None,
            bind.mode,
            bind.is_loopback,
        )
    except auth.AuthRefused as exc:
        raise Refusal(str(exc)) from None
    lock = take_lock(port, opts.force)
    auth.install(effective)
    RUNTIME.host, RUNTIME.port, RUNTIME.bind = bind.host, port, bind.mode
    RUNTIME.config_path = str(settings.EPILOOP_CONFIG_PATH)
    RUNTIME.config_valid = not problems
    RUNTIME.config_problems = problems
    RUNTIME.unconfigured = unconfigured
    return Plan(
        config=config,
        bind=bind,
        port=port,
        auth=effective,
        lock=lock,
        channels=not (opts.no_channels or unconfigured),
        problems=problems,
    )
