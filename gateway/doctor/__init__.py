"""`doctor`: what would stop the gateway working, or expose it, one finding per problem.

Each check is a plain function of a `Context` (the config file as loaded, the state dir, the
root it must not share a disk with on Fly) that returns `Finding`s with a stable id
(`epiloop.E0xx` errors, `epiloop.W0xx` warnings) and a one-line hint. `gateway.checks`
turns them into Django system checks; `doctor --fix` applies `gateway.doctor.fixes`.

Checks that need a config run only when the file is valid: an invalid file is reported
problem by problem (E001) and the gateway runs on its last valid config meanwhile.

Ids: E001 config invalid (one per problem, with its JSON path), E002 no config file, E003
state dir not writable, E004 state dir on the machine's own disk on Fly, E005 no gateway auth
off loopback, E006 short gateway token off loopback, E007 a model in use has no key, E008 an
enabled channel has no token, E009 `open` DM policy without "*", E010 bind cannot be resolved;
W001 unknown key (kept), W002 other loader notes, W003 `session.dmScope` `main` with DMs open
to anyone, W004 short gateway token on loopback, W005 secret file (config and backups,
secret key, gateway token, SQLite database and its -wal/-shm) readable by others, W006 state
dir open to others.
"""

from __future__ import annotations

from collections.abc import Callable

from gateway.doctor.access import check_channel_tokens, check_gateway_auth, check_model_keys
from gateway.doctor.base import Context, Finding, gather
from gateway.doctor.config import (
    check_config,
    check_config_notes,
    check_dm_scope,
    check_open_dm,
)
from gateway.doctor.disk import check_file_modes, check_state_dir, check_state_dir_mode

__all__ = ["CHECKS", "Context", "Finding", "gather", "run"]

CHECKS: tuple[Callable[[Context], list[Finding]], ...] = (
    check_config,
    check_open_dm,
    check_config_notes,
    check_state_dir,
    check_state_dir_mode,
    check_file_modes,
    check_gateway_auth,
    check_model_keys,
    check_channel_tokens,
    check_dm_scope,
)


def run(ctx: Context) -> list[Finding]:
    findings = [finding for check in CHECKS for finding in check(ctx)]
    return sorted(findings, key=lambda f: (not f.is_error, f.id))
