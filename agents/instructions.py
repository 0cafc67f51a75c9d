"""An agent's system prompt: identity, its tools, its workspace instruction files and the
channel rule's `systemPrompt` (the stable part, cached by providers), then where and when it
is talking (`context`, the part that changes every turn). Files are re-read only when they
change (mtime and size)."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from datetime import datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from agents.agentconf import AgentInfo

log = logging.getLogger("epiloop.agent")

FILES = ("AGENTS.md", "SOUL.md", "IDENTITY.md", "USER.md")
MAX_FILE_CHARS = 20_000
MAX_TOTAL_CHARS = 60_000

STAT_EVERY = 1.0  # seconds: an edit shows up within a second, without a stat per turn

_cache: dict[Path, tuple[int, int, str]] = {}
_checked: dict[Path, tuple[float, str]] = {}


def read_file(path: Path) -> str:
    """The file's text, bounded; empty when absent or unreadable."""
    now = time.monotonic()
    recent = _checked.get(path)
    if recent is not None and now - recent[0] < STAT_EVERY:
        return recent[1]
    text = _read(path)
    _checked[path] = (now, text)
    return text


def _read(path: Path) -> str:
    try:
        stat = path.stat()
    except OSError:
        _cache.pop(path, None)
        return ""
    hit = _cache.get(path)
    if hit is not None and hit[0] == stat.st_mtime_ns and hit[1] == stat.st_size:
        return hit[2]
    try:
        text = path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError as exc:
        log.warning("cannot read %s: %s", path, exc.strerror)
        return ""
    if len(text) > MAX_FILE_CHARS:
        log.info("%s is %d characters; using the first %d", path, len(text), MAX_FILE_CHARS)
        text = text[:MAX_FILE_CHARS] + "\n[... truncated]"
    _cache[path] = (stat.st_mtime_ns, stat.st_size, text)
    return text


def _identity(agent: AgentInfo) -> str:
    name = agent.name if agent.entry is not None else "the personal assistant"
    emoji = f" {agent.emoji}" if agent.emoji else ""
    return (
        f"You are {name}{emoji}, an AI agent run by Epiloop, a self-hosted gateway that "
        "connects you to your owner's chats. Answer in the language you are addressed in; "
        "keep chat replies short unless asked for detail; use Markdown sparingly."
    )


def _tools(tools: Sequence[tuple[str, str]]) -> str:
    lines = [f"- {name}: {' '.join(hint.split())}" for name, hint in tools]
    return (
        "## Tools\n\nCall a tool when it helps; when a tool fails, read its error and fix the "
        "call or say what went wrong. Do not invent results. Paths are relative to your "
        "workspace.\n\n" + "\n".join(lines)
    )


def system_prompt(
    agent: AgentInfo, channel_prompt: str = "", tools: Sequence[tuple[str, str]] = ()
) -> str:
    """The stable part: the same from turn to turn while config and files are unchanged."""
    parts: list[str] = [_identity(agent)]
    if tools:
        parts.append(_tools(tools))
        parts.append(f"Your workspace: {agent.workspace}")
    total = 0
    for name in FILES:
        text = read_file(agent.workspace / name)
        if not text:
            continue
        if total + len(text) > MAX_TOTAL_CHARS:
            text = text[: max(0, MAX_TOTAL_CHARS - total)]
            if not text:
                break
        total += len(text)
        parts.append(f"## {name}\n\n{text}")
    if channel_prompt.strip():
        parts.append(channel_prompt.strip())
    return "\n\n".join(parts)


def user_zone(name: str | None) -> tzinfo:
    """`agents.defaults.userTimezone`, else the server's local zone."""
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            log.warning("agents.defaults.userTimezone %r is not a known time zone", name)
    return datetime.now().astimezone().tzinfo or ZoneInfo("UTC")


CHAT_KINDS = {"dm": "a direct message", "group": "a group chat", "channel": "a channel"}


def context(
    *,
    channel: str,
    chat_kind: str = "",
    sender_name: str = "",
    owner: bool = True,
    zone: tzinfo | None = None,
    now: datetime | None = None,
) -> str:
    """The per-turn part: the time in the user's zone and who is talking, where."""
    moment = (now or datetime.now(zone)).astimezone(zone)
    when = moment.strftime("%A %Y-%m-%d %H:%M") + f" ({moment.tzname() or 'local time'})"
    if channel == "agent":
        where = "Another of your own sessions is writing to you (sessions_send)."
    elif channel in ("webchat", "cli", "openai"):
        where = f"Your operator is talking to you through Epiloop ({channel})."
    else:
        kind = CHAT_KINDS.get(chat_kind, "a chat")
        who = f"{sender_name} " if sender_name else "Someone "
        role = "one of your owners" if owner else "not one of your owners"
        where = f"{who}({role}) is writing to you on {channel.capitalize()}, in {kind}."
    return f"## Now\n\nCurrent time: {when}.\n{where}"


def file_path(agent: AgentInfo, name: str) -> Path:
    if name not in FILES:
        raise ValueError(f"{name} is not an instruction file ({', '.join(FILES)})")
    return agent.workspace / name


def write_file(agent: AgentInfo, name: str, text: str) -> Path:
    """Save an instruction file from the admin (an empty text removes the file)."""
    path = file_path(agent, name)
    if not text.strip():
        path.unlink(missing_ok=True)
        _checked.pop(path, None)
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{name}.tmp")
    tmp.write_text(text.replace("\r\n", "\n"), encoding="utf-8")
    tmp.replace(path)
    _checked.pop(path, None)
    return path
