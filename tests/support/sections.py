"""A configured platform's section in tests, where its absence is itself a failure."""

from __future__ import annotations

from channels_app.discord.schema import DiscordConfig
from channels_app.discord.schema import section as discord_section
from channels_app.telegram.schema import TelegramConfig
from channels_app.telegram.schema import section as telegram_section
from config.schema import EpiloopConfig


def discord_of(cfg: EpiloopConfig | None) -> DiscordConfig:
    assert cfg is not None
    found = discord_section(cfg)
    assert found is not None, "the config has no channels.discord"
    return found


def telegram_of(cfg: EpiloopConfig | None) -> TelegramConfig:
    assert cfg is not None
    found = telegram_section(cfg)
    assert found is not None, "the config has no channels.telegram"
    return found
