"""`python manage.py exportconfig [PATH|-]`: config tables -> epiloop.json (or stdout)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from config.errors import ConfigError
from config.sync import config_path, export_file, export_text
from epiloop_site.commands import EpiloopCommand


class Command(EpiloopCommand):
    help = "Export the config tables to epiloop.json (`-` for stdout)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", help="target file, or - for stdout")
        parser.add_argument(
            "--force",
            action="store_true",
            help="overwrite the config file even if it was edited on disk since the last import",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["path"] == "-":
            self.stdout.write(export_text(), ending="")
            return
        path = config_path(options["path"])
        try:
            export_file(path, source="cli", check_stale=not options["force"])
        except ConfigError as exc:
            for problem in exc.problems:
                self.stderr.write(problem)
            raise SystemExit(1) from None
        self.stdout.write(f"wrote {path}")
