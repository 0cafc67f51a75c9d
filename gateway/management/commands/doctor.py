"""`python manage.py doctor [--fix]`: the epiloop system checks, one line per finding.

Exit status 1 when an error is found, 0 otherwise. `--fix` applies the safe fixes in
`gateway.doctor.fixes` first, says what it changed, then checks again.
"""

from __future__ import annotations

from typing import Any

from django.core.checks import registry
from django.core.management.base import CommandParser

from epiloop_site.commands import EpiloopCommand
from gateway import doctor
from gateway.checks import TAG
from gateway.doctor import fixes


def findings() -> list[doctor.Finding]:
    messages = registry.run_checks(tags=[TAG], include_deployment_checks=True)
    return [doctor.Finding(str(m.id), m.msg, m.hint or "") for m in messages]


class Command(EpiloopCommand):
    help = "Check the config, state dir, gateway auth, model keys and channel tokens."
    requires_system_checks: list[str] = []
    database_optional = True  # an unwritable state dir is a finding (E003), not a crash

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--fix", action="store_true", help="apply safe, reversible fixes, then check again"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        found = findings()
        if options["fix"]:
            done = fixes.apply(doctor.gather(), {f.id for f in found})
            for line in done:
                self.stdout.write(f"fixed: {line}")
            if done:
                found = findings()
        for finding in found:
            self.stdout.write(finding.line())
        errors = sum(f.is_error for f in found)
        warnings = len(found) - errors
        if not found:
            self.stdout.write("doctor: no problems found")
        else:
            self.stdout.write(f"doctor: {errors} error(s), {warnings} warning(s)")
        if errors:
            raise SystemExit(1)
