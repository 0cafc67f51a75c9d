"""Whether `exec` may run a command: `tools.exec.security` and `tools.exec.ask`, the
allowlist, and the executables an approver allowed "always" (in memory, per agent).

security "deny" refuses everything; "allowlist" runs a command whose executable is listed
and otherwise asks (ask "on-miss") or refuses (ask "off"); "full" runs anything. ask
"always" asks for every command that is not refused.
"""

from __future__ import annotations

import fnmatch
import os
import re
import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from config.schema_tools import ExecConfig

# A command that chains, pipes, redirects or substitutes runs more than its first word, so
# it never counts as an allowlist hit (`ls; rm -rf ~` is not `ls`).
SHELL_SYNTAX = re.compile(r"[;&|<>`\n\r]|\$\(")

# agent id -> executables approved "always" since the gateway started.
_REMEMBERED: dict[str, set[str]] = {}


@dataclass(frozen=True)
class Verdict:
    action: Literal["run", "ask", "refuse"]
    executable: str | None  # allowlist key of the command (None: shell syntax, unparsable)
    reason: str = ""  # the refusal, one line


def executable_of(command: str, cwd: Path, path: str) -> str | None:
    """The allowlist key of `command`'s executable: its bare name when the first word is a
    program found on PATH, else its absolute path. None when the command uses shell syntax
    or cannot be split. A path (`./ls`) never matches a bare entry (`ls`): the agent can
    write files named like allowed programs into its workspace."""
    if SHELL_SYNTAX.search(command):
        return None
    try:
        words = shlex.split(command)
    except ValueError:
        return None
    if not words:
        return None
    first = words[0]
    if "/" not in first:
        return first if shutil.which(first, path=path) else None
    return os.path.normpath(os.path.join(cwd, os.path.expanduser(first)))


def allowed_by(key: str, entries: list[str] | set[str], path: str) -> bool:
    """Is `key` matched by one of `entries` (bare names, absolute paths or path globs)?"""
    resolved = key if key.startswith("/") else shutil.which(key, path=path)
    for entry in entries:
        entry = entry.strip()
        if not entry:
            continue
        if "/" not in entry:
            if entry == key:
                return True
        elif resolved and fnmatch.fnmatchcase(resolved, os.path.expanduser(entry)):
            return True
    return False


def judge(command: str, cfg: ExecConfig, agent_id: str, cwd: Path, path: str) -> Verdict:
    if cfg.security == "deny":
        return Verdict("refuse", None, 'exec refused: tools.exec.security is "deny"')
    key = executable_of(command, cwd, path)
    if cfg.ask == "always":
        return Verdict("ask", key)
    if cfg.security == "full":
        return Verdict("run", key)
    if key is not None and (
        allowed_by(key, cfg.allowlist, path) or allowed_by(key, remembered(agent_id), path)
    ):
        return Verdict("run", key)
    if cfg.ask == "on-miss":
        return Verdict("ask", key)
    return Verdict("refuse", key, _miss(command, key))


def _miss(command: str, key: str | None) -> str:
    if key is None:
        what = "a command with shell operators (; & | < > ` $( ) or an unknown program"
        return f'exec refused: {what} is not an allowlist match and tools.exec.ask is "off"'
    return f'exec refused: {key} is not in tools.exec.allowlist and tools.exec.ask is "off"'


def remember(agent_id: str, key: str) -> None:
    """An "approve-always" answer: `key` runs without asking for this agent until restart."""
    _REMEMBERED.setdefault(agent_id, set()).add(key)


def remembered(agent_id: str) -> set[str]:
    return set(_REMEMBERED.get(agent_id, ()))


def forget_all() -> None:
    """Tests: start from an empty in-memory allowlist."""
    _REMEMBERED.clear()
