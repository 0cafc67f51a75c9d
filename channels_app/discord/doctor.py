"""What `doctor` checks about Discord (through `channels_app.registry`)."""

from __future__ import annotations

from channels_app.discord import options
from channels_app.discord.schema import section
from channels_app.schema import id_list
from config.jsontypes import JsonObject
from config.schema import EpiloopConfig


def token_problem(cfg: EpiloopConfig) -> str | None:
    """Why an enabled Discord cannot start for want of a token, or None."""
    if section(cfg) is None or not options.enabled(cfg) or options.resolve_token(cfg)[0]:
        return None
    return "channels.discord has no token and DISCORD_BOT_TOKEN is unset"


def dms_open(cfg: EpiloopConfig) -> bool:
    """Whether anyone at all may DM the bot."""
    dc = section(cfg)
    if dc is None or not dc.enabled or (dc.dm is not None and not dc.dm.enabled):
        return False
    return dc.effective_dm_policy == "open"


def open_dm_keys(raw: JsonObject) -> list[str]:
    """The key of an `open` DM policy whose allowFrom lacks "*", in the section as written
    (read from the raw file, so it is found even though the schema refuses the file)."""
    nested = raw.get("dm")
    dm: JsonObject = nested if isinstance(nested, dict) else {}
    if raw.get("dmPolicy") is not None:
        policy, key = raw["dmPolicy"], "dmPolicy"
    else:
        policy, key = dm.get("policy"), "dm.policy"
    flat = raw.get("allowFrom")
    allow = id_list(flat if flat is not None else dm.get("allowFrom"))
    return [key] if policy == "open" and "*" not in allow else []
