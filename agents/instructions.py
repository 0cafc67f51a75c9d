"""An agent's system prompt: identity, its workspace instruction files and the channel
rule's `systemPrompt`. Files are re-read only when they change (mtime and size)."""

from __future__ import annotations

import logging
import time
from pathlib import Path

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


def system_prompt(agent: AgentInfo, channel_prompt: str = "") -> str:
    parts: list[str] = []
    if agent.entry is not None and (agent.name != agent.id or agent.emoji):
        parts.append(f"You are {agent.name}{' ' + agent.emoji if agent.emoji else ''}.")
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
