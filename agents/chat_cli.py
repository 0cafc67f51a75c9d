"""`manage.py chat`: one agent turn from the terminal, through `agents.service.run_turn`."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TextIO

from agents import agentconf, sessionkeys
from agents.service import TurnResult, drain, run_turn


def load_config(path: Path) -> list[str]:
    """Apply epiloop.json for this process (read-only); the problems when it is invalid."""
    from config.io import load_file
    from config.runtime import set_current

    result = load_file(path)
    if result.missing:
        return []  # built-in defaults
    if not result.ok or result.config is None:
        return result.errors
    set_current(result.config)
    return []


def session_key(agent_id: str, session: str | None) -> str:
    return sessionkeys.qualify((session or sessionkeys.MAIN).strip(), agent_id)


class Printer:
    """Writes only the new part of each whole-text-so-far delta."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.shown = ""

    def __call__(self, text: str) -> None:
        if text.startswith(self.shown):
            self.out.write(text[len(self.shown) :])
        else:
            self.out.write("\n" + text)
        self.shown = text
        self.out.flush()


async def chat(agent_id: str | None, session: str | None, message: str, out: TextIO) -> TurnResult:
    from agents.providers.clients import close_all

    agent = agent_id or agentconf.default_agent_id()
    printer = Printer(out)
    try:
        result = await run_turn(
            agent, session_key(agent, session), message, on_delta=printer, abort=None, channel="cli"
        )
        if not printer.shown:
            out.write(result.text)
        elif result.text != printer.shown and result.text.startswith(printer.shown):
            out.write(result.text[len(printer.shown) :])
        out.write("\n")
        await drain()
    finally:
        await close_all()
    return result


def run(agent_id: str | None, session: str | None, message: str) -> int:
    result = asyncio.run(chat(agent_id, session, message, sys.stdout))
    return 0 if result.ok else 1
