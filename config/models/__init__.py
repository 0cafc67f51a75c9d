from __future__ import annotations

from config.models.base import ConfigRow, OrderedJSONField, Singleton
from config.models.revisions import ConfigRevision
from config.models.state import ConfigSection, ConfigState

__all__ = [
    "ConfigRevision",
    "ConfigRow",
    "ConfigSection",
    "ConfigState",
    "OrderedJSONField",
    "Singleton",
]
