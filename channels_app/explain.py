"""The access policy's verdict on the route explainer page (agents.explain hook)."""

from __future__ import annotations

from typing import Any

from agents.inbound import InboundMessage
from channels_app.pairing import is_approved
from channels_app.policy import decide
from channels_app.policy.dm import PairingAttempt


class PreviewStore:
    """Reads pairing approvals but never issues a code: explaining changes nothing."""

    def is_approved(self, inbound: InboundMessage) -> bool:
        return is_approved(inbound.channel, inbound.sender_id, inbound.account_id)

    def request(self, inbound: InboundMessage) -> PairingAttempt:
        return PairingAttempt(code="(new code)", created=True)


def policy_rows(inbound: InboundMessage, context: dict[str, Any]) -> None:
    decision = decide(inbound, store=PreviewStore())
    verdict = "allowed" if decision.allowed else "dropped"
    context["rows"].append(("Access policy", f"{verdict}: {decision.reason}"))
    if decision.system_prompt:
        context["rows"].append(("Channel system prompt", decision.system_prompt))
    if not decision.allowed and decision.reply:
        context["rows"].append(("Reply to sender", "a pairing code"))
    context["policy"] = decision


def register() -> None:
    try:
        from agents import explain
    except ImportError:  # the agents app is not there (a partial checkout)
        return
    explain.register(policy_rows)
