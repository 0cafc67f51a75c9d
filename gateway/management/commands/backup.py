"""`python manage.py backup create [PATH] | verify PATH | restore PATH` (gateway/backup/)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandParser

from epiloop_site.commands import EpiloopCommand
from gateway.backup.create import create, destination
from gateway.backup.manifest import BackupError
from gateway.backup.restore import NotVerified, restore
from gateway.backup.verify import verify


class Command(EpiloopCommand):
    help = "Back up the state dir to one archive, verify an archive, or restore one."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        made = sub.add_parser("create", help="write a backup archive (default: current dir)")
        made.add_argument("path", nargs="?", help="archive file, or a directory for it")
        for action, text in (("verify", "check an archive"), ("restore", "restore an archive")):
            sub.add_parser(action, help=text).add_argument("path", help="the archive")

    def handle(self, *args: Any, **options: Any) -> None:
        state_dir = Path(settings.EPILOOP_STATE_DIR)
        config_path = Path(settings.EPILOOP_CONFIG_PATH)
        try:
            if options["action"] == "create":
                dest = destination(options["path"])
                data = create(dest, state_dir, config_path)
                files: list[dict[str, Any]] = data["files"]  # type: ignore[assignment]
                self.stdout.write(f"wrote {dest} ({len(files)} files, mode 0600)")
            elif options["action"] == "verify":
                problems = verify(Path(options["path"]))
                for problem in problems:
                    self.stderr.write(problem)
                if problems:
                    raise SystemExit(1)
                self.stdout.write(f"{options['path']}: ok")
            else:
                for line in restore(Path(options["path"]), state_dir, config_path):
                    self.stdout.write(line)
        except NotVerified as exc:
            for problem in exc.problems:
                self.stderr.write(problem)
            self.stderr.write(str(exc))
            raise SystemExit(1) from None
        except BackupError as exc:
            self.stderr.write(str(exc))
            raise SystemExit(1) from None
