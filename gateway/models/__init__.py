from __future__ import annotations

from gateway.models.config import (  # noqa: F401
    GatewaySettings,
    MessagesSettings,
    SessionSettings,
)
