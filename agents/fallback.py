"""Calling an agent's models in order with fallbacks and cooldowns (DESIGN §8).

Rate limits, overload, server errors, timeouts, connection failures, auth and billing
errors move to the next candidate; invalid requests and too-long conversations do not;
once text has streamed there is no fallback. A failing (provider, key, model) cools down
1 min, 5 min, 25 min, then 1 h; when every candidate is cooling the least recently failed
one is tried anyway.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from asgiref.sync import sync_to_async

from agents import keys
from agents.agentconf import ModelRef, max_tokens
from agents.providers import (
    REASONS,
    SETUP_KINDS,
    ChatMessage,
    Endpoint,
    ModelCall,
    ModelOutput,
    OnText,
    ProviderError,
    ToolSpec,
    provider_for,
)

log = logging.getLogger("epiloop.agent")

COOLDOWN_STEPS = (60.0, 300.0, 1500.0, 3600.0)

CooldownKey = tuple[str, str, str]


@dataclass
class Cooling:
    failures: int
    until: float
    last_failed: float
    kind: str


class Cooldowns:
    """Per (provider, key hash, model) cooldowns; `clock` is injectable for tests."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.entries: dict[CooldownKey, Cooling] = {}

    @staticmethod
    def key(endpoint: Endpoint, model: str) -> CooldownKey:
        digest = hashlib.sha256(endpoint.api_key.encode()).hexdigest()[:12]
        return (endpoint.provider, digest, model)

    def failed(self, key: CooldownKey, kind: str) -> Cooling:
        now = self.clock()
        entry = self.entries.get(key)
        failures = (entry.failures if entry else 0) + 1
        step = COOLDOWN_STEPS[min(failures, len(COOLDOWN_STEPS)) - 1]
        self.entries[key] = entry = Cooling(failures, now + step, now, kind)
        return entry

    def succeeded(self, key: CooldownKey) -> None:
        self.entries.pop(key, None)

    def cooling(self, key: CooldownKey) -> Cooling | None:
        entry = self.entries.get(key)
        if entry is not None and entry.until > self.clock():
            return entry
        return None

    def clear(self) -> None:
        self.entries.clear()


COOLDOWNS = Cooldowns()


@dataclass
class Attempt:
    ref: ModelRef
    kind: str
    detail: str = ""

    @property
    def reason(self) -> str:
        return REASONS.get(self.kind, self.kind)


@dataclass
class Outcome:
    ok: bool
    text: str = ""
    ref: ModelRef | None = None
    output: ModelOutput | None = None
    attempts: list[Attempt] = field(default_factory=list)
    error: ProviderError | None = None
    cut_off: bool = False  # failed after text had streamed

    def failure_message(self) -> str:
        """One short line for the user naming each model tried and why it failed."""
        if self.cut_off and self.error is not None and self.ref is not None:
            return f"[reply cut off: {self.ref} {REASONS.get(self.error.kind, self.error.kind)}]"
        parts = [f"{a.ref} {a.reason}" for a in self.attempts]
        if self.error is not None and not self.error.falls_back and self.attempts:
            last = self.attempts[-1]
            if self.error.kind == "context_length":
                return (
                    f"Sorry, {last.ref} could not answer: {last.reason}. "
                    "Send /new to start a fresh session."
                )
            detail = last.detail if len(last.detail) <= 200 else last.detail[:199] + "…"
            return f"Sorry, {last.ref} could not answer: {last.reason} ({detail})."
        return "Sorry, no model could answer: " + "; ".join(parts) + "."


class _Tee:
    """Passes streamed text on and remembers whether any arrived."""

    def __init__(self, on_text: OnText) -> None:
        self.on_text = on_text
        self.seen: list[str] = []

    def __call__(self, text: str) -> Awaitable[None] | None:
        self.seen.append(text)
        return self.on_text(text)


@dataclass
class _Plan:
    ref: ModelRef
    endpoint: Endpoint
    key: CooldownKey
    cooling: Cooling | None
    several_keys: bool = False

    def __str__(self) -> str:
        """`provider/model`, plus which key when the provider has several."""
        return f"{self.ref} [{self.endpoint.label}]" if self.several_keys else str(self.ref)


