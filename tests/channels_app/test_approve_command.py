"""`/approve ID` and `/deny ID` in a chat, through the one inbound pipeline (echo platform)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from agents.inbound import InboundMessage
from agents.tools.approvals import BROKER
from agents.tools.base import ApprovalRequest, Decision
from channels_app import approvals, registry, runner
from config import runtime, schema_channels
from config.schema import EpiloopConfig
from tests.channels_app.echo.adapter import EchoAdapter

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def echo_platform(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setitem(registry.PLATFORMS, "echo", "tests.channels_app.echo")
    monkeypatch.setattr(schema_channels, "_CHANNELS", dict(schema_channels._CHANNELS))
    registry.platform("echo").register()
    yield
    runtime.reset()


@dataclass
class Reply:
    text: str


class Model:
    """Stands in for the agent: it must never see an approval command."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    async def __call__(self, inbound: InboundMessage, *, system_prompt: str = "") -> Reply:
        self.seen.append(inbound.text)
        return Reply("model answer")


def make_config() -> EpiloopConfig:
    config = EpiloopConfig.model_validate(
        {
            "agents": {
                "list": [
                    {"id": "main", "default": True, "owners": ["echo:42"]},
                    {"id": "ops", "owners": ["77"]},
                ]
            },
            "channels": {
                "echo": {
                    "token": "loopback-not-a-secret",
                    "allowFrom": ["42", "5"],
                    "textChunkLimit": 1000,
                }
            },
        }
    )
    runtime.set_current(config)
    return config


@pytest.fixture
def model() -> Model:
    return Model()


@pytest.fixture
def echo(model: Model) -> EchoAdapter:
    return EchoAdapter(make_config(), reply=model)


async def pending_for(
    agent_id: str, command: str = "make deploy"
) -> tuple[str, asyncio.Task[Decision]]:
    task = asyncio.ensure_future(
        BROKER.ask(ApprovalRequest("exec", command, agent_id, f"agent:{agent_id}:main"), 5)
    )
    for _ in range(100):
        found = [p for p in BROKER.pending() if p.request.summary == command]
        if found:
            return found[0].id, task
        await asyncio.sleep(0.01)
    raise AssertionError("no pending approval")


async def test_an_owner_approves_with_approve_id(echo: EchoAdapter, model: Model) -> None:
    approval_id, asking = await pending_for("main")
    await echo.receive(f"/approve {approval_id}", sender="42")
    assert await asking == "approve-once"
    assert echo.outbox[-1].text == f"Approved {approval_id} once (exec: make deploy)."
    assert model.seen == []


async def test_an_owner_denies_or_approves_always(echo: EchoAdapter, model: Model) -> None:
    approval_id, asking = await pending_for("main", "rm -rf build")
    await echo.receive(f"/deny {approval_id}", sender="42")
    assert await asking == "deny"
    assert echo.outbox[-1].text == f"Denied {approval_id} (exec: rm -rf build)."
    approval_id, asking = await pending_for("main", "echo hi")
    await echo.receive(f"/approve {approval_id.upper()} always", sender="42")
    assert await asking == "approve-always"
    assert model.seen == []


async def test_a_stranger_the_policy_lets_in_is_refused_in_one_line(
    echo: EchoAdapter, model: Model
) -> None:
    approval_id, asking = await pending_for("main")
    await echo.receive(f"/approve {approval_id}", sender="5")
    assert echo.outbox[-1].text == approvals.REFUSAL
    assert not asking.done()
    assert model.seen == []
    asking.cancel()


async def test_an_owner_of_another_agent_cannot_answer_for_this_one(
    echo: EchoAdapter, model: Model
) -> None:
    approval_id, asking = await pending_for("ops")
    await echo.receive(f"/approve {approval_id}", sender="42")
    assert echo.outbox[-1].text == approvals.REFUSAL
    assert not asking.done()
    # "77" is a bare owner id of ops: it counts on any channel, even outside allowFrom.
    await echo.receive(f"/approve {approval_id}", sender="77")
    assert await asking == "approve-once"
    assert model.seen == []


async def test_a_stranger_the_policy_refuses_gets_the_policys_treatment(
    echo: EchoAdapter, model: Model
) -> None:
    approval_id, asking = await pending_for("main")
    await echo.receive(f"/approve {approval_id}", sender="999")
    assert echo.outbox == [] and model.seen == []
    assert not asking.done()
    asking.cancel()


async def test_an_unknown_id_or_a_bare_command_is_explained_to_an_owner(
    echo: EchoAdapter,
) -> None:
    await echo.receive("/approve zzzzzz", sender="42")
    assert echo.outbox[-1].text == "No pending approval zzzzzz (answered or expired)."
    approval_id, asking = await pending_for("main")
    await echo.receive("/approve", sender="42")
    assert echo.outbox[-1].text == (
        f"{approvals.USAGE} Pending: {approval_id} (exec: make deploy)."
    )
    asking.cancel()


async def test_other_messages_still_reach_the_model(echo: EchoAdapter, model: Model) -> None:
    await echo.receive("please /approve of my plan", sender="42")
    assert model.seen == ["please /approve of my plan"]


def test_the_command_is_found_after_mentions_and_telegrams_bot_suffix() -> None:
    assert approvals.parse("<@123> /approve abc123") == approvals.ApprovalCommand(
        "abc123", "approve-once"
    )
    assert approvals.parse("/approve@epiloop_bot abc123 allow-always") == (
        approvals.ApprovalCommand("abc123", "approve-always")
    )
    assert approvals.parse("/deny abc123") == approvals.ApprovalCommand("abc123", "deny")
    assert approvals.parse("/approve abc123 sometimes") == approvals.ApprovalCommand("abc123", None)
    assert approvals.parse("approve abc123") is None


def test_the_chat_of_a_session_is_found_from_its_key() -> None:
    assert approvals.chat_target("agent:main:discord:dm:42") == ("discord", "user:42")
    assert approvals.chat_target("agent:main:discord:channel:555") == ("discord", "555")
    assert approvals.chat_target("agent:ops:telegram:group:-100:topic:7") == (
        "telegram",
        "-100:topic:7",
    )
    assert approvals.chat_target("agent:main:main") is None
    assert approvals.chat_target("agent:main:dm:42") is None


class Posting(EchoAdapter):
    """The echo adapter, recording what is posted to a target."""

    def __init__(self, config: EpiloopConfig) -> None:
        super().__init__(config)
        self.posted: list[tuple[str, str]] = []

    async def send_text(self, target: str, text: str) -> str:
        self.posted.append((target, text))
        return "1"


async def test_the_chat_a_turn_came_from_is_told_the_id_to_approve(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    adapter = Posting(make_config())
    monkeypatch.setitem(runner.RUNNING, "echo", adapter)
    unsubscribe = BROKER.subscribe(approvals.notify)
    try:
        task = asyncio.ensure_future(
            BROKER.ask(ApprovalRequest("exec", "make deploy", "main", "agent:main:echo:dm:42"), 5)
        )
        for _ in range(100):
            if adapter.posted:
                break
            await asyncio.sleep(0.01)
        [(target, text)] = adapter.posted
        [pending] = BROKER.pending()
        assert target == "user:42"
        assert text == (
            "Approval needed (exec): make deploy\n"
            f"An owner replies /approve {pending.id}, /approve {pending.id} always, or "
            f"/deny {pending.id} (within 5 s)."
        )
        task.cancel()
    finally:
        unsubscribe()
