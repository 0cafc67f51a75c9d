from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.gateway.protocol.client import TOKEN
from tests.support.gateway import GatewayProcess, start_gateway

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
