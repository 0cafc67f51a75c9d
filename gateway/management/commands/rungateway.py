"""`python manage.py rungateway`: the one gateway process (DESIGN §3)."""

from __future__ import annotations

import argparse
import logging
import os
from typing import Any

from django.core.management.base import CommandError

from epiloop_site.commands import EpiloopCommand
from gateway.bind import BIND_MODES
from gateway.startup import Options, Refusal, prepare

log = logging.getLogger("epiloop.gateway")


class Command(EpiloopCommand):
    help = "Run the Epiloop gateway: HTTP, WebSocket, admin and the enabled chat channels."
    requires_system_checks: list[str] = []
    # prepare() migrates, and says so on the console, after the flags are checked.
    requires_migrations_checks = False

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--port", type=int, help="port (default: gateway.port or 18789)")
        parser.add_argument("--bind", choices=BIND_MODES, help="address to listen on")
        parser.add_argument("--token", help="gateway token (overrides config and environment)")
        parser.add_argument(
            "--allow-unconfigured",
            action="store_true",
            help="start without a config file (writes a minimal one)",
        )
        parser.add_argument("--no-channels", action="store_true", help="do not start channels")
        parser.add_argument(
            "--force", action="store_true", help="stop a gateway already running on this config"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        opts = Options(
            port=options["port"],
            bind=options["bind"],
            token=options["token"],
            allow_unconfigured=options["allow_unconfigured"],
            no_channels=options["no_channels"],
            force=options["force"],
        )
        if opts.port is not None and not 0 < opts.port < 65536:
            raise CommandError(f"--port {opts.port} is not a port number; use 1-65535.")
        try:
            plan = prepare(opts)
        except Refusal as refusal:
            log.error("%s", refusal)
            raise SystemExit(1) from None
        from gateway import lifecycle

        try:
            served = lifecycle.run(plan)
        finally:
            plan.lock.release()
        if not served:
            log.error(
                "could not listen on %s:%s (is another program using the port?); "
                "pick another with --port.",
                plan.bind.host,
                plan.port,
            )
            raise SystemExit(1)
        log.info("gateway stopped (pid %s)", os.getpid())
