from __future__ import annotations

from gateway.models.config import (  # noqa: F401
    ConfigSection,
    ConfigState,
    GatewaySettings,
    MessagesSettings,
    SessionSettings,
)
from gateway.models.revisions import ConfigRevision  # noqa: F401
