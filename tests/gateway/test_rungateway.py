"""rungateway as a real process: refusals, listening, lock, unconfigured start, shutdown."""

from __future__ import annotations

import json
import signal
import stat
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.conftest import TEST_TOKEN
from tests.support.gateway import GatewayProcess, free_port

pytestmark = pytest.mark.e2e

Factory = Callable[..., GatewayProcess]
LOCAL = {"gateway": {"mode": "local"}}


def test_it_refuses_lan_bind_without_a_token(gateway_factory: Factory) -> None:
    gw = gateway_factory("--bind", "lan", wait=False, config=LOCAL)
    assert gw.wait_exit() == 1
    assert (
        "Refusing to bind gateway to lan without auth. Set gateway.auth.token "
        "(or EPILOOP_GATEWAY_TOKEN) or pass --token." in gw.output()
    )


def test_it_listens_on_lan_with_a_token_and_answers_healthz(gateway_factory: Factory) -> None:
    gw = gateway_factory("--bind", "lan", config=LOCAL, env={"EPILOOP_GATEWAY_TOKEN": TEST_TOKEN})
    line = gw.wait_for(r"\[gateway\] listening on ws://0\.0\.0\.0:(\d+) \(PID (\d+)\)")
    assert int(line.group(1)) == gw.port
    assert int(line.group(2)) == gw.proc.pid
    response = gw.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"ok": True, "status": "live"}
    assert TEST_TOKEN not in gw.output()


def test_the_token_flag_also_allows_a_lan_bind(gateway_factory: Factory) -> None:
    gw = gateway_factory("--bind", "lan", "--token", TEST_TOKEN, config=LOCAL)
    assert gw.get("/healthz").status_code == 200
    assert TEST_TOKEN not in gw.output()


def test_a_second_gateway_on_the_same_config_exits_naming_the_first(
    gateway_factory: Factory,
) -> None:
    first = gateway_factory(config=LOCAL)
    second = gateway_factory(wait=False)
    assert second.wait_exit() == 1
    assert f"gateway already running (pid {first.proc.pid})" in second.output()
    assert first.get("/healthz").status_code == 200


def test_after_kill_9_a_new_gateway_starts_at_once(gateway_factory: Factory) -> None:
    first = gateway_factory(config=LOCAL)
    first.stop(signal.SIGKILL)
    locks = list(first.state_dir.glob("gateway.*.lock"))
    assert locks, "the killed gateway leaves its lock file behind"
    again = gateway_factory()
    assert again.get("/healthz").status_code == 200


def test_a_stale_lock_file_never_blocks(gateway_factory: Factory, tmp_path: Path) -> None:
    probe = gateway_factory(config=LOCAL)
    lock = next(probe.state_dir.glob("gateway.*.lock"))
    probe.stop()
    lock.write_text(json.dumps({"pid": 999999, "createdAt": "2026-01-01T00:00:00Z"}))
    gw = gateway_factory()
    assert gw.get("/healthz").status_code == 200
    assert "already running" not in gw.output()


def test_sigterm_stops_cleanly_and_releases_the_lock(gateway_factory: Factory) -> None:
    # How fast it stops (target: under 5 s) is measured by bench/startup.py, not here.
    gw = gateway_factory(config=LOCAL)
    assert gw.stop(signal.SIGTERM) == 0
    gw.wait_for(r"\[gateway\] gateway stopped")
    assert not list(gw.state_dir.glob("gateway.*.lock"))
    assert gateway_factory().get("/healthz").status_code == 200


def test_an_empty_state_dir_with_allow_unconfigured_writes_a_minimal_config(
    gateway_factory: Factory,
) -> None:
    gw = gateway_factory("--allow-unconfigured")
    config = gw.state_dir / "epiloop.json"
    doc = json.loads(config.read_text())
    assert doc["gateway"]["mode"] == "local"
    assert "meta" in doc
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert gw.get("/readyz").status_code == 200


def test_an_empty_state_dir_without_the_flag_is_refused(gateway_factory: Factory) -> None:
    gw = gateway_factory(wait=False)
    assert gw.wait_exit() == 1
    assert "Missing config at" in gw.output()
    assert "--allow-unconfigured" in gw.output()
    assert not (gw.state_dir / "epiloop.json").exists()


def test_a_remote_mode_config_is_refused(gateway_factory: Factory) -> None:
    gw = gateway_factory(wait=False, config={"gateway": {"mode": "remote"}})
    assert gw.wait_exit() == 1
    assert 'gateway.mode is "remote"' in gw.output()
    assert 'Set gateway.mode to "local"' in gw.output()


def test_loopback_without_a_token_generates_one_and_prints_the_control_url(
    gateway_factory: Factory,
) -> None:
    gw = gateway_factory(config=LOCAL)
    token_file = gw.state_dir / "gateway-token"
    token = token_file.read_text().strip()
    assert len(token) >= 32
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    gw.wait_for(rf"control UI: http://127\.0\.0\.1:{gw.port}/\?token={token}")
    gw.stop()
    log_text = (gw.state_dir / "logs" / "epiloop.log").read_text()
    assert token not in log_text
    again = gateway_factory()
    assert (gw.state_dir / "gateway-token").read_text().strip() == token
    again.wait_for(rf"\?token={token}")


def test_a_token_from_the_environment_is_never_printed(gateway_factory: Factory) -> None:
    gw = gateway_factory(config=LOCAL, env={"EPILOOP_GATEWAY_TOKEN": TEST_TOKEN})
    assert "control UI:" not in gw.output()
    assert not (gw.state_dir / "gateway-token").exists()


def test_it_logs_the_default_agent_model(gateway_factory: Factory) -> None:
    config = {
        "gateway": {"mode": "local"},
        "agents": {
            "defaults": {"model": {"primary": "anthropic/claude-opus-4-5"}},
            "list": [{"id": "main", "default": True}],
        },
    }
    gw = gateway_factory(config=config)
    gw.wait_for(r"\[gateway\] agent model: anthropic/claude-opus-4-5")


def test_the_port_comes_from_the_environment_when_no_flag_is_given(
    gateway_factory: Factory,
) -> None:
    port = free_port()
    gw = gateway_factory(
        config=LOCAL, port=port, port_flag=False, env={"EPILOOP_GATEWAY_PORT": str(port)}
    )
    gw.wait_for(rf"listening on ws://127\.0\.0\.1:{port} ")
    assert httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200


def test_a_bad_port_in_the_environment_is_refused_naming_the_variable(
    gateway_factory: Factory,
) -> None:
    gw = gateway_factory(
        config=LOCAL, port_flag=False, wait=False, env={"EPILOOP_GATEWAY_PORT": "eighty"}
    )
    assert gw.wait_exit() == 1
    assert "EPILOOP_GATEWAY_PORT='eighty' is not a port number" in gw.output()
