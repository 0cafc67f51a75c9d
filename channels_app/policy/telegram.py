"""Telegram access rules (DESIGN §9, issue 5 point 3).

Order: the bot's own messages (quiet), other bots, DMs (`policy.dm`: `dmPolicy` pairing by
default, `allowFrom` with numeric ids or `@username`), then groups: `groupPolicy` (default
`allowlist`: the group is listed in `groups` or the sender is in `groupAllowFrom`), the
group rule (`groups.<chatId>`, else `groups."*"`) with `enabled` and `allowFrom`, and
`requireMention` (group, then `*`, then true).

Telegram display names are not unique (anyone can call themselves "alice"), so allowlist
entries are compared with the numeric id and the @username only.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from agents.inbound import InboundMessage
from channels_app.policy import Decision
from channels_app.policy.dm import PairingStore, decide_dm, sender_matches
from channels_app.policy.mention import is_mentioned, mention_patterns


def _section(config: Any) -> Any:
    from channels_app.telegram.options import section

    return section(config)


def _extra(model: Any, key: str) -> Any:
    return (getattr(model, "model_extra", None) or {}).get(key)


def _dm_settings(tg: Any) -> tuple[str, list[str], bool]:
    """(policy, allowFrom, enabled); the flat keys win over the older nested `dm` block."""
    nested = _extra(tg, "dm") or {}
    if not isinstance(nested, dict):
        nested = {}
    fields = tg.model_fields_set
    policy = tg.dm_policy if "dm_policy" in fields else nested.get("policy") or tg.dm_policy
    allow = tg.allow_from if "allow_from" in fields else nested.get("allowFrom") or []
    enabled = nested.get("enabled") is not False
    return str(policy), [str(a) for a in allow], enabled


def match_group(groups: dict[str, Any], chat_id: str) -> tuple[str, Any] | None:
    if chat_id in groups:
        return chat_id, groups[chat_id]
    if "*" in groups:
        return "*", groups["*"]
    return None


def _first(*values: Any, default: Any) -> Any:
    for value in values:
        if value is not None:
            return value
    return default


def decide(inbound: InboundMessage, config: Any, store: PairingStore) -> Decision:
    if inbound.sender_is_self:
        return Decision.drop("own message", quiet=True)
    if inbound.sender_is_bot:
        return Decision.drop("message from a bot")
    tg = _section(config)
    by_id = dataclasses.replace(inbound, sender_name="")
    if inbound.chat_kind == "dm":
        policy, allow_from, enabled = _dm_settings(tg)
        return decide_dm(by_id, policy=policy, allow_from=allow_from, store=store, enabled=enabled)

    if tg.group_policy == "disabled":
        return Decision.drop("groups are disabled (groupPolicy disabled)")
    groups: dict[str, Any] = tg.groups or {}
    found = match_group(groups, inbound.chat_id)
    key, rule = found if found else ("", None)
    star = groups.get("*")
    if rule is not None and rule.enabled is False:
        return Decision.drop(f"group {key} is disabled (groups.{key}.enabled false)")
    if (
        tg.group_policy == "allowlist"
        and rule is None
        and not sender_matches(by_id, tg.group_allow_from)
    ):
        return Decision.drop("group not allowlisted (not in groups, sender not in groupAllowFrom)")
    if rule is not None and rule.allow_from and not sender_matches(by_id, rule.allow_from):
        return Decision.drop(f"sender not in groups.{key}.allowFrom")
    require = _first(
        getattr(rule, "require_mention", None),
        getattr(star, "require_mention", None),
        _extra(tg, "requireMention"),
        default=True,
    )
    if require and not is_mentioned(inbound, mention_patterns(config, tg)):
        return Decision.drop("no mention (requireMention)")
    prompt = _first(
        getattr(rule, "system_prompt", None), getattr(star, "system_prompt", None), default=""
    )
    return Decision.allow(system_prompt=str(prompt), reason=f"group {key or 'allowed'}")
