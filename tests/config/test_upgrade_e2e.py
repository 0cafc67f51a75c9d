"""End to end: a state dir made before the config tables moved into the `config` app (by
the gateway of commit a159c8b: `migrate`, `importconfig`, `exportconfig` of an OpenClaw
multi-agent file) upgrades in place when the new gateway starts on it: no row, revision or
permission is lost, and the file and the tables still agree."""

from __future__ import annotations

import gzip
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.gateway import REPO, gateway_env, start_gateway

pytestmark = pytest.mark.e2e

FIXTURES = Path(__file__).parent / "fixtures"
ENV = {
    "EPILOOP_GATEWAY_TOKEN": "test-gateway-token-upgrade-0123456789",
    "DISCORD_BOT_TOKEN": "made-up-discord-token",
    "OPENCLAW_GATEWAY_TOKEN": "made-up-gw-token-123",
}


def old_state_dir(tmp_path: Path) -> Path:
    state = tmp_path / "state"
    state.mkdir()
    with gzip.open(FIXTURES / "state-before-config-app.sqlite3.gz") as src:
        (state / "epiloop.sqlite3").write_bytes(src.read())
    shutil.copy(FIXTURES / "state-before-config-app.json", state / "epiloop.json")
    return state


def query(state: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(state / "epiloop.sqlite3") as conn:
        return list(conn.execute(sql))


def test_a_state_dir_made_by_the_previous_version_upgrades_in_place(tmp_path: Path) -> None:
    state = old_state_dir(tmp_path)
    revisions_before = query(state, "SELECT id, hash, source FROM gateway_configrevision")
    assert len(revisions_before) == 2

    gw = start_gateway(state, "--no-channels", env=ENV)
    assert gw.get("/readyz").status_code == 200
    assert gw.stop() == 0

    assert query(state, "SELECT id, hash, source FROM gateway_configrevision")[:2] == (
        revisions_before
    )
    moved = query(
        state,
        "SELECT app_label, model FROM django_content_type WHERE model IN "
        "('configstate', 'configsection', 'configrevision') ORDER BY model",
    )
    assert moved == [
        ("config", "configrevision"),
        ("config", "configsection"),
        ("config", "configstate"),
    ]
    dry_run = subprocess.run(
        [sys.executable, str(REPO / "manage.py"), "importconfig", "--dry-run"],
        cwd=REPO,
        env=gateway_env(state, ENV),
        capture_output=True,
        text=True,
        check=True,
    )
    assert "dry run: 0 change(s)" in dry_run.stdout, dry_run.stdout
    exported = subprocess.run(
        [sys.executable, str(REPO / "manage.py"), "exportconfig", "-"],
        cwd=REPO,
        env=gateway_env(state, ENV),
        capture_output=True,
        text=True,
        check=True,
    )
    assert '"agents"' in exported.stdout and '"guilds"' in exported.stdout
