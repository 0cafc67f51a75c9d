from __future__ import annotations

from tests.fakes.discord.fixtures import fake_discord  # noqa: F401
