from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agents.service import drain, run_turn
from agents.tools.base import ToolContext, ToolError
from agents.tools.message import MessageTool
from agents.tools.sessions import (
    SessionsHistoryTool,
    SessionsListTool,
    SessionsSendTool,
    SessionStatusTool,
)
from config.runtime import current
from tests.agents.helpers import install, providers
from tests.fakes.anthropic.server import FakeAnthropic

pytestmark = pytest.mark.django_db(transaction=True)


def ctx(key: str = "agent:main:main", *, owner: bool = True, send: Any = None) -> ToolContext:
    return ToolContext(
        "main",
        key,
        Path("/nonexistent"),
        current(),
        channel="discord",
        owner=owner,
        send_text=send,
    )


@pytest.fixture
def sessions(fake_anthropic: FakeAnthropic) -> None:
    install(
        {
            "agents": {"defaults": {"model": {"primary": "anthropic/m"}}},
            "models": providers(fake_anthropic.url),
            "tools": {"deny": ["*"]},  # the seeded turns themselves use no tools
        }
    )


async def seed(fake: FakeAnthropic) -> None:
    fake.script(text="Hello Ada")
    await run_turn("main", "agent:main:main", "I am Ada")
    fake.script(text="Hi Bob")
    await run_turn("main", "agent:main:discord:dm:2", "I am Bob")
    await drain()


async def test_an_owner_lists_and_reads_the_agents_sessions(
    sessions: None, fake_anthropic: FakeAnthropic
) -> None:
    await seed(fake_anthropic)
    listed = await SessionsListTool().run({}, ctx())
    assert "agent:main:main" in listed and "agent:main:discord:dm:2" in listed
    history = await SessionsHistoryTool().run({"sessionKey": "agent:main:discord:dm:2"}, ctx())
    assert history == "user: I am Bob\nassistant: Hi Bob"


async def test_a_guest_sees_only_the_conversation_they_are_in(
    sessions: None, fake_anthropic: FakeAnthropic
) -> None:
    await seed(fake_anthropic)
    guest = ctx("agent:main:discord:dm:2", owner=False)
    listed = await SessionsListTool().run({}, guest)
    assert "agent:main:discord:dm:2" in listed and "agent:main:main" not in listed
    with pytest.raises(ToolError, match="only this conversation"):
        await SessionsHistoryTool().run({"sessionKey": "agent:main:main"}, guest)


async def test_another_agents_sessions_are_refused(sessions: None) -> None:
    with pytest.raises(ToolError, match="not one of your sessions"):
        await SessionsHistoryTool().run({"sessionKey": "agent:ops:main"}, ctx())


async def test_sessions_send_runs_a_turn_in_the_other_session_and_returns_its_reply(
    sessions: None, fake_anthropic: FakeAnthropic
) -> None:
    fake_anthropic.script(text="Noted in the other session.")
    reply = await SessionsSendTool().run(
        {"sessionKey": "agent:main:work", "message": "remember X"}, ctx()
    )
    assert reply == "Noted in the other session."
    with pytest.raises(ToolError, match="this session"):
        await SessionsSendTool().run({"sessionKey": "agent:main:main", "message": "x"}, ctx())


async def test_session_status_names_the_agent_and_session(sessions: None) -> None:
    status = await SessionStatusTool().run({}, ctx())
    assert "agent: main\nsession: agent:main:main\nchannel: discord" in status


async def test_message_sends_through_the_installed_sender(sessions: None) -> None:
    sent: list[tuple[str, str, str]] = []

    async def send(channel: str, target: str, text: str) -> str:
        sent.append((channel, target, text))
        return "m1"

    out = await MessageTool().run({"target": "123", "text": "ping"}, ctx(send=send))
    assert out == "sent to 123 on discord (message id m1)"
    assert sent == [("discord", "123", "ping")]


async def test_message_refuses_guests_and_missing_senders(sessions: None) -> None:
    with pytest.raises(ToolError, match="only the agent's owners"):
        await MessageTool().run({"target": "1", "text": "x"}, ctx(owner=False))
    with pytest.raises(ToolError, match="not available"):
        await MessageTool().run({"target": "1", "text": "x"}, ctx())


def test_the_channels_app_installs_the_outbound_sender() -> None:
    from agents.tools import outbound
    from channels_app.outbound import send_text

    assert outbound.SEND is send_text
