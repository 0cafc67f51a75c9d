from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser

from agents import chat_cli
from epiloop_site.commands import EpiloopCommand


class Command(EpiloopCommand):
    help = "Send one message to an agent and stream its reply (the channels' code path)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("message", help="what to say")
        parser.add_argument("--agent", help="agent id (default: the default agent)")
        parser.add_argument(
            "--session", help='session key, full ("agent:main:main") or short ("main", default)'
        )

    def handle(self, *args: Any, **options: Any) -> None:
        problems = chat_cli.load_config(settings.EPILOOP_CONFIG_PATH)
        if problems:
            raise CommandError("epiloop.json is invalid:\n" + "\n".join(problems))
        status = chat_cli.run(options["agent"], options["session"], options["message"])
        if status:
            raise SystemExit(status)
