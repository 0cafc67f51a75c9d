"""The approvals broker: ids, answers, timeouts and who is told."""

from __future__ import annotations

import asyncio

import pytest

from agents.tools.approvals import Broker, Change, parse_decision
from agents.tools.base import ApprovalRequest

REQUEST = ApprovalRequest("exec", "rm -rf build", "main", "agent:main:main")


async def _first_pending(broker: Broker) -> str:
    for _ in range(100):
        if broker.pending():
            return broker.pending()[0].id
        await asyncio.sleep(0.01)
    raise AssertionError("no pending approval")


async def test_an_approval_waits_until_someone_approves_it_once() -> None:
    broker = Broker()
    asking = asyncio.ensure_future(broker.ask(REQUEST, timeout=5))
    approval_id = await _first_pending(broker)
    assert len(approval_id) == 6 and approval_id.isalnum()
    assert not asking.done()
    assert broker.resolve(approval_id, "approve-once", "operator") is not None
    assert await asking == "approve-once"
    assert broker.pending() == []


async def test_approve_always_and_deny_come_back_as_given() -> None:
    broker = Broker()
    for decision in ("approve-always", "deny"):
        asking = asyncio.ensure_future(broker.ask(REQUEST, timeout=5))
        broker.resolve(await _first_pending(broker), decision, "discord:42")
        assert await asking == decision


async def test_no_answer_in_time_is_a_denial_by_timeout() -> None:
    broker = Broker()
    answer = await broker.ask_detailed(REQUEST, timeout=0.05)
    assert (answer.decision, answer.by, answer.timed_out) == ("deny", "timeout", True)
    assert broker.pending() == []


async def test_a_late_or_unknown_answer_changes_nothing() -> None:
    broker = Broker()
    answer = await broker.ask_detailed(REQUEST, timeout=0.05)
    assert broker.resolve("zzzzzz", "approve-once", "operator") is None
    assert answer.decision == "deny"


async def test_listeners_hear_the_request_and_its_resolution() -> None:
    broker = Broker()
    heard: list[Change] = []
    unsubscribe = broker.subscribe(heard.append)
    asking = asyncio.ensure_future(broker.ask(REQUEST, timeout=5))
    approval_id = await _first_pending(broker)
    assert [c.kind for c in heard] == ["requested"]
    assert heard[0].pending.request.summary == "rm -rf build"
    assert heard[0].pending.expires_at_ms - heard[0].pending.created_at_ms == 5000
    broker.resolve(approval_id, "deny", "telegram:7")
    await asking
    assert [c.kind for c in heard] == ["requested", "resolved"]
    assert heard[1].answer is not None and heard[1].answer.by == "telegram:7"
    unsubscribe()
    await broker.ask(REQUEST, timeout=0.01)
    assert len(heard) == 2


async def test_a_broken_listener_does_not_keep_the_tool_waiting() -> None:
    broker = Broker()

    def broken(change: Change) -> None:
        raise RuntimeError("listener bug")

    broker.subscribe(broken)
    asking = asyncio.ensure_future(broker.ask(REQUEST, timeout=5))
    broker.resolve(await _first_pending(broker), "approve-once", "operator")
    assert await asking == "approve-once"


async def test_an_aborted_tool_withdraws_its_request() -> None:
    broker = Broker()
    heard: list[Change] = []
    broker.subscribe(heard.append)
    asking = asyncio.ensure_future(broker.ask(REQUEST, timeout=5))
    await _first_pending(broker)
    asking.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asking
    assert broker.pending() == []
    assert heard[-1].kind == "resolved" and heard[-1].answer is not None
    assert heard[-1].answer.by == "cancelled"


def test_decisions_are_accepted_in_our_spelling_and_openclaws() -> None:
    assert parse_decision("allow-once") == "approve-once"
    assert parse_decision("allow-always") == "approve-always"
    assert parse_decision("approve-always") == "approve-always"
    assert parse_decision("Deny") == "deny"
    assert parse_decision("yes") is None
    assert parse_decision(None) is None
