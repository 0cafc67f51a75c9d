"""`python manage.py runchannel discord|telegram`: one chat channel alone (DESIGN §10)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError

from channels_app import runner
from epiloop_site.commands import EpiloopCommand

log = logging.getLogger("epiloop.channels")


def load_config() -> Any:
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


async def run(name: str, config: Any, stop: asyncio.Event) -> int:
    cls = runner.adapter_class(name)
    if not cls.wanted(config):
        log.error(
            "%s is not enabled or has no token; set it in the config or the environment", name
        )
        return 1
    await runner.start_enabled(config, only=name)
    try:
        await stop.wait()
    finally:
        await runner.stop_all()
    return 0


class Command(EpiloopCommand):
    help = "Run one chat channel (discord or telegram) alone, without the web gateway."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("channel", choices=sorted(runner.ADAPTERS))

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["channel"]
        if name not in runner.ADAPTERS:
            raise CommandError(f"unknown channel {name}; choose from {sorted(runner.ADAPTERS)}")
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
