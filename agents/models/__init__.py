from __future__ import annotations

from agents.models.config import (  # noqa: F401
    Agent,
    AgentDefaults,
    AuthOrder,
    AuthProfile,
    Binding,
    Provider,
)
from agents.models.sessions import InstructionFiles, Message, RouteExplainer, Session  # noqa: F401
from agents.models.usage import ModelPrice, UsageDay  # noqa: F401
