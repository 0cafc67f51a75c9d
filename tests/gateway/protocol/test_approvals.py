"""Exec approvals over the protocol: events to operators, resolve, list, in hello."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from agents.tools import approvals, execpolicy
from agents.tools.base import ToolContext
from agents.tools.exec import ExecTool
from config.schema import EpiloopConfig
from gateway.auth import GATEWAY_SECRETS
from tests.gateway.protocol.client import Client
from tests.gateway.protocol.inproc import Conn
from tests.support.gateway import GatewayProcess


@pytest.mark.e2e
async def test_a_pending_approval_reaches_operators_and_resolve_releases_it(
    gateway: GatewayProcess,
) -> None:
    asker = await Client.open(gateway.ws_url)
    operator = await Client.open(gateway.ws_url)
    try:
        methods = operator.hello["features"]["methods"]
        assert {"exec.approval.resolve", "exec.approvals.list", "exec.approval.request"} <= set(
            methods
        )
        assert {"exec.approval.requested", "exec.approval.resolved"} <= set(
            operator.hello["features"]["events"]
        )
        req_id = await asker.request(
            "exec.approval.request", {"command": "make deploy", "agentId": "ops"}
        )
        accepted = await asker.response(req_id)
        assert accepted["ok"] and accepted["payload"]["status"] == "accepted"
        approval_id = accepted["payload"]["id"]

        requested = (await operator.event("exec.approval.requested", id=approval_id))["payload"]
        assert requested["command"] == "make deploy"
        assert requested["tool"] == "exec"
        assert requested["agentId"] == "ops"
        assert requested["sessionKey"] == "agent:ops:main"
        assert requested["expiresAtMs"] > requested["createdAtMs"]
        listed = await operator.ok("exec.approvals.list")
        assert [a["id"] for a in listed["approvals"]] == [approval_id]

        resolved = await operator.ok(
            "exec.approval.resolve", {"id": approval_id, "decision": "allow-once"}
        )
        assert resolved["decision"] == "allow-once"
        released = await asker.response(req_id)
        assert released["payload"]["decision"] == "allow-once"
        assert released["payload"]["by"] == "cli"
        event = (await operator.event("exec.approval.resolved", id=approval_id))["payload"]
        assert (event["decision"], event["by"], event["expired"]) == ("allow-once", "cli", False)
        assert (await operator.ok("exec.approvals.list"))["approvals"] == []
    finally:
        await asker.close()
        await operator.close()


@pytest.mark.e2e
async def test_resolving_twice_or_with_a_bad_decision_is_refused(gateway: GatewayProcess) -> None:
    client = await Client.open(gateway.ws_url)
    try:
        req_id = await client.request("exec.approval.request", {"command": "ls"})
        approval_id = (await client.response(req_id))["payload"]["id"]
        bad = await client.call("exec.approval.resolve", {"id": approval_id, "decision": "maybe"})
        assert bad["error"]["code"] == "INVALID_REQUEST"
        assert "allow-once" in bad["error"]["message"]
        # Our own spelling is accepted too.
        await client.ok("exec.approval.resolve", {"id": approval_id, "decision": "deny"})
        assert (await client.response(req_id))["payload"]["decision"] == "deny"
        again = await client.call("exec.approval.resolve", {"id": approval_id, "decision": "deny"})
        assert again["error"]["message"] == f"unknown or expired approval id: {approval_id}"
    finally:
        await client.close()


@pytest.mark.e2e
async def test_an_unanswered_request_expires_as_a_denial(gateway: GatewayProcess) -> None:
    client = await Client.open(gateway.ws_url)
    try:
        req_id = await client.request("exec.approval.request", {"command": "ls", "timeoutMs": 200})
        approval_id = (await client.response(req_id))["payload"]["id"]
        final = (await client.response(req_id))["payload"]
        assert (final["decision"], final["expired"], final["by"]) == ("deny", True, "timeout")
        event = (await client.event("exec.approval.resolved", id=approval_id))["payload"]
        assert event["expired"] is True
    finally:
        await client.close()


@pytest.mark.django_db(transaction=True)
async def test_the_exec_tool_waits_for_the_operator_and_runs_once_allowed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(GATEWAY_SECRETS, "token", "test-token-abc-123456")
    execpolicy.forget_all()
    conn, res = await Conn.open(client=("127.0.0.1", 5000))
    assert res["ok"]
    config = EpiloopConfig.model_validate(
        {"tools": {"exec": {"enabled": True, "security": "allowlist", "ask": "on-miss"}}}
    )
    ctx = ToolContext("main", "agent:main:main", tmp_path / "ws", config)
    running = asyncio.ensure_future(ExecTool().run({"command": "echo approved-run"}, ctx))
    try:
        event = (await conn.next_event("exec.approval.requested"))["payload"]
        assert event["command"] == "echo approved-run"
        assert not running.done()
        res = await conn.call(
            "exec.approval.resolve", {"id": event["id"], "decision": "allow-always"}
        )
        assert res["ok"], res
        assert "approved-run" in await asyncio.wait_for(running, 10)
        resolved = (await conn.next_event("exec.approval.resolved"))["payload"]
        assert resolved["decision"] == "allow-always"
        assert execpolicy.remembered("main") == {"echo"}
    finally:
        running.cancel()
        execpolicy.forget_all()
        await conn.close()
    assert approvals.BROKER.pending() == []
