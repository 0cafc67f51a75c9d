from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from agents import instructions
from agents.agentconf import AgentInfo, ModelRef
from config.schema import AgentEntry

NOON_UTC = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def agent(workspace: Path, **entry: object) -> AgentInfo:
    own = AgentEntry.model_validate({"id": "main", **entry})
    return AgentInfo("main", "Clawd", "🦞", (ModelRef("anthropic", "m"),), workspace, own)


def test_the_prompt_names_the_agent_its_tools_and_workspace_files(tmp_path: Path) -> None:
    (tmp_path / "AGENTS.md").write_text("Keep notes in notes/.")
    prompt = instructions.system_prompt(
        agent(tmp_path), "Be brief.", [("read", "Read a file."), ("write", "Write a file.")]
    )
    assert prompt.startswith("You are Clawd 🦞, an AI agent run by Epiloop")
    assert "- read: Read a file.\n- write: Write a file." in prompt
    assert f"Your workspace: {tmp_path}" in prompt
    assert prompt.index("## Tools") < prompt.index("## AGENTS.md") < prompt.index("Be brief.")
    assert len(prompt) < 4000


def test_without_tools_the_prompt_has_no_tools_section(tmp_path: Path) -> None:
    assert "## Tools" not in instructions.system_prompt(agent(tmp_path))


def test_the_stable_part_does_not_change_between_turns(tmp_path: Path) -> None:
    one = instructions.system_prompt(agent(tmp_path), "", [("read", "Read.")])
    two = instructions.system_prompt(agent(tmp_path), "", [("read", "Read.")])
    assert one == two and "Current time" not in one


def test_the_context_gives_the_time_in_the_users_zone() -> None:
    text = instructions.context(channel="webchat", zone=ZoneInfo("Europe/Paris"), now=NOON_UTC)
    assert "Current time: Monday 2026-03-02 13:00 (CET)." in text
    assert "Your operator is talking to you through Epiloop (webchat)." in text


def test_the_context_names_the_sender_and_where_they_write() -> None:
    text = instructions.context(
        channel="discord", chat_kind="channel", sender_name="Ada", owner=False, now=NOON_UTC
    )
    assert "Ada (not one of your owners) is writing to you on Discord, in a channel." in text


def test_an_unknown_time_zone_falls_back_to_the_servers() -> None:
    zone = instructions.user_zone("Mars/Olympus")
    assert datetime.now(zone).utcoffset() == datetime.now().astimezone().utcoffset()
    assert instructions.user_zone("Asia/Tokyo") == ZoneInfo("Asia/Tokyo")
