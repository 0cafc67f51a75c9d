"""Which agent answers an inbound message, and in which session (DESIGN §7, §8).

Bindings for the message's channel and account are tried tier by tier: peer (the chat,
or for a thread its parent), guild, team, account, channel-wide; the first match in file
order within the best tier wins; otherwise the default agent. A binding's `accountId`
absent means the default account, `"*"` any account (as in OpenClaw).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from agents import agentconf, sessionkeys
from agents.inbound import InboundMessage
from config.runtime import current
from config.schema import Binding

log = logging.getLogger("epiloop.agent")

TIERS = ("peer", "guild", "team", "account", "channel", "default")
DEFAULT_ACCOUNT = "default"

_warned: set[tuple[int, str]] = set()

_KIND_ALIASES = {"direct": "dm", "dm": "dm", "group": "group", "channel": "group"}


@dataclass(frozen=True)
class Route:
    agent_id: str
    session_key: str
    matched_by: str  # one of TIERS
    binding_index: int | None = None  # position in `bindings`, when one matched
    warning: str = ""


def _kind(kind: str | None) -> str:
    return _KIND_ALIASES.get((kind or "").strip().lower(), (kind or "").strip().lower())


def _peer_ids(inbound: InboundMessage) -> list[tuple[str, str]]:
    """(kind, id) pairs a peer binding may name: the DM sender, or the chat then its parent."""
    if inbound.chat_kind == "dm":
        return [("dm", inbound.sender_id)]
    ids = [("group", inbound.chat_id)]
    if inbound.parent_chat_id:
        ids.append(("group", inbound.parent_chat_id))
    return ids


def _account_matches(wanted: str | None, actual: str) -> bool:
    if wanted is None or wanted == "":
        return actual in ("", DEFAULT_ACCOUNT)
    return wanted == "*" or wanted == actual


def binding_tier(binding: Binding, inbound: InboundMessage) -> str | None:
    """The tier at which `binding` matches `inbound`, or None when it does not match.

    Every constraint a binding states must hold; its tier is its most specific one."""
    match = binding.match
    if (match.channel or "").strip().lower() != inbound.channel.lower():
        return None
    if not _account_matches(match.account_id, inbound.account_id):
        return None
    if match.guild_id and match.guild_id != inbound.guild_id:
        return None
    if match.team_id and match.team_id != inbound.team_id:
        return None
    if match.peer is not None and (match.peer.id or match.peer.kind):
        wanted = (_kind(match.peer.kind), str(match.peer.id or ""))
        candidates = _peer_ids(inbound)
        if not any(
            (not wanted[0] or wanted[0] == kind) and wanted[1] == pid for kind, pid in candidates
        ):
            return None
        return "peer"
    if match.guild_id:
        return "guild"
    if match.team_id:
        return "team"
    if match.account_id and match.account_id != "*":
        return "account"
    return "channel"


def session_key(agent_id: str, inbound: InboundMessage, dm_scope: str | None = None) -> str:
    scope = dm_scope or current().session.dm_scope
    if inbound.chat_kind == "dm":
        return sessionkeys.dm(
            agent_id, inbound.channel, inbound.sender_id, scope, inbound.account_id
        )
    return sessionkeys.chat(
        agent_id, inbound.channel, inbound.chat_kind, inbound.chat_id, inbound.thread_id
    )


def resolve_route(inbound: InboundMessage) -> Route:
    best: tuple[int, int, Binding] | None = None  # (tier rank, index, binding)
    for index, binding in enumerate(current().bindings):
        tier = binding_tier(binding, inbound)
        if tier is None:
            continue
        rank = TIERS.index(tier)
        if best is None or rank < best[0]:
            best = (rank, index, binding)
    if best is None:
        agent_id = agentconf.default_agent_id()
        return Route(agent_id, session_key(agent_id, inbound), "default")
    rank, index, binding = best
    agent_id = str(binding.agent_id)
    warning = ""
    if not agentconf.known(agent_id):
        fallback = agentconf.default_agent_id()
        warning = (
            f"bindings[{index}] names agent {agent_id!r}, which is not in agents.list; "
            f"using the default agent {fallback!r}"
        )
        if (index, agent_id) not in _warned:  # once per binding, not per message
            _warned.add((index, agent_id))
            log.warning(warning)
        agent_id = fallback
    return Route(agent_id, session_key(agent_id, inbound), TIERS[rank], index, warning)