async def _endpoints(provider: str) -> tuple[Endpoint, ...]:
    return keys.cached(provider) or await sync_to_async(keys.resolve_all)(provider)


async def _plan(
    refs: tuple[ModelRef, ...], cooldowns: Cooldowns, attempts: list[Attempt]
) -> list[_Plan]:
    plans: list[_Plan] = []
    for ref in refs:
        try:
            endpoints = await _endpoints(ref.provider)
        except ProviderError as exc:
            log.warning("%s cannot be used: %s", ref, exc)
            attempts.append(Attempt(ref, exc.kind, str(exc)))
            continue
        for endpoint in endpoints:
            key = Cooldowns.key(endpoint, ref.model)
            plans.append(_Plan(ref, endpoint, key, cooldowns.cooling(key), len(endpoints) > 1))
    ready = [p for p in plans if p.cooling is None]
    if plans and not ready:
        oldest = min(plans, key=lambda p: p.cooling.last_failed if p.cooling else 0.0)
        log.info("every model of this agent is cooling down; trying %s anyway", oldest)
        oldest.cooling = None
        ready = [oldest]
    ready_refs = {p.ref for p in ready}
    for p in plans:
        if p.cooling is not None and p.ref not in ready_refs:
            left = int(p.cooling.until - cooldowns.clock())
            attempts.append(Attempt(p.ref, "cooldown", f"{p.cooling.kind}, {left}s left"))
            log.info("%s is cooling down (%s, %ds left); skipping", p, p.cooling.kind, left)
    return ready


async def call_with_fallback(
    refs: tuple[ModelRef, ...],
    system: str,
    messages: list[ChatMessage],
    on_text: OnText,
    *,
    timeout: float,
    cooldowns: Cooldowns | None = None,
    clock: Callable[[], float] = time.monotonic,
    tools: list[ToolSpec] | None = None,
    system_tail: str = "",
    tool_choice: str = "auto",
) -> Outcome:
    cooldowns = cooldowns or COOLDOWNS
    deadline = clock() + timeout
    attempts: list[Attempt] = []
    last_error: ProviderError | None = None
    ready = await _plan(refs, cooldowns, attempts)
    for i, plan in enumerate(ready):
        piece = _Tee(on_text)

        call = ModelCall(
            plan.endpoint,
            plan.ref.model,
            system,
            messages,
            max_tokens=max_tokens(plan.ref),
            # A stalled model must leave time for the candidates after it.
            timeout=max(0.05, (deadline - clock()) / (len(ready) - i)),
            tools=tools or [],
            system_tail=system_tail,
            tool_choice=tool_choice,
        )
        try:
            output = await provider_for(plan.endpoint.api).complete(call, piece)
            if not output.text.strip() and not output.tool_calls:
                raise ProviderError("server_error", "the model returned an empty reply")
        except ProviderError as exc:
            if exc.falls_back and exc.kind not in SETUP_KINDS:
                cooldowns.failed(plan.key, exc.kind)
            attempts.append(Attempt(plan.ref, exc.kind, str(exc)))
            partial = exc.partial or "".join(piece.seen)
            if partial or exc.started:
                log.warning("%s failed (%s) after text had streamed; no fallback", plan, exc.kind)
                return Outcome(False, partial, plan.ref, None, attempts, exc, cut_off=True)
            if not exc.falls_back:
                log.warning("%s failed (%s): %s", plan, exc.kind, exc)
                return Outcome(False, "", plan.ref, None, attempts, exc)
            if i + 1 < len(ready):
                log.warning("%s failed (%s); trying %s", plan, exc.kind, ready[i + 1])
            else:
                log.warning("%s failed (%s); no model left to try", plan, exc.kind)
            last_error = exc
            continue
        cooldowns.succeeded(plan.key)
        return Outcome(True, output.text, plan.ref, output, attempts)
    attempts.sort(key=lambda a: refs.index(a.ref) if a.ref in refs else len(refs))
    if last_error is None:  # nothing could even be tried (no keys, unknown providers)
        first = attempts[0] if attempts else None
        last_error = ProviderError(
            first.kind if first else "missing_key", first.detail if first else ""
        )
    return Outcome(False, "", None, None, attempts, last_error)
