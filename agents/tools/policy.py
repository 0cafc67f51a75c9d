"""Which tools a turn may offer the model (OpenClaw's rules, DESIGN §8).

A profile is the base allowlist (`full` or unset: no restriction); `allow` adds names to a
profile (without a profile it is the whole allowlist); `deny` removes names and always
wins. Entries are tool names, `*` wildcards or `group:<name>`, matched case-insensitively.
An agent's `tools.profile` and `tools.allow` replace the global ones; its `deny` adds.

Who gets what: the operator (protocol, Control UI, `manage.py chat`, the OpenAI-compatible
endpoint) and the agent's `owners` get the agent's policy. Every other channel sender gets
`tools.guestProfile` (default `messaging`) and, within it, only what the agent's policy
allows too — so a stranger in an allowlisted channel never reaches files or commands.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from config.schema import AgentEntry, EpiloopConfig

PROFILES: dict[str, tuple[str, ...] | None] = {
    "minimal": ("session_status",),
    "coding": ("group:fs", "group:runtime", "group:sessions", "group:memory", "image"),
    "messaging": (
        "group:messaging",
        "sessions_list",
        "sessions_history",
        "sessions_send",
        "session_status",
    ),
    "full": None,
}
GUEST_PROFILE = "messaging"
BUILTIN_GROUP = "openclaw"  # `group:openclaw`: every built-in tool, as in OpenClaw


@lru_cache(maxsize=512)
def _pattern(entry: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(p) for p in entry.strip().lower().split("*")))


def matches(entry: str, name: str, group: str, builtin: bool = False) -> bool:
    """Does one allow/deny entry name this tool?"""
    entry = entry.strip().lower()
    if entry.startswith("group:"):
        wanted = entry[len("group:") :]
        if builtin and wanted == BUILTIN_GROUP:
            return True
        return bool(group) and _pattern(wanted).fullmatch(group.lower()) is not None
    return _pattern(entry).fullmatch(name.lower()) is not None


def _any(entries: Iterable[str], name: str, group: str, builtin: bool) -> bool:
    return any(matches(e, name, group, builtin) for e in entries)


@dataclass(frozen=True)
class Policy:
    profile: str | None = None
    allow: tuple[str, ...] | None = None
    deny: tuple[str, ...] = ()

    def permits(self, name: str, group: str, builtin: bool = True) -> bool:
        if _any(self.deny, name, group, builtin):
            return False
        base = PROFILES.get(self.profile or "full")
        if base is None:  # full: the allowlist, if any, is the whole restriction
            return self.allow is None or _any(self.allow, name, group, builtin)
        if _any(base, name, group, builtin):
            return True
        return self.allow is not None and _any(self.allow, name, group, builtin)


@dataclass(frozen=True)
class Grant:
    """The policies a turn's tools must all pass (one for owners, two for guests)."""

    policies: tuple[Policy, ...]

    def permits(self, name: str, group: str, builtin: bool = True) -> bool:
        return all(p.permits(name, group, builtin) for p in self.policies)


def _entry(cfg: EpiloopConfig, agent_id: str) -> AgentEntry | None:
    for entry in cfg.agents.list:
        if str(entry.id) == agent_id:
            return entry
    return None


def agent_policy(cfg: EpiloopConfig, agent_id: str) -> Policy:
    glob = cfg.tools
    own = _entry(cfg, agent_id)
    mine = own.tools if own is not None else None
    profile = (mine.profile if mine is not None else None) or glob.profile
    allow = mine.allow if mine is not None and mine.allow is not None else glob.allow
    deny = [*glob.deny, *(mine.deny if mine is not None else [])]
    return Policy(profile, tuple(allow) if allow is not None else None, tuple(deny))


def is_owner(cfg: EpiloopConfig, agent_id: str, channel: str, sender_id: str) -> bool:
    """Is this channel sender listed in the agent's `owners` (`"discord:123"` or `"123"`)?"""
    own = _entry(cfg, agent_id)
    if own is None or not sender_id:
        return False
    for item in own.owners:
        who = str(item).strip()
        kind, sep, ident = who.rpartition(":")
        if sep and kind.lower() == channel.lower() and ident == sender_id:
            return True
        if not sep and who == sender_id:
            return True
    return False


def grant(cfg: EpiloopConfig, agent_id: str, *, owner: bool) -> Grant:
    mine = agent_policy(cfg, agent_id)
    if owner:
        return Grant((mine,))
    guest = Policy(cfg.tools.guest_profile or GUEST_PROFILE)
    return Grant((guest, mine))
