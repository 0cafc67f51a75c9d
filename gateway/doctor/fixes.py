"""`doctor --fix`: only safe, reversible fixes, each for one finding id.

- W005: chmod 0600 on epiloop.json (and its backups), secret_key, gateway-token and the
  SQLite database with its -wal/-shm when others may read them (SQLite gives -wal/-shm files
  it creates later the database file's mode, so they stay private).
- W006: chmod 0700 on the state dir.
- E005 (no gateway auth on a non-loopback bind, so the gateway refuses to start): a strong
  random token is written to `gateway.auth.token` through the config stack (tables, then
  `export_file`): the previous file goes to `.bak`, the write is recorded like any other
  save, and the token is never printed. Run as root (`fly ssh console`), the files written
  are handed back to the state dir's owner so the gateway's own user can still read them.

Nothing else is changed: weak tokens are not replaced (clients use them), keys and channel
tokens are the operator's to give.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable

from gateway.doctor.base import Context
from gateway.doctor.disk import loose_files, state_dir_is_loose


def fix_file_modes(ctx: Context) -> list[str]:
    done = []
    for path in loose_files(ctx):
        os.chmod(path, 0o600)
        done.append(f"chmod 0600 {path}")
    return done


def fix_state_dir_mode(ctx: Context) -> list[str]:
    if not state_dir_is_loose(ctx):
        return []
    os.chmod(ctx.state_dir, 0o700)
    return [f"chmod 0700 {ctx.state_dir}"]


def fix_gateway_token(ctx: Context) -> list[str]:
    """Write a strong `gateway.auth.token` into the config file via the tables."""
    from config.errors import ConfigError
    from config.models.state import ConfigState
    from config.sync import export_file, file_changed_on_disk, import_file
    from gateway.models.config import GatewaySettings

    if ctx.config is None:
        return []
    path = ctx.config_path
    if file_changed_on_disk(path) or not ConfigState.objects.filter(pk=1).exists():
        outcome = import_file(path, source="cli", apply=False)
        if not outcome.imported:
            return []
    row = GatewaySettings.objects.filter(pk=1).first() or GatewaySettings()
    row.auth_token = secrets.token_urlsafe(32)
    row.save()
    try:
        export_file(path, source="cli")
    except ConfigError as exc:
        return [f"could not write a gateway token: {'; '.join(exc.problems)}"]
    keep_owner(ctx)
    return [
        f"wrote a strong gateway.auth.token into {path} (not shown here; read it from the "
        "file; the previous file is kept as .bak)"
    ]


def keep_owner(ctx: Context) -> None:
    """Run as root (`fly ssh console`), the writer leaves root-owned 0600 files behind that
    the gateway's own user could no longer read: hand them back to the state dir's owner."""
    if os.geteuid() != 0:
        return
    owner = ctx.state_dir.stat()
    if owner.st_uid == 0:
        return
    backups = sorted(ctx.config_path.parent.glob(ctx.config_path.name + ".bak*"))
    names = [ctx.config_path, *backups, *sorted(ctx.state_dir.glob("epiloop.sqlite3*"))]
    for path in names:
        if path.exists() and path.stat().st_uid == 0:
            os.chown(path, owner.st_uid, owner.st_gid)


FIXES: dict[str, Callable[[Context], list[str]]] = {
    "epiloop.W005": fix_file_modes,
    "epiloop.W006": fix_state_dir_mode,
    "epiloop.E005": fix_gateway_token,
}


def apply(ctx: Context, ids: set[str]) -> list[str]:
    """Apply the fix of each id found (once each); returns one line per change made."""
    done: list[str] = []
    for check_id, fix in FIXES.items():
        if check_id in ids:
            done += fix(ctx)
    return done
