"""Checks of the config file itself: valid (E001), present (E002), open DMs without "*"
(E009), unknown keys (W001), the loader's other notes (W002), and `session.dmScope` `main`
while strangers may DM the bot (W003)."""

from __future__ import annotations

from typing import Any

from config.schema import EpiloopConfig
from gateway.doctor.base import Context, Finding

UNKNOWN_KEY = ": unknown key, kept as written"


def check_config(ctx: Context) -> list[Finding]:
    """E002 missing file; E001 one finding per problem (the open-DM one is E009's)."""
    if ctx.load.missing:
        return [
            Finding(
                "epiloop.E002",
                f"no config file at {ctx.config_path}",
                "start once with `rungateway --allow-unconfigured` (writes a minimal one) "
                "or import one with `importconfig PATH`",
            )
        ]
    own = set(open_dm_paths(ctx.load.document))
    name = ctx.config_path.name
    return [
        Finding(
            "epiloop.E001",
            f"{name}: {problem}" if problem.startswith("line ") else problem,
            "fix it in the file; the gateway runs on its last valid config until then, and "
            "the checks that need a valid config are skipped",
        )
        for problem in ctx.load.errors
        if problem.split(": ", 1)[0] not in own
    ]


def check_config_notes(ctx: Context) -> list[Finding]:
    """W001 unknown keys (kept), W002 the loader's other notes (duplicates, look-alikes)."""
    found = []
    for note in ctx.load.warnings:
        if note.endswith(UNKNOWN_KEY):
            path = note.removesuffix(UNKNOWN_KEY)
            found.append(
                Finding(
                    "epiloop.W001",
                    f"{path}: unknown key, kept as written (Epiloop does not use it)",
                    "nothing to do if another tool reads it; otherwise check its spelling",
                )
            )
        else:
            found.append(Finding("epiloop.W002", note, "edit the file as the note says"))
    return found


def open_dm_paths(document: Any) -> list[str]:
    """Paths of each `open` DM policy whose allowFrom lacks "*" (read from the raw file, so
    it is found even though the schema refuses the whole file for it)."""
    from channels_app import registry

    channels = document.get("channels") if isinstance(document, dict) else None
    if not isinstance(channels, dict):
        return []
    found = []
    for name in registry.names():
        raw = channels.get(name)
        if isinstance(raw, dict):
            keys = registry.platform(name).open_dm_keys(raw)
            found += [f"channels.{name}.{key}" for key in keys]
    return found


def check_open_dm(ctx: Context) -> list[Finding]:
    return [
        Finding(
            "epiloop.E009",
            f'{path} is "open" but allowFrom has no "*": the file is refused until this is settled',
            'add "*" to allowFrom to let anyone message the bot, or use "pairing" or "allowlist"',
        )
        for path in open_dm_paths(ctx.load.document)
    ]


def open_dm_channels(config: EpiloopConfig) -> list[str]:
    """Enabled channels whose DMs anyone may send."""
    from channels_app import registry

    return [name for name in registry.names() if registry.platform(name).dms_open(config)]


def check_dm_scope(ctx: Context) -> list[Finding]:
    cfg = ctx.config
    if cfg is None or cfg.session.dm_scope != "main":
        return []
    channels = open_dm_channels(cfg)
    if not channels:
        return []
    return [
        Finding(
            "epiloop.W003",
            f'session.dmScope is "main" while {" and ".join(channels)} DMs are open to '
            "anyone: every stranger's DM joins your main session and sees its history",
            'set session.dmScope to "per-channel-peer" (the default) to give each sender '
            "their own session",
        )
    ]
