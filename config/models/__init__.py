from __future__ import annotations

from config.models.base import ConfigRow, OrderedJSONField, Singleton  # noqa: F401
from config.models.revisions import ConfigRevision  # noqa: F401
from config.models.state import ConfigSection, ConfigState  # noqa: F401
