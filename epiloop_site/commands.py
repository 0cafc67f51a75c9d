"""What every Epiloop management command shares: a database that is ready when it starts.

A new user's first command often runs on a state dir the gateway has never run in (`doctor`
before the first start, `importconfig` of an OpenClaw file, `pairing list`), where the
SQLite database has no tables yet. So each command run from the command line applies
pending migrations first, quietly, as `rungateway` does at start-up.

It lives here, outside the apps, so that the commands of `agents` and `channels_app` can use
it without importing the `gateway` app.
"""

from __future__ import annotations

import logging

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError


def migrate_pending(log: logging.Logger | None = None) -> bool:
    """Apply pending migrations; True when there were some. When there are none this only
    reads the migration files and the `django_migrations` table (a few tens of ms).

    `log` gets one line before migrating (rungateway's console); other commands stay quiet
    so that their output (`exportconfig -` prints the config) is only theirs."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if not executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return False
    if log is not None:
        log.info("applying database migrations")
    call_command("migrate", interactive=False, verbosity=0)
    return True


class EpiloopCommand(BaseCommand):
    """Base of every Epiloop management command.

    Run from the command line, it applies pending migrations after the system checks and
    before `handle()`: Django's own hook there (`check_migrations`) only warns about them.
    Called in-process (`call_command`: tests, the admin) the caller owns the database, and
    nothing is migrated."""

    requires_migrations_checks = True
    # A command that must still run without a usable database (doctor reports why) says so.
    database_optional = False
    _from_command_line = False

    def run_from_argv(self, argv: list[str]) -> None:
        self._from_command_line = True
        super().run_from_argv(argv)

    def check_migrations(self) -> None:
        if not self._from_command_line:
            return
        try:
            migrate_pending()
        except DatabaseError as exc:
            if self.database_optional:
                return
            raise CommandError(
                f"the database cannot be set up ({exc}); check that the state dir is writable "
                "and DATABASE_URL (if set) is reachable"
            ) from None
