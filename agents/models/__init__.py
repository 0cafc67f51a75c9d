from __future__ import annotations

from agents.models.config import (
    Agent,
    AgentDefaults,
    AuthOrder,
    AuthProfile,
    Binding,
    Provider,
)
from agents.models.sessions import InstructionFiles, Message, RouteExplainer, Session
from agents.models.usage import ModelPrice, UsageDay

__all__ = [
    "Agent",
    "AgentDefaults",
    "AuthOrder",
    "AuthProfile",
    "Binding",
    "InstructionFiles",
    "Message",
    "ModelPrice",
    "Provider",
    "RouteExplainer",
    "Session",
    "UsageDay",
]
