"""`runchannel` tells a webhook-mode channel where to listen, by the gateway's bind rules
(the channel itself never reads them: channels_app does not import the gateway)."""

from __future__ import annotations

from typing import Any

import pytest

from channels_app import webhooks
from config.schema import EpiloopConfig
from gateway.management.commands.runchannel import webhook_address


@pytest.fixture(autouse=True)
def _no_env_bind(settings: Any) -> None:
    settings.EPILOOP_ENV = {**settings.EPILOOP_ENV, "gateway_bind": "", "gateway_port": ""}


def test_a_channel_run_alone_listens_where_the_gateway_would() -> None:
    cfg = EpiloopConfig.model_validate({"gateway": {"port": 4321, "bind": "loopback"}})
    assert webhook_address(cfg) == webhooks.Address("127.0.0.1", 4321)


def test_a_bind_that_cannot_work_is_named_for_the_webhook_instead_of_raised() -> None:
    cfg = EpiloopConfig.model_validate({"gateway": {"port": 4321, "bind": "custom"}})
    address = webhook_address(cfg)
    assert address.problem == "bind mode custom needs gateway.customBindHost; set it or use lan."
