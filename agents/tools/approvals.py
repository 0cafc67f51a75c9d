"""The approvals broker: a tool that needs a human's yes waits here until someone answers.

`ask(request)` registers a pending approval under a short id and waits for `resolve(id,
decision, by)` from whoever may answer (the gateway's `exec.approval.resolve`, the Control
UI's card, an owner's `/approve ID` in a chat). With no answer in time the decision is
"deny". Listeners are told about every request and every resolution; the gateway subscribes
at start-up to turn them into protocol events (agents never import the gateway, so it is a
callback list). State is in memory: a restart forgets pending approvals, and their tools
are then long gone too.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import string
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from agents.tools.base import ApprovalRequest, Decision

log = logging.getLogger("epiloop.approvals")

DEFAULT_TIMEOUT_S = 120.0
ID_ALPHABET = string.ascii_lowercase + string.digits
ID_LENGTH = 6
# Accepted spellings of a decision: ours, then OpenClaw's protocol names.
DECISIONS: dict[str, Decision] = {
    "approve-once": "approve-once",
    "approve-always": "approve-always",
    "deny": "deny",
    "allow-once": "approve-once",
    "allow-always": "approve-always",
}


@dataclass
class Pending:
    id: str
    request: ApprovalRequest
    created_at_ms: int
    expires_at_ms: int
    future: asyncio.Future[Answer] = field(repr=False)


@dataclass(frozen=True)
class Answer:
    decision: Decision
    by: str  # who answered ("timeout" when nobody did)
    timed_out: bool = False


@dataclass(frozen=True)
class Change:
    kind: Literal["requested", "resolved"]
    pending: Pending
    answer: Answer | None = None  # set when kind == "resolved"


Listener = Callable[[Change], None]


def parse_decision(value: object) -> Decision | None:
    """Our spelling or OpenClaw's ("allow-once", "allow-always", "deny"), else None."""
    return DECISIONS.get(str(value).strip().lower()) if isinstance(value, str) else None


class Broker:
    def __init__(self) -> None:
        self._pending: dict[str, Pending] = {}
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener` on every request and resolution; returns the unsubscribe."""
        if listener not in self._listeners:
            self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def pending(self) -> list[Pending]:
        return sorted(self._pending.values(), key=lambda p: p.created_at_ms)

    def get(self, approval_id: str) -> Pending | None:
        return self._pending.get(approval_id.strip().lower())

    def open(self, request: ApprovalRequest, timeout: float) -> Pending:
        """Register a request and announce it; `wait` for its answer."""
        now = int(time.time() * 1000)
        pending = Pending(
            id=self._new_id(),
            request=request,
            created_at_ms=now,
            expires_at_ms=now + int(timeout * 1000),
            future=asyncio.get_running_loop().create_future(),
        )
        self._pending[pending.id] = pending
        self._tell(Change("requested", pending))
        return pending

    async def wait(self, pending: Pending, timeout: float) -> Answer:
        try:
            # shield: a timeout must not cancel the future a late resolve() may still look at.
            return await asyncio.wait_for(asyncio.shield(pending.future), timeout)
        except TimeoutError:
            self._finish(pending, Answer("deny", "timeout", timed_out=True))
            return pending.future.result()
        except asyncio.CancelledError:
            # The asking tool was aborted: nobody is waiting any more.
            self._finish(pending, Answer("deny", "cancelled", timed_out=False))
            raise

    async def ask_detailed(self, request: ApprovalRequest, timeout: float) -> Answer:
        pending = self.open(request, timeout)
        return await self.wait(pending, timeout)

    async def ask(self, request: ApprovalRequest, timeout: float = DEFAULT_TIMEOUT_S) -> Decision:
        return (await self.ask_detailed(request, timeout)).decision

    def resolve(self, approval_id: str, decision: Decision, by: str) -> Pending | None:
        """Answer a pending approval; None when the id is unknown or already answered."""
        pending = self.get(approval_id)
        if pending is None or pending.future.done():
            return None
        self._finish(pending, Answer(decision, by))
        return pending

    def _finish(self, pending: Pending, answer: Answer) -> None:
        if self._pending.pop(pending.id, None) is None:
            return
        if not pending.future.done():
            pending.future.set_result(answer)
        log.info(
            "approval %s (%s: %s) -> %s by %s",
            pending.id,
            pending.request.tool,
            pending.request.summary[:80],
            answer.decision,
            answer.by,
        )
        self._tell(Change("resolved", pending, answer))

    def _tell(self, change: Change) -> None:
        for listener in list(self._listeners):
            try:
                listener(change)
            except Exception:
                # One broken listener must not leave a tool waiting or lose the others.
                log.exception("approval listener failed")

    def _new_id(self) -> str:
        while True:
            candidate = "".join(secrets.choice(ID_ALPHABET) for _ in range(ID_LENGTH))
            if candidate not in self._pending:
                return candidate


BROKER = Broker()


async def ask(request: ApprovalRequest, timeout: float = DEFAULT_TIMEOUT_S) -> Decision:
    """An `AskApproval` (with an optional timeout) backed by the process-wide broker."""
    return await BROKER.ask(request, timeout)


def resolve(approval_id: str, decision: Decision, by: str) -> Pending | None:
    return BROKER.resolve(approval_id, decision, by)
