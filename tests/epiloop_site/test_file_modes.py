"""The state dir is created 0700 and the SQLite database with its -wal/-shm files 0600:
they hold conversations, pairing codes, encrypted API keys and the gateway token."""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path

from tests.support.commands import manage
from tests.support.gateway import GatewayProcess


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def database_files(state: Path) -> dict[str, int]:
    return {path.name: mode(path) for path in sorted(state.glob("epiloop.sqlite3*"))}


def test_a_first_command_makes_a_private_state_dir_and_database(tmp_path: Path) -> None:
    state = tmp_path / "new" / "state"
    code, out, err = manage(state, "pairing", "list")
    assert (code, err) == (0, ""), out
    assert mode(state) == 0o700
    assert mode(state / "secret_key") == 0o600
    assert database_files(state) == {"epiloop.sqlite3": 0o600}


def test_a_first_gateway_start_keeps_the_database_and_its_wal_private(
    gateway_factory: Callable[..., GatewayProcess], tmp_path: Path
) -> None:
    state = tmp_path / "fresh-state"
    gw = gateway_factory("--allow-unconfigured", "--no-channels", state_dir=state, fresh=True)
    gw.wait_for(r"\[gateway\] applying database migrations")  # it migrated from nothing
    assert gw.get("/readyz").status_code == 200  # reads and writes the database meanwhile
    assert mode(state) == 0o700
    files = database_files(state)
    assert {"epiloop.sqlite3", "epiloop.sqlite3-wal", "epiloop.sqlite3-shm"} <= set(files)
    assert set(files.values()) == {0o600}, files
    for name in ("epiloop.json", "secret_key", "gateway-token"):
        assert mode(state / name) == 0o600, name
