"""End to end: a running gateway keeps the history of its config file: the text it started
on (JSON5 comments and all) and every change it reloaded live."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

ENV = {"EPILOOP_GATEWAY_TOKEN": "test-gateway-token-revisions-0123456789"}
FIRST = """// hand written, kept in the history
{
  gateway: { mode: "local" },
  session: { dmScope: "per-peer" },
}
"""
SECOND = FIRST.replace('"per-peer"', '"main"')


def history(state_dir: Any) -> list[tuple[str, str]]:
    with sqlite3.connect(state_dir / "epiloop.sqlite3") as conn:
        rows = conn.execute("SELECT source, text FROM gateway_configrevision ORDER BY id")
        return [(source, text) for source, text in rows]


def test_the_running_gateway_records_its_start_and_each_live_reload(
    gateway_factory: Callable[..., Any],
) -> None:
    gw = gateway_factory("--no-channels", env=ENV, config=FIRST)
    assert gw.get("/readyz").status_code == 200
    assert history(gw.state_dir) == [("file", FIRST)]

    (gw.state_dir / "epiloop.json").write_text(SECOND)
    gw.wait_for(r"\[reload\] applied the changed")
    assert history(gw.state_dir) == [("file", FIRST), ("file", SECOND)]
    gw.stop()


def test_an_openclaw_file_imported_over_ssh_is_applied_by_the_running_gateway(
    gateway_factory: Callable[..., Any], tmp_path: Any
) -> None:
    import subprocess
    import sys

    from tests.support.gateway import REPO, gateway_env

    gw = gateway_factory("--no-channels", env=ENV, config=FIRST)
    assert gw.get("/readyz").status_code == 200
    start = len(gw.lines())
    other = tmp_path / "openclaw.json"
    other.write_text('{"gateway": {"mode": "local"}, "session": {"dmScope": "main"}}\n')
    done = subprocess.run(
        [sys.executable, "manage.py", "importconfig", str(other)],
        cwd=REPO,
        env=gateway_env(gw.state_dir, ENV),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    gw.wait_for(r"\[reload\] applied the changed", start=start)
    sources = [source for source, _ in history(gw.state_dir)]
    assert sources == ["file", "cli"]  # the gateway's import of the same text adds nothing
    gw.stop()
