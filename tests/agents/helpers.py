"""Building configs and inbound messages for the agents tests."""

from __future__ import annotations

from typing import Any

from agents.inbound import InboundMessage
from config.runtime import set_current
from config.schema import EpiloopConfig


def install(doc: dict[str, Any]) -> EpiloopConfig:
    cfg = EpiloopConfig.model_validate(doc)
    set_current(cfg)
    return cfg


def dm(sender: str = "42", channel: str = "discord", text: str = "hi", **kw: Any) -> InboundMessage:
    return InboundMessage(
        channel=channel, chat_kind="dm", chat_id=f"dm-{sender}", sender_id=sender, text=text, **kw
    )


def guild_msg(
    chat: str = "c1", guild: str = "g1", sender: str = "42", text: str = "hi", **kw: Any
) -> InboundMessage:
    return InboundMessage(
        channel="discord",
        chat_kind="channel",
        chat_id=chat,
        guild_id=guild,
        sender_id=sender,
        text=text,
        **kw,
    )


def tg_group(chat: str = "-100", sender: str = "42", text: str = "hi", **kw: Any) -> InboundMessage:
    return InboundMessage(
        channel="telegram", chat_kind="group", chat_id=chat, sender_id=sender, text=text, **kw
    )


def providers(anthropic_url: str = "", openai_url: str = "") -> dict[str, Any]:
    """`models.providers` entries pointing the built-in providers at the fakes."""
    out: dict[str, Any] = {}
    if anthropic_url:
        out["anthropic"] = {"baseUrl": anthropic_url, "apiKey": "test-key-anthropic"}
    if openai_url:
        out["openai"] = {"baseUrl": openai_url + "/v1", "apiKey": "test-key-openai"}
    return {"providers": out}
