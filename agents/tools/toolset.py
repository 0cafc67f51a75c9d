"""The tools one turn may offer: the built-ins its grant permits (imported only then) and
the permitted tools of the dynamic sources (MCP)."""

from __future__ import annotations

import logging

from agents.tools import policy, registry
from agents.tools.base import Tool, ToolContext

log = logging.getLogger("epiloop.agent")


async def for_turn(ctx: ToolContext) -> dict[str, Tool]:
    grant = policy.grant(ctx.config, ctx.agent_id, owner=ctx.owner)
    tools: dict[str, Tool] = {}
    for name, (group, _spec) in registry.TOOLS.items():
        if grant.permits(name, group):
            try:
                tools[name] = registry.builtin(name)
            except Exception:  # a broken tool module must not take the others down
                log.exception("tool %s cannot be loaded", name)
    for source in registry.SOURCES:
        try:
            found = await source(ctx)
        except Exception:
            log.exception("a tool source failed; its tools are left out of this turn")
            continue
        for tool in found:
            if tool.name not in tools and grant.permits(tool.name, tool.group, builtin=False):
                tools[tool.name] = tool
    return tools
