from __future__ import annotations

from agents.models.config import (  # noqa: F401
    Agent,
    AgentDefaults,
    AuthOrder,
    AuthProfile,
    Binding,
    Provider,
)
