"""What a turn hands the tool loop: the tools its sender may use, the stable system prompt
that describes them, and the per-turn context (time, sender, place)."""

from __future__ import annotations

from dataclasses import dataclass

from agents import instructions
from agents.agentconf import AgentInfo
from agents.tools import outbound, toolset
from agents.tools.base import Tool, ToolContext
from config.runtime import current


@dataclass
class Setup:
    ctx: ToolContext
    tools: dict[str, Tool]
    prompt: str  # stable: cached by providers
    tail: str  # changes every turn


async def prepare(
    agent: AgentInfo,
    session_key: str,
    channel_prompt: str,
    channel: str,
    chat_kind: str,
    sender_id: str,
    sender_name: str,
    *,
    owner: bool,
) -> Setup:
    cfg = current()
    ctx = ToolContext(
        agent_id=agent.id,
        session_key=session_key,
        workspace=agent.workspace,
        config=cfg,
        channel=channel,
        chat_kind=chat_kind,
        sender_id=sender_id,
        sender_name=sender_name,
        owner=owner,
        send_text=outbound.SEND,
        ask=outbound.ASK,
    )
    tools = await toolset.for_turn(ctx)
    hints = [(t.name, t.description) for t in tools.values()]
    prompt = instructions.system_prompt(agent, channel_prompt, hints)
    tail = instructions.context(
        channel=channel,
        chat_kind=chat_kind,
        sender_name=sender_name,
        owner=owner,
        zone=instructions.user_zone(cfg.agents.defaults.user_timezone),
    )
    return Setup(ctx, tools, prompt, tail)
