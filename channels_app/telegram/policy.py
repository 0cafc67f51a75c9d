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

from agents.inbound import InboundMessage
from channels_app.policy import Decision
from channels_app.policy.dm import PairingStore, decide_dm, sender_matches
from channels_app.policy.mention import is_mentioned, mention_patterns
from channels_app.telegram.options import section
from channels_app.telegram.schema import TelegramConfig, TelegramGroup
from config.schema import EpiloopConfig


def _dm_settings(tg: TelegramConfig) -> tuple[str, list[str]]:
    """(policy, allowFrom); the schema reads the older nested `dm.policy` and
    `dm.allowFrom` as `dmPolicy` and `allowFrom`."""
    return tg.dm_policy, [str(a) for a in tg.allow_from]


def match_group(groups: dict[str, TelegramGroup], chat_id: str) -> tuple[str, TelegramGroup] | None:
    if chat_id in groups:
        return chat_id, groups[chat_id]
    if "*" in groups:
        return "*", groups["*"]
    return None


def _first(*values: object, default: object) -> object:
    for value in values:
        if value is not None:
            return value
    return default


def decide(inbound: InboundMessage, config: EpiloopConfig, store: PairingStore) -> Decision:
    if inbound.sender_is_self:
        return Decision.drop("own message", quiet=True)
    if inbound.sender_is_bot:
        return Decision.drop("message from a bot")
    tg = section(config)
    by_id = dataclasses.replace(inbound, sender_name="")
    if inbound.chat_kind == "dm":
        policy, allow_from = _dm_settings(tg)
        enabled = tg.dm.enabled if tg.dm is not None else True  # the older nested `dm` block
        return decide_dm(by_id, policy=policy, allow_from=allow_from, store=store, enabled=enabled)

    if tg.group_policy == "disabled":
        return Decision.drop("groups are disabled (groupPolicy disabled)")
    groups = tg.groups or {}
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
        rule.require_mention if rule is not None else None,
        star.require_mention if star is not None else None,
        (tg.model_extra or {}).get("requireMention"),
        default=True,
    )
    if require and not is_mentioned(inbound, mention_patterns(config, tg)):
        return Decision.drop("no mention (requireMention)")
    prompt = _first(
        rule.system_prompt if rule is not None else None,
        star.system_prompt if star is not None else None,
        default="",
    )
    return Decision.allow(system_prompt=str(prompt), reason=f"group {key or 'allowed'}")
