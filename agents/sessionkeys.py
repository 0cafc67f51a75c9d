"""Session keys (DESIGN §7): the one module that writes and reads `agent:<id>:<rest>`.

The rest of a key takes one of these forms:

    main                                     the agent's main session (DMs too under dmScope main)
    dm:<peer>                                a DM under dmScope per-peer
    <channel>:dm:<peer>                      a DM under dmScope per-channel-peer (the default)
    <channel>:<account>:dm:<peer>            a DM under dmScope per-account-channel-peer
    <channel>:<kind>:<chatId>[:topic:<id>]   a group or channel chat; Telegram forum topics
    openai-user:<user>, openai:<request>     the OpenAI-compatible endpoint
    anything else                            a name a client chose (`cli`, `webchat`, ...)

Keys are stored in the database and typed by users of the protocol, so every form here must
keep producing the very same text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

PREFIX = "agent"
MAIN = "main"
DM = "dm"
TOPIC = "topic"
CHAT_KINDS = ("group", "channel")
DEFAULT_DM_SCOPE = "per-channel-peer"
DEFAULT_ACCOUNT = "default"

Kind = Literal["main", "dm", "group", "channel", ""]


@dataclass(frozen=True)
class SessionKey:
    """A full key taken apart; fields a form does not have are empty."""

    agent_id: str
    rest: str  # everything after `agent:<id>:`
    kind: Kind = ""  # "" for a name a client chose
    channel: str = ""
    account_id: str = ""  # only under dmScope per-account-channel-peer
    peer: str = ""  # the DM peer, or the group or channel chat id
    topic: str = ""

    def __str__(self) -> str:
        return key(self.agent_id, self.rest)


def key(agent_id: str, rest: str) -> str:
    """`rest` inside the agent's namespace."""
    return f"{PREFIX}:{agent_id}:{rest}"


def main(agent_id: str) -> str:
    return key(agent_id, MAIN)


def dm(
    agent_id: str,
    channel: str,
    peer: str,
    scope: str = DEFAULT_DM_SCOPE,
    account_id: str = DEFAULT_ACCOUNT,
) -> str:
    """A DM's key under `session.dmScope`; an unknown scope counts as the default."""
    if scope == "main":
        return main(agent_id)
    if scope == "per-peer":
        return key(agent_id, f"{DM}:{peer}")
    if scope == "per-account-channel-peer":
        return key(agent_id, f"{channel}:{account_id}:{DM}:{peer}")
    return key(agent_id, f"{channel}:{DM}:{peer}")


def chat(agent_id: str, channel: str, kind: str, chat_id: str, topic: str = "") -> str:
    """A group or channel chat's key; a Telegram forum topic gets its own session."""
    rest = f"{channel}:{kind}:{chat_id}"
    if topic:
        rest += f":{TOPIC}:{topic}"
    return key(agent_id, rest)


def openai_user(agent_id: str, user: str) -> str:
    """The session an OpenAI `user` field pins."""
    return key(agent_id, f"openai-user:{user}")


def openai_request(agent_id: str, request_id: str) -> str:
    """A one-request session, for OpenAI calls without a `user`."""
    return key(agent_id, f"openai:{request_id}")


def parse(text: str) -> SessionKey | None:
    """The parts of a full key, or None when `text` is not one (a short form).

    A full key has the prefix, a non-empty agent id and a rest (possibly empty)."""
    parts = text.split(":")
    if len(parts) < 3 or parts[0] != PREFIX or not parts[1]:
        return None
    return _read_rest(parts[1], parts[2:])


def _read_rest(agent_id: str, parts: list[str]) -> SessionKey:
    rest = ":".join(parts)
    # Checked in this order so a per-channel-peer DM is never read as an account's DM.
    if rest == MAIN:
        return SessionKey(agent_id, rest, kind="main")
    if len(parts) >= 2 and parts[0] == DM:
        return SessionKey(agent_id, rest, kind="dm", peer=":".join(parts[1:]))
    if len(parts) >= 3 and parts[1] == DM:
        return SessionKey(agent_id, rest, kind="dm", channel=parts[0], peer=":".join(parts[2:]))
    if len(parts) >= 4 and parts[2] == DM:
        return SessionKey(
            agent_id,
            rest,
            kind="dm",
            channel=parts[0],
            account_id=parts[1],
            peer=":".join(parts[3:]),
        )
    if len(parts) >= 3 and parts[1] in CHAT_KINDS:
        chat_parts, topic = parts[2:], ""
        if len(chat_parts) >= 3 and chat_parts[-2] == TOPIC:
            chat_parts, topic = chat_parts[:-2], chat_parts[-1]
        return SessionKey(
            agent_id,
            rest,
            kind="group" if parts[1] == "group" else "channel",
            channel=parts[0],
            peer=":".join(chat_parts),
            topic=topic,
        )
    return SessionKey(agent_id, rest)


def resolve(text: str | None, default_agent: str) -> tuple[str, str]:
    """(agent id, full key) for what a protocol client sent: empty or `main` is the default
    agent's main session, a full key names its own agent, anything else is a name inside
    the default agent's namespace."""
    stripped = (text or "").strip()
    if not stripped or stripped == MAIN:
        return default_agent, main(default_agent)
    parsed = parse(stripped)
    if parsed is not None:
        return parsed.agent_id, stripped
    return default_agent, key(default_agent, stripped)


def qualify(text: str, agent_id: str) -> str:
    """`manage.py chat --session`: anything starting with `agent:` is taken as given, else it
    is a name inside `agent_id`'s namespace.

    Looser than `resolve` (which also wants an agent id and a rest) because that is what the
    command has always done; keys already stored depend on it."""
    if text.startswith(f"{PREFIX}:"):
        return text
    return key(agent_id, text)
