from __future__ import annotations

from channels_app.models.config import (  # noqa: F401
    DiscordGuild,
    DiscordGuildChannel,
    DiscordSettings,
    TelegramGroup,
    TelegramSettings,
)
from channels_app.models.drops import DroppedMessage  # noqa: F401
from channels_app.models.pairing import ApprovedSender, PairingRequest  # noqa: F401
