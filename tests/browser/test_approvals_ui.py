"""The approval card in a real Chromium: it appears for a pending exec approval, its buttons
answer it, and it goes away when answered or expired.

The approval is asked the way a node host or script would, over the protocol
(`exec.approval.request`, the broker the exec tool also uses), from a second connection.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect
from websockets.sync.client import ClientConnection, connect

from tests.browser.conftest import TOKEN, shot
from tests.browser.test_control_ui import sign_in
from tests.gateway.protocol.client import connect_params
from tests.support.gateway import GatewayProcess

pytestmark = pytest.mark.browser


class Asker:
    """A protocol client waiting for one approval: `id` at once, `decision()` later."""

    def __init__(self, ws: ClientConnection, command: str, **params: Any) -> None:
        self.ws = ws
        self._recv()  # connect.challenge
        self._send("c", "connect", connect_params(TOKEN))
        assert self._response("c")["ok"]
        self._send("a", "exec.approval.request", {"command": command, "agentId": "ops", **params})
        self.id: str = self._response("a")["payload"]["id"]

    def decision(self) -> dict[str, Any]:
        return dict(self._response("a", timeout=15)["payload"])

    def _send(self, req_id: str, method: str, params: dict[str, Any]) -> None:
        self.ws.send(json.dumps({"type": "req", "id": req_id, "method": method, "params": params}))

    def _recv(self, timeout: float = 10) -> dict[str, Any]:
        return dict(json.loads(self.ws.recv(timeout)))

    def _response(self, req_id: str, timeout: float = 10) -> dict[str, Any]:
        while True:
            frame = self._recv(timeout)
            if frame.get("type") == "res" and frame.get("id") == req_id:
                return frame


@contextlib.contextmanager
def asking(gw: GatewayProcess, command: str, **params: Any) -> Iterator[Asker]:
    with connect(gw.ws_url) as ws:
        yield Asker(ws, command, **params)


def card(page: Any, approval_id: str) -> Any:
    return page.locator(f'[data-testid=approval-card][data-approval-id="{approval_id}"]')


def test_a_pending_approval_shows_a_card_and_approve_runs_it(
    page: Any, ui_gateway: GatewayProcess
) -> None:
    sign_in(page, ui_gateway)
    with asking(ui_gateway, "make deploy --prod") as asker:
        found = card(page, asker.id)
        expect(found).to_be_visible()
        expect(found).to_contain_text("make deploy --prod")
        expect(found).to_contain_text("agent ops")
        expect(found).to_contain_text("expires in")
        shot(page, "approval-card")
        found.get_by_test_id("approval-approve").click()
        answer = asker.decision()
    assert (answer["decision"], answer["by"]) == ("allow-once", "Epiloop Control")
    expect(found).to_have_count(0)


def test_always_and_deny_answer_with_their_decisions(page: Any, ui_gateway: GatewayProcess) -> None:
    sign_in(page, ui_gateway)
    for testid, decision in (("approval-always", "allow-always"), ("approval-deny", "deny")):
        with asking(ui_gateway, f"echo {decision}") as asker:
            card(page, asker.id).get_by_test_id(testid).click()
            assert asker.decision()["decision"] == decision
        expect(card(page, asker.id)).to_have_count(0)


def test_a_card_seen_on_connect_goes_away_when_it_expires(
    page: Any, ui_gateway: GatewayProcess
) -> None:
    with asking(ui_gateway, "sleep 1", timeoutMs=2500) as asker:
        # Signed in after the request: the card comes from exec.approvals.list.
        sign_in(page, ui_gateway)
        expect(card(page, asker.id)).to_be_visible()
        assert asker.decision()["expired"] is True
    expect(card(page, asker.id)).to_have_count(0)
    expect(page.locator("#approvals-panel")).to_be_hidden()


def test_answering_in_another_tab_removes_the_card_here(
    page: Any, ui_gateway: GatewayProcess, browser: Any
) -> None:
    sign_in(page, ui_gateway)
    other = browser.new_context().new_page()
    try:
        sign_in(other, ui_gateway)
        with asking(ui_gateway, "echo two-tabs") as asker:
            expect(card(page, asker.id)).to_be_visible()
            card(other, asker.id).get_by_test_id("approval-deny").click()
            assert asker.decision()["decision"] == "deny"
        expect(card(page, asker.id)).to_have_count(0)
    finally:
        other.context.close()
