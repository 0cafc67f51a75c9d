from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.openai import fixtures as openai_fixtures
from tests.fakes.openai.server import FakeOpenAI
from tests.gateway.protocol.client import TOKEN
from tests.support.gateway import GatewayProcess, start_gateway

fake_openai_server = openai_fixtures.fake_openai_server
fake_openai = openai_fixtures.fake_openai

BASE_CONFIG: dict[str, Any] = {
    "gateway": {"mode": "local", "http": {"endpoints": {"chatCompletions": {"enabled": True}}}},
    "agents": {
        "defaults": {"model": {"primary": "openai/gpt-4o-mini"}},
        "list": [{"id": "main", "default": True, "name": "Main"}, {"id": "ops", "name": "Ops"}],
    },
}


@pytest.fixture(scope="session")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GatewayProcess]:
    """One rungateway process for the protocol tests, token TOKEN, ticks every 0.2 s."""
    state: Path = tmp_path_factory.mktemp("ws-gateway")
    gw = start_gateway(
        state,
        "--no-channels",
        env={"EPILOOP_GATEWAY_TOKEN": TOKEN, "EPILOOP_TICK_INTERVAL_MS": "200"},
        config=BASE_CONFIG,
    )
    yield gw
    gw.stop()


@pytest.fixture(scope="session")
def model_gateway(
    tmp_path_factory: pytest.TempPathFactory, fake_openai_server: FakeOpenAI
) -> Iterator[GatewayProcess]:
    """A rungateway whose agents answer through the fake OpenAI server."""
    gw = start_model_gateway(tmp_path_factory.mktemp("ws-model-gateway"), fake_openai_server)
    yield gw
    gw.stop()


def start_model_gateway(
    state: Path, fake_openai_server: FakeOpenAI, config: dict[str, Any] | None = None
) -> GatewayProcess:
    """rungateway (no channels) on `config` (default BASE_CONFIG), models at the fake."""
    return start_gateway(
        state,
        "--no-channels",
        env={
            "EPILOOP_GATEWAY_TOKEN": TOKEN,
            "OPENAI_API_KEY": "sk-test-fake-key",
            "OPENAI_BASE_URL": fake_openai_server.url + "/v1",
        },
        config=config or BASE_CONFIG,
    )
