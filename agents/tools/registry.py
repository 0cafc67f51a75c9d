"""Every built-in tool: name -> (group, "module:Class"); the module is imported when the tool
is first offered to a model, so the policy knows groups without importing any tool.

Adding a tool is one module under `agents/tools/` and one line here. Tools that are not
known in advance (MCP servers' tools) come from `sources`, functions registered at start-up
that list them for a context.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable

from agents.tools.base import Tool, ToolContext

TOOLS: dict[str, tuple[str, str]] = {
    "read": ("fs", "agents.tools.files:ReadTool"),
    "write": ("fs", "agents.tools.files:WriteTool"),
    "edit": ("fs", "agents.tools.files:EditTool"),
    "list": ("fs", "agents.tools.files:ListTool"),
    "sessions_list": ("sessions", "agents.tools.sessions:SessionsListTool"),
    "sessions_history": ("sessions", "agents.tools.sessions:SessionsHistoryTool"),
    "sessions_send": ("sessions", "agents.tools.sessions:SessionsSendTool"),
    "session_status": ("sessions", "agents.tools.sessions:SessionStatusTool"),
    "message": ("messaging", "agents.tools.message:MessageTool"),
    "web_fetch": ("web", "agents.tools.web_fetch:WebFetch"),
    "web_search": ("web", "agents.tools.web_search:WebSearch"),
    "exec": ("runtime", "agents.tools.exec:ExecTool"),
}

# Extra tool lists (MCP), asked for each turn after the built-ins.
ToolSource = Callable[[ToolContext], Awaitable[list[Tool]]]
SOURCES: list[ToolSource] = []

_INSTANCES: dict[str, Tool] = {}


def builtin(name: str) -> Tool:
    """The built-in tool `name` (KeyError for an unknown name); its module is imported now."""
    spec = TOOLS[name][1]
    found = _INSTANCES.get(spec)
    if found is None:
        module_name, _, cls_name = spec.partition(":")
        found = getattr(importlib.import_module(module_name), cls_name)()
        _INSTANCES[spec] = found
    return found
