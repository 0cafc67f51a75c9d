from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.gateway import GatewayProcess, spawn_gateway, start_gateway

TEST_TOKEN = "test-gateway-token-0123456789abcdef"


@pytest.fixture
def gateway_factory(tmp_path: Path) -> Iterator[Callable[..., GatewayProcess]]:
    """Start rungateway processes (`wait=False` to not wait for `listening`); all are
    stopped at teardown. Default state dir: tmp_path / "state"."""
    started: list[GatewayProcess] = []

    def factory(
        *args: str, wait: bool = True, state_dir: Path | None = None, **kw: Any
    ) -> GatewayProcess:
        state = state_dir or tmp_path / "state"
        gw = (start_gateway if wait else spawn_gateway)(state, *args, **kw)
        started.append(gw)
        return gw

    yield factory
    for gw in started:
        gw.stop()


@pytest.fixture(autouse=True)
def _forget_log_secrets() -> Iterator[None]:
    """Secrets registered for log redaction by one test must not redact another's output."""
    yield
    from config.secrets import forget_secrets

    forget_secrets()


@pytest.fixture(autouse=True)
def _forget_inbound_guards() -> Iterator[None]:
    """Each test starts with no remembered deliveries (fakes reuse update and message ids)
    and full rate-limit buckets."""
    yield
    from channels_app import dedupe, ratelimit

    dedupe.SEEN.clear()
    ratelimit.LIMITER.clear()
