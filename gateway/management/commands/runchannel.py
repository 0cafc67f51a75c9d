"""`python manage.py runchannel NAME`: one chat channel alone, without the web gateway
(DESIGN §10). A process-level command like `rungateway`: it migrates, loads the config, and
tells a webhook-mode channel where to listen by the gateway's bind rules (DESIGN §3)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError

from channels_app import registry, runner, webhooks
from config.schema import EpiloopConfig
from epiloop_site.commands import EpiloopCommand

log = logging.getLogger("epiloop.channels")


def load_config() -> EpiloopConfig:
    """The config file if there is one (installed as the running config), else defaults
    (the channel then takes its token from the environment)."""
    from config import runtime

    path = settings.EPILOOP_CONFIG_PATH
    if path.exists():
        from config.startup import load_for_startup

        result = load_for_startup(path)
        for problem in result.problems:
            log.error("config problem: %s", problem)
        if result.config is not None:
            runtime.set_current(result.config)
    return runtime.current()


def webhook_address(config: EpiloopConfig) -> webhooks.Address:
    """Where a webhook-mode channel listens: where the gateway would (no flags here)."""
    from gateway.bind import BindError, resolve_bind, resolve_port

    gw = config.gateway
    port = resolve_port(None, gw.port)
    try:
        bind = resolve_bind(None, gw.bind, gw.custom_bind_host)
    except BindError as exc:
        return webhooks.Address("", port, problem=str(exc))
    return webhooks.Address(bind.host, port)


async def run(name: str, config: EpiloopConfig, stop: asyncio.Event) -> int:
    if not registry.platform(name).wanted(config):
        log.error(
            "%s is not enabled or has no token; set it in the config or the environment", name
        )
        return 1
    webhooks.listen_alone(webhook_address(config))
    await runner.start_enabled(config, only=name)
    try:
        await stop.wait()
    finally:
        await runner.stop_all()
    return 0


class Command(EpiloopCommand):
    help = "Run one chat channel alone, without the web gateway."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("channel", choices=registry.names())

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["channel"]
        if name not in registry.names():
            raise CommandError(f"unknown channel {name}; choose from {registry.names()}")
        config = load_config()  # touches the database: before the event loop starts

        async def main() -> int:
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            return await run(name, config, stop)

        code = asyncio.run(main())
        if code:
            raise SystemExit(code)
