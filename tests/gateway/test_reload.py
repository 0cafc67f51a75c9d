"""Live reload of epiloop.json in a running gateway."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pytest

from config.schema import EpiloopConfig
from gateway.reload import channels_changed, gateway_changes
from tests.conftest import TEST_TOKEN
from tests.gateway.protocol.client import Client
from tests.support.gateway import GatewayProcess

Factory = Callable[..., GatewayProcess]
BASE = {
    "gateway": {"mode": "local", "reload": {"mode": "hybrid"}},
    "agents": {"list": [{"id": "main", "model": "openai/gpt-4o"}]},
}


async def _status(gw: GatewayProcess) -> dict[str, Any]:
    """The protocol's `status`, which the Control UI shows."""
    client = await Client.open(gw.ws_url, token=TEST_TOKEN)
    try:
        return cast(dict[str, Any], await client.ok("status"))
    finally:
        await client.close()


def _write(path: Path, doc: dict[str, object] | str) -> None:
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc, indent=2))


@pytest.mark.e2e
def test_changes_apply_without_restart_and_invalid_ones_are_reported(
    gateway_factory: Factory,
) -> None:
    gw = gateway_factory(config=BASE, env={"EPILOOP_GATEWAY_TOKEN": TEST_TOKEN})
    config = gw.state_dir / "epiloop.json"
    mark = len(gw.lines())

    changed = json.loads(json.dumps(BASE))
    changed["agents"]["list"][0]["model"] = "anthropic/claude-sonnet-4-5"
    _write(config, changed)
    gw.wait_for(r"\[reload\] applied the changed", start=mark, timeout=10)

    mark = len(gw.lines())
    changed["gateway"]["port"] = 4242
    _write(config, changed)
    gw.wait_for(r"gateway\.port changed: restart the gateway to apply it", start=mark, timeout=10)
    assert gw.get("/healthz").status_code == 200, "still serving on the old port"
    assert asyncio.run(_status(gw))["restartNeeded"] == ["gateway.port"]

    mark = len(gw.lines())
    _write(config, '{"gateway": {"mode": "local"}, "session": {"dmScope": "everyone"}}')
    gw.wait_for(r"changed but is invalid; still running on the previous config", start=mark)
    gw.wait_for(r"config problem: session\.dmScope", start=mark)
    ready = gw.get("/readyz")
    assert ready.status_code == 503
    assert any("session.dmScope" in line for line in ready.json()["failing"])

    mark = len(gw.lines())
    _write(config, changed)
    gw.wait_for(r"\[reload\] .* is back to the running config", start=mark, timeout=10)
    assert gw.get("/readyz").status_code == 200


@pytest.mark.e2e
def test_reload_mode_off_ignores_changes(gateway_factory: Factory) -> None:
    off = json.loads(json.dumps(BASE))
    off["gateway"]["reload"]["mode"] = "off"
    gw = gateway_factory(config=off, env={"EPILOOP_GATEWAY_TOKEN": TEST_TOKEN})
    _write(gw.state_dir / "epiloop.json", '{"gateway": {"mode": "local"},, broken')
    with pytest.raises(AssertionError):
        gw.wait_for(r"changed but is invalid", timeout=3)
    assert gw.get("/readyz").status_code == 200


def test_gateway_changes_name_each_changed_key() -> None:
    old = EpiloopConfig.model_validate({"gateway": {"mode": "local", "port": 1}})
    new = EpiloopConfig.model_validate(
        {"gateway": {"mode": "local", "port": 2, "auth": {"token": "abcdefgh"}}}
    )
    assert gateway_changes(old, new) == ["gateway.port", "gateway.auth.token"]
    assert gateway_changes(old, old) == []


def test_only_channels_whose_connection_changed_are_named() -> None:
    old = EpiloopConfig.model_validate(
        {"channels": {"discord": {"token": "a-token"}, "telegram": {"botToken": "1:x"}}}
    )
    new = EpiloopConfig.model_validate(
        {
            "channels": {
                "discord": {"token": "b-token"},
                "telegram": {"botToken": "1:x", "groups": {"*": {"requireMention": False}}},
            }
        }
    )
    assert channels_changed(old, new) == ["discord"]
