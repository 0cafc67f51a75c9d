"""What `doctor` checks about Telegram (through `channels_app.registry`)."""

from __future__ import annotations

from channels_app.schema import id_list
from channels_app.telegram import options
from channels_app.telegram.schema import section
from config.jsontypes import JsonObject
from config.schema import EpiloopConfig


def token_problem(cfg: EpiloopConfig) -> str | None:
    """Why an enabled Telegram cannot start for want of a token, or None."""
    tg = section(cfg)
    if tg is None or not tg.enabled:
        return None
    try:
        token = options.resolve_token(tg)[0]
    except options.OptionsError as exc:
        return str(exc)
    if token:
        return None
    return "channels.telegram has no botToken or tokenFile and TELEGRAM_BOT_TOKEN is unset"


def dms_open(cfg: EpiloopConfig) -> bool:
    tg = section(cfg)
    if tg is None or not tg.enabled or (tg.dm is not None and not tg.dm.enabled):
        return False
    return tg.dm_policy == "open"


def open_dm_keys(raw: JsonObject) -> list[str]:
    """`dmPolicy` when it is `open` and allowFrom lacks "*", in the section as written."""
    if raw.get("dmPolicy") == "open" and "*" not in id_list(raw.get("allowFrom")):
        return ["dmPolicy"]
    return []
