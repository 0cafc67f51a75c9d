"""`python manage.py importconfig [PATH] [--dry-run]`: epiloop.json -> config tables."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from gateway.config.sync import config_path, import_file


class Command(BaseCommand):
    help = "Import epiloop.json into the database (an invalid file is never imported)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", help="config file (default: the configured one)")
        parser.add_argument(
            "--dry-run", action="store_true", help="print what would change; change nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = config_path(options["path"])
        dry = options["dry_run"]
        outcome = import_file(path, dry_run=dry, source="cli", apply=False)
        for warning in outcome.result.warnings:
            self.stderr.write(f"warning: {warning}")
        if outcome.problems:
            for problem in outcome.problems:
                self.stderr.write(
                    f"{path.name}: {problem}" if problem.startswith("line ") else problem
                )
            self.stderr.write(f"{path} is invalid; nothing was imported")
            raise SystemExit(1)
        verb = "would " if dry else ""
        for change in outcome.changes:
            self.stdout.write(f"{verb}{change}")
        if dry:
            summary = f"dry run: {len(outcome.changes)} change(s) in {path}; nothing was changed"
        else:
            summary = f"imported {path} ({len(outcome.changes)} change(s))"
        self.stdout.write(summary if outcome.changes or dry else f"{path}: already up to date")
