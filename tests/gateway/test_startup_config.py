"""rungateway with an invalid epiloop.json: up on the last valid config, never crash-looping."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from tests.conftest import TEST_TOKEN
from tests.support.gateway import GatewayProcess

pytestmark = pytest.mark.e2e
Factory = Callable[..., GatewayProcess]
ENV = {"EPILOOP_GATEWAY_TOKEN": TEST_TOKEN}


@pytest.mark.parametrize(
    ("text", "path_named"),
    [
        (
            '{"gateway": {"mode": "local"}, "channels": {"discord": {"groupPolicy": "allow"}}}',
            "channels.discord.groupPolicy",
        ),
        ('{"gateway": {"mode": "local", "port": "not-a-port"}}', "gateway.port"),
        ('{"gateway": {"mode": "local"},, }', "epiloop.json"),
    ],
    ids=["bad enum", "wrong type", "broken JSON"],
)
def test_an_invalid_file_starts_unconfigured_and_readyz_names_the_problem(
    gateway_factory: Factory, text: str, path_named: str
) -> None:
    gw = gateway_factory(config=text, env=ENV)
    ready = gw.get("/readyz")
    assert ready.status_code == 503
    assert any(path_named in line for line in ready.json()["failing"])
    assert path_named in gw.output()
    assert gw.get("/healthz").status_code == 200
    assert (gw.state_dir / "epiloop.json").read_text() == text, "the invalid file is untouched"


def test_a_bad_enum_names_the_choices_in_the_log(gateway_factory: Factory) -> None:
    text = json.dumps(
        {"gateway": {"mode": "local"}, "channels": {"discord": {"groupPolicy": "allow"}}}
    )
    gw = gateway_factory(config=text, env=ENV)
    gw.wait_for(r'channels\.discord\.groupPolicy: .*open, allowlist, disabled.*"allow"')


def test_an_invalid_file_after_a_valid_one_runs_on_the_last_valid_config(
    gateway_factory: Factory,
) -> None:
    valid = {
        "gateway": {"mode": "local"},
        "agents": {"defaults": {"model": {"primary": "openai/gpt-4o"}}, "list": [{"id": "main"}]},
    }
    first = gateway_factory(config=valid, env=ENV)
    first.wait_for(r"agent model: openai/gpt-4o")
    first.stop()
    broken = '{"gateway": {"mode": "local"}, "agents": {"defaults": {"maxConcurrent": "many"}}}'
    (first.state_dir / "epiloop.json").write_text(broken)
    second = gateway_factory(env=ENV)
    second.wait_for(r"running on the last valid config")
    second.wait_for(r"agent model: openai/gpt-4o")
    assert second.get("/readyz").status_code == 503
    assert (first.state_dir / "epiloop.json").read_text() == broken
    second.stop()
    (first.state_dir / "epiloop.json").write_text(
        json.dumps(
            {
                "gateway": {"mode": "local"},
                "agents": {"list": [{"id": "x", "model": "anthropic/claude-sonnet-4-5"}]},
            }
        )
    )
    third = gateway_factory(env=ENV)
    third.wait_for(r"agent model: anthropic/claude-sonnet-4-5")
    assert third.get("/readyz").status_code == 200
