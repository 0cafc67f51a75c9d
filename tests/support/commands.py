"""Run `python manage.py COMMAND` as a real process, as a user would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.gateway import REPO, gateway_env


def manage(state: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of one command on the state dir `state`."""
    done = subprocess.run(
        [sys.executable, str(REPO / "manage.py"), *args],
        cwd=REPO,
        env=gateway_env(state, env),
        capture_output=True,
        text=True,
        timeout=90,
    )
    return done.returncode, done.stdout, done.stderr
