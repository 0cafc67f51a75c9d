from __future__ import annotations

import os
import tempfile
import time
from collections.abc import AsyncIterator, Iterator

import pytest

from tests.fakes.anthropic.fixtures import fake_anthropic, fake_anthropic_server
from tests.fakes.openai.fixtures import fake_openai, fake_openai_server

__all__ = ["fake_anthropic", "fake_anthropic_server", "fake_openai", "fake_openai_server"]

# The Anthropic SDK reads a profile from its config dir when no key is given: never the
# operator's real one.
os.environ["ANTHROPIC_CONFIG_DIR"] = tempfile.mkdtemp(prefix="anthropic-config-")


@pytest.fixture(autouse=True)
async def _close_sdk_clients() -> AsyncIterator[None]:
    yield
    from agents.providers.clients import close_all
    from agents.service import drain

    await drain()
    await close_all()


@pytest.fixture(autouse=True)
def _fresh_agent_state() -> Iterator[None]:
    from agents import keys, memory, toolloop
    from agents.fallback import COOLDOWNS
    from config.runtime import set_current
    from config.schema import EpiloopConfig

    memory.forget()
    keys.forget()
    COOLDOWNS.clear()
    yield
    memory.forget()
    set_current(EpiloopConfig())
    keys.forget()
    COOLDOWNS.clear()
    COOLDOWNS.clock = time.monotonic
    toolloop.NO_TOOLS.clear()
