"""`python manage.py importconfig [PATH] [--dry-run]`: epiloop.json -> config tables.

PATH may be another file (an OpenClaw `openclaw.json`, `clawdbot.json`, `moltbot.json`):
it is validated, imported and written to the gateway's own config path (the previous file
kept as `.bak` and in the revision history). Either way the command reports, object by
object, what changes, every problem, the older key spellings it read and what Epiloop keeps
but does not act on.
"""

from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import CommandParser

from config.openclaw import adopt, is_config_path, report
from config.sync import config_path, import_file
from epiloop_site.commands import EpiloopCommand


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


class Command(EpiloopCommand):
    help = (
        "Import epiloop.json (or an OpenClaw config) into the database "
        "(an invalid file is never imported)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", help="config file (default: the configured one)")
        parser.add_argument(
            "--dry-run", action="store_true", help="print what would change; change nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = config_path(options["path"])
        dry = options["dry_run"]
        own = is_config_path(path)
        if own:
            outcome = import_file(path, dry_run=dry, source="cli", apply=False, user=_os_user())
        else:
            outcome = adopt(path, dry_run=dry, user=_os_user())
        for warning in outcome.result.warnings:
            if not warning.endswith("unknown key, kept as written"):  # listed below
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
        for line in report(outcome.result.document, outcome.result.config).lines():
            self.stdout.write(line)
        target = config_path()
        if dry:
            into = "" if own else f" (would be written to {target})"
            summary = (
                f"dry run: {len(outcome.changes)} change(s) in {path}{into}; nothing was changed"
            )
        elif not own:
            summary = f"imported {path} ({len(outcome.changes)} change(s)); wrote it to {target}"
        else:
            summary = f"imported {path} ({len(outcome.changes)} change(s))"
        self.stdout.write(
            summary if outcome.changes or dry or not own else f"{path}: already up to date"
        )
