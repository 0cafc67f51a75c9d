"""The route explainer: for a hypothetical message (channel, account, chat kind, chat id,
guild id, sender), which binding matches, which agent answers and in which session.

The admin page renders `explain(inbound)["rows"]`. Other parts add their own rows with
`register(hook)`: a hook gets the `InboundMessage` and the context and may append
`(label, value)` pairs to `context["rows"]` (the channels' access policy decision, say).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from agents import agentconf
from agents.inbound import InboundMessage
from agents.routing import resolve_route
from config.runtime import current

Hook = Callable[[InboundMessage, dict[str, Any]], None]
HOOKS: list[Hook] = []

FIELDS = ("channel", "account_id", "chat_kind", "chat_id", "guild_id", "sender_id")


def register(hook: Hook) -> Hook:
    if hook not in HOOKS:
        HOOKS.append(hook)
    return hook


def inbound_from(data: Mapping[str, object]) -> InboundMessage:
    """An `InboundMessage` from form data (missing fields empty; account `default`)."""
    kind = str(data.get("chat_kind") or "dm")
    return InboundMessage(
        channel=str(data.get("channel") or "discord").strip(),
        chat_kind=kind if kind in ("dm", "group", "channel") else "dm",  # type: ignore[arg-type]
        chat_id=str(data.get("chat_id") or "").strip(),
        sender_id=str(data.get("sender_id") or "").strip(),
        text=str(data.get("text") or ""),
        account_id=str(data.get("account_id") or "default").strip(),
        guild_id=str(data.get("guild_id") or "").strip(),
        team_id=str(data.get("team_id") or "").strip(),
        parent_chat_id=str(data.get("parent_chat_id") or "").strip(),
    )


def explain(inbound: InboundMessage) -> dict[str, Any]:
    route = resolve_route(inbound)
    rows: list[tuple[str, str]] = [("Matched tier", route.matched_by)]
    if route.binding_index is not None:
        binding = current().bindings[route.binding_index]
        rows.append(
            (
                "Binding",
                f"bindings[{route.binding_index}] "
                + json.dumps(binding.model_dump(mode="json", exclude_none=True)),
            )
        )
    else:
        rows.append(("Binding", "none matched: the default agent answers"))
    rows.append(("Agent", route.agent_id))
    rows.append(("Session key", route.session_key))
    rows.append(("Models", " → ".join(str(r) for r in agentconf.candidates(route.agent_id))))
    rows.append(("Instructions", str(agentconf.workspace(route.agent_id))))
    if route.warning:
        rows.append(("Warning", route.warning))
    context: dict[str, Any] = {"inbound": inbound, "route": route, "rows": rows}
    for hook in HOOKS:
        hook(inbound, context)
    return context
