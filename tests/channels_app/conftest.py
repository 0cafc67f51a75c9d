from __future__ import annotations

from tests.fakes.anthropic.fixtures import fake_anthropic, fake_anthropic_server  # noqa: F401
from tests.fakes.discord.fixtures import fake_discord  # noqa: F401
