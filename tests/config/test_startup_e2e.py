"""End to end: an invalid epiloop.json never crash-loops rungateway. It starts on the last
valid config it imported (or unconfigured), names every problem in the log and in /readyz,
never rewrites the file, and applies a fixed file on the next start."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.config.test_roundtrip import ISSUE_EXAMPLE

pytestmark = pytest.mark.e2e

ENV = {"EPILOOP_GATEWAY_TOKEN": "test-gateway-token-startup-0123456789"}
BAD_ENUM = ISSUE_EXAMPLE.replace('"groupPolicy": "allowlist"', '"groupPolicy": "allow"')
ENUM_LINE = 'channels.discord.groupPolicy: must be one of open, allowlist, disabled (got "allow")'


def test_an_invalid_file_runs_on_the_last_valid_config_until_it_is_fixed(
    gateway_factory: Callable[..., Any],
) -> None:
    first = gateway_factory("--no-channels", env=ENV, config=ISSUE_EXAMPLE)
    assert first.get("/readyz").status_code == 200
    first.stop()

    path = first.state_dir / "epiloop.json"
    path.write_text(BAD_ENUM)
    second = gateway_factory("--no-channels", env=ENV)
    second.wait_for(r"\[gateway\] agent model: anthropic/claude-opus-4-5")
    assert ENUM_LINE in second.output()
    assert "last valid config" in second.output()
    ready = second.get("/readyz")
    assert ready.status_code == 503
    assert any(ENUM_LINE in line for line in ready.json()["failing"])
    assert second.get("/healthz").json() == {"ok": True, "status": "live"}
    second.stop()
    assert path.read_text() == BAD_ENUM
    assert not path.with_name("epiloop.json.bak").exists()

    fixed = BAD_ENUM.replace('"groupPolicy": "allow"', '"groupPolicy": "open"')
    path.write_text(fixed)
    third = gateway_factory("--no-channels", env=ENV)
    assert third.get("/readyz").status_code == 200
    assert ENUM_LINE not in third.output()
    assert path.read_text() == fixed


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('{\n  "gateway": {"mode": "local",}\n  "x": 1\n}', "epiloop.json: line 3, column 3: "),
        ('{"gateway": {"mode": "local", "port": "many"}}', "gateway.port: must be a whole number"),
    ],
)
def test_an_invalid_file_and_no_earlier_config_starts_unconfigured(
    gateway_factory: Callable[..., Any], text: str, problem: str
) -> None:
    gw = gateway_factory(env=ENV, config=text)
    assert problem in gw.output()
    ready = gw.get("/readyz")
    assert ready.status_code == 503
    assert problem in json.dumps(ready.json())
    gw.stop()
    assert (gw.state_dir / "epiloop.json").read_text() == text
