from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from agents import explain
from agents.models import Message, ModelPrice, Session, UsageDay
from tests.agents.helpers import install

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client() -> Client:
    user = User.objects.create_superuser("op", "op@example.com", "pw-test-123")
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def session() -> Session:
    s = Session.objects.create(
        key="agent:main:discord:dm:7", agent_id="main", channel="discord", title="hi"
    )
    Message.objects.create(session=s, role="user", text="hello bot")
    Message.objects.create(
        session=s, role="assistant", text="hello human", model="m1", tokens_in=5, tokens_out=2
    )
    return s


@pytest.mark.parametrize(
    "url",
    [
        "/admin/agents/session/",
        "/admin/agents/message/",
        "/admin/agents/usageday/",
        "/admin/agents/modelprice/",
        "/admin/agents/routeexplainer/",
        "/admin/agents/instructionfiles/",
    ],
)
def test_agents_admin_pages_render(admin_client: Client, session: Session, url: str) -> None:
    assert admin_client.get(url).status_code == 200


def test_a_session_page_shows_its_messages(admin_client: Client, session: Session) -> None:
    page = admin_client.get(f"/admin/agents/session/{session.pk}/change/").content.decode()
    assert "hello bot" in page and "hello human" in page


def test_usage_shows_an_estimated_cost_from_the_price_table(admin_client: Client) -> None:
    UsageDay.objects.create(
        day=timezone.now().date(),
        agent_id="main",
        provider="anthropic",
        model="claude-x",
        turns=3,
        tokens_in=1_000_000,
        tokens_out=500_000,
    )
    ModelPrice.objects.create(model="anthropic/claude-x", input_per_mtok=3, output_per_mtok=15)
    page = admin_client.get("/admin/agents/usageday/").content.decode()
    assert "10.5000" in page


def test_start_fresh_action_ends_the_session(admin_client: Client, session: Session) -> None:
    admin_client.post(
        "/admin/agents/session/", {"action": "start_fresh", "_selected_action": [session.pk]}
    )
    assert Session.objects.filter(key=session.key).count() == 2
    assert Session.objects.get(key=session.key, active=True).pk != session.pk


def test_route_explainer_shows_tier_agent_and_session_key(admin_client: Client) -> None:
    install(
        {
            "agents": {"list": [{"id": "main", "default": True}, {"id": "ops"}]},
            "bindings": [{"agentId": "ops", "match": {"channel": "discord", "guildId": "g1"}}],
        }
    )
    query: dict[str, Any] = {
        "explain": "1",
        "channel": "discord",
        "account_id": "default",
        "chat_kind": "channel",
        "chat_id": "c5",
        "guild_id": "g1",
        "sender_id": "9",
    }
    page = admin_client.get("/admin/agents/routeexplainer/", query).content.decode()
    assert "guild" in page
    assert "agent:ops:discord:channel:c5" in page
    assert "bindings[0]" in page


def test_explain_hooks_can_add_rows() -> None:
    def policy(inbound: Any, context: dict[str, Any]) -> None:
        context["rows"].append(("Policy", f"allowed ({inbound.channel})"))

    explain.register(policy)
    try:
        rows = explain.explain(
            explain.inbound_from({"channel": "telegram", "chat_kind": "dm", "sender_id": "1"})
        )["rows"]
    finally:
        explain.HOOKS.remove(policy)
    assert ("Policy", "allowed (telegram)") in rows
    assert ("Session key", "agent:main:telegram:dm:1") in rows


def test_instruction_files_are_edited_in_the_admin(admin_client: Client, tmp_path: Path) -> None:
    install({"agents": {"list": [{"id": "main", "workspace": str(tmp_path)}]}})
    response = admin_client.post(
        "/admin/agents/instructionfiles/",
        {"agent": "main", "SOUL.md": "Be brief.", "AGENTS.md": ""},
    )
    assert response.status_code == 302
    assert (tmp_path / "SOUL.md").read_text() == "Be brief."
    assert not (tmp_path / "AGENTS.md").exists()
    page = admin_client.get("/admin/agents/instructionfiles/?agent=main").content.decode()
    assert "## SOUL.md" in page
