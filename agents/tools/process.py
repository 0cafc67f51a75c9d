"""Running one shell command for a tool: its own process group, a scrubbed environment, a
deadline after which the whole group dies, and output kept to a bounded size."""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import os
import signal
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

READ_CHUNK = 64 * 1024
TERM_GRACE_S = 2.0  # between SIGTERM and SIGKILL
DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin"


@dataclass(frozen=True)
class Completed:
    output: str  # stdout and stderr interleaved, at most `max_chars`
    exit_code: int | None  # None when killed at the deadline
    timed_out: bool
    total_chars: int  # before the cap

    @property
    def truncated(self) -> bool:
        return self.total_chars > len(self.output)


def scrubbed_env(home: Path | str, parent: Mapping[str, str] | None = None) -> dict[str, str]:
    """A minimal environment for a child process (exec's commands, MCP servers), built from
    an allowlist rather than by removing known secrets: the gateway's environment holds API
    keys, bot tokens and DATABASE_URL, and a child (or whatever it downloads) must see none
    of them."""
    source = os.environ if parent is None else parent
    return {
        "PATH": source.get("PATH") or DEFAULT_PATH,
        "HOME": str(home),
        "LANG": source.get("LANG") or "C.UTF-8",
        "TERM": "dumb",
    }


async def run_shell(
    command: str,
    *,
    cwd: Path,
    env: dict[str, str],
    timeout: float,
    max_chars: int,
) -> Completed:
    proc = await asyncio.create_subprocess_shell(
        command,
        cwd=str(cwd),
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        # Its own session and process group: the deadline can kill everything it started.
        start_new_session=True,
    )
    collected = _Collector(max_chars)
    timed_out = False
    try:
        await asyncio.wait_for(_drain(proc, collected), timeout)
    except TimeoutError:
        timed_out = True
    finally:
        # Also after a normal exit: a background child (`cmd &`) must not outlive the call.
        await kill_group(proc)
    return Completed(
        output=collected.text(),
        exit_code=None if timed_out else proc.returncode,
        timed_out=timed_out,
        total_chars=collected.total,
    )


async def _drain(proc: asyncio.subprocess.Process, collected: _Collector) -> None:
    assert proc.stdout is not None
    while chunk := await proc.stdout.read(READ_CHUNK):
        collected.add(chunk)
    await proc.wait()


async def kill_group(proc: asyncio.subprocess.Process) -> None:
    """SIGTERM the process group, SIGKILL what is left after a grace period, reap the shell."""
    pgid = proc.pid  # start_new_session: the shell leads its own group
    if not _signal_group(pgid, signal.SIGTERM):
        await _reap(proc)
        return
    await _wait_gone(pgid, TERM_GRACE_S)
    if _signal_group(pgid, signal.SIGKILL):
        # Back only once nothing runs: "killed" must mean gone, not dying.
        await _wait_gone(pgid, TERM_GRACE_S)
    await _reap(proc)


async def _wait_gone(pgid: int, limit: float) -> None:
    deadline = asyncio.get_running_loop().time() + limit
    while _group_alive(pgid) and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.02)


async def _reap(proc: asyncio.subprocess.Process) -> None:
    with contextlib.suppress(ProcessLookupError):
        await asyncio.wait_for(proc.wait(), TERM_GRACE_S)


def _signal_group(pgid: int, sig: signal.Signals) -> bool:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def _group_alive(pgid: int) -> bool:
    """Does a process of the group still run? Zombies do not count: the shell is reaped by
    asyncio, orphans by init, and an init that never reaps (some containers) must not make
    every call wait out the grace period."""
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    try:
        entries = os.listdir("/proc")
    except OSError:
        return True  # no /proc: trust killpg
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        # After the command name: state, ppid, pgrp.
        if len(fields) > 2 and fields[0] != b"Z" and int(fields[2]) == pgid:
            return True
    return False


class _Collector:
    """Decodes output as it comes (UTF-8, bad bytes replaced) and keeps the first
    `max_chars` characters, counting the rest so the note can say how much was cut."""

    def __init__(self, max_chars: int) -> None:
        self.max_chars = max(0, max_chars)
        self.total = 0
        self._parts: list[str] = []
        self._kept = 0
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def add(self, chunk: bytes) -> None:
        self._keep(self._decoder.decode(chunk))

    def text(self) -> str:
        self._keep(self._decoder.decode(b"", final=True))
        return "".join(self._parts)

    def _keep(self, text: str) -> None:
        self.total += len(text)
        room = self.max_chars - self._kept
        if room > 0 and text:
            piece = text[:room]
            self._parts.append(piece)
            self._kept += len(piece)
