"""The exec tool: output, exit code, timeout, cap, environment, and who may run what."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agents.tools import approvals, execpolicy
from agents.tools.base import ApprovalRequest, AskApproval, Decision, ToolContext, ToolError
from agents.tools.exec import ExecTool
from agents.tools.registry import TOOLS, builtin
from config.schema import EpiloopConfig


@pytest.fixture(autouse=True)
def _forget_always() -> Iterator[None]:
    execpolicy.forget_all()
    yield
    execpolicy.forget_all()


def context(tmp_path: Path, asker: AskApproval | None = None, **exec_cfg: Any) -> ToolContext:
    config = EpiloopConfig.model_validate(
        {"tools": {"exec": {"enabled": True, "security": "full", "ask": "off", **exec_cfg}}}
    )
    return ToolContext(
        agent_id="main",
        session_key="agent:main:main",
        workspace=tmp_path / "workspace",
        config=config,
        ask=asker,
    )


class Approver:
    """An `AskApproval` that answers `decision` and remembers what it was asked."""

    def __init__(self, decision: Decision) -> None:
        self.decision = decision
        self.asked: list[ApprovalRequest] = []

    async def __call__(self, request: ApprovalRequest) -> Decision:
        self.asked.append(request)
        return self.decision


async def run(ctx: ToolContext, command: str, **args: Any) -> str:
    return await ExecTool().run({"command": command, **args}, ctx)


def sessions_alive(sid: int) -> list[int]:
    """Pids whose session id is `sid` (field 6 of /proc/PID/stat)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[3]) == sid and fields[0] != "Z":
            found.append(int(entry))
    return found


def test_exec_is_a_runtime_tool_in_the_registry() -> None:
    assert TOOLS["exec"][0] == "runtime"
    assert builtin("exec").name == "exec"


async def test_it_runs_in_the_workspace_and_reports_output_and_exit_code(tmp_path: Path) -> None:
    ctx = context(tmp_path)
    out = await run(ctx, "pwd; echo to-stderr >&2; exit 3")
    assert str(tmp_path / "workspace") in out
    assert "to-stderr" in out
    assert out.endswith("[exit code 3]")
    assert (tmp_path / "workspace").is_dir()


async def test_a_timeout_kills_every_process_the_command_started(tmp_path: Path) -> None:
    ctx = context(tmp_path, timeoutSeconds=30)
    out = await run(ctx, "echo $$; sh -c 'sleep 30 & sleep 30'", timeoutSeconds=1)
    sid = int(out.splitlines()[0])
    assert "timed out after 1 s" in out
    assert "exit code" not in out
    assert sessions_alive(sid) == []


async def test_the_configured_timeout_caps_the_one_asked_for(tmp_path: Path) -> None:
    ctx = context(tmp_path, timeoutSeconds=1)
    out = await run(ctx, "sleep 30", timeoutSeconds=600)
    assert "timed out after 1 s" in out


async def test_a_background_child_does_not_outlive_a_finished_command(tmp_path: Path) -> None:
    ctx = context(tmp_path)
    out = await run(ctx, "echo $$; sleep 30 >/dev/null 2>&1 &")
    assert out.endswith("[exit code 0]")
    assert sessions_alive(int(out.splitlines()[0])) == []


async def test_an_aborted_turn_takes_its_command_down_with_it(tmp_path: Path) -> None:
    ctx = context(tmp_path)
    pid_file = tmp_path / "workspace" / "sid"
    task = asyncio.ensure_future(run(ctx, f"echo $$ > {pid_file}; sleep 30 & sleep 30"))
    for _ in range(200):
        if pid_file.exists() and pid_file.read_text().strip():
            break
        await asyncio.sleep(0.02)
    sid = int(pid_file.read_text())
    assert sessions_alive(sid)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert sessions_alive(sid) == []


async def test_long_output_is_cut_with_a_note(tmp_path: Path) -> None:
    ctx = context(tmp_path, maxOutputChars=100)
    out = await run(ctx, "seq 1 10000")
    body, note, code = out.rsplit("\n", 2)
    assert len(body) <= 100
    assert body.startswith("1\n2\n3")
    assert "output cut at 100 of 48894 characters" in note
    assert "maxOutputChars" in note
    assert code == "[exit code 0]"


async def test_the_environment_has_no_keys_or_tokens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_API_KEY", "sk-made-up-for-the-test")
    monkeypatch.setenv("FAKE_BOT_TOKEN", "123:made-up")
    monkeypatch.setenv("DATABASE_URL", "postgres://u:made-up@127.0.0.1/db")
    ctx = context(tmp_path)
    out = await run(ctx, "env")
    for secret in ("FAKE_API_KEY", "made-up", "DATABASE_URL", "DJANGO_SECRET_KEY"):
        assert secret not in out
    assert f"HOME={tmp_path / 'workspace'}" in out
    assert "PATH=" in out


async def test_it_is_off_unless_enabled(tmp_path: Path) -> None:
    ctx = context(tmp_path, enabled=False)
    with pytest.raises(ToolError, match=r"tools\.exec\.enabled"):
        await run(ctx, "echo hi")


async def test_security_deny_refuses_everything(tmp_path: Path) -> None:
    approver = Approver("approve-once")
    ctx = context(tmp_path, approver, security="deny", ask="always")
    with pytest.raises(ToolError, match=r'tools\.exec\.security is "deny"'):
        await run(ctx, "echo hi")
    assert approver.asked == []


async def test_an_allowlisted_command_runs_without_asking(tmp_path: Path) -> None:
    approver = Approver("deny")
    ctx = context(tmp_path, approver, security="allowlist", ask="on-miss", allowlist=["echo"])
    assert "hello" in await run(ctx, "echo hello")
    assert approver.asked == []


async def test_a_miss_is_refused_when_ask_is_off(tmp_path: Path) -> None:
    ctx = context(tmp_path, security="allowlist", ask="off", allowlist=["echo"])
    with pytest.raises(ToolError, match=r'ls is not in tools\.exec\.allowlist.*ask is "off"'):
        await run(ctx, "ls")


async def test_shell_operators_never_ride_on_an_allowlisted_word(tmp_path: Path) -> None:
    ctx = context(tmp_path, security="allowlist", ask="off", allowlist=["echo"])
    for command in ("echo hi; touch pwned", "echo $(touch pwned)", "echo hi > pwned"):
        with pytest.raises(ToolError, match="shell operators"):
            await run(ctx, command)
    assert not (tmp_path / "workspace" / "pwned").exists()


async def test_a_path_does_not_match_a_bare_allowlist_entry(tmp_path: Path) -> None:
    ctx = context(tmp_path, security="allowlist", ask="off", allowlist=["echo"])
    with pytest.raises(ToolError, match=r"not in tools\.exec\.allowlist"):
        await run(ctx, "./echo hi")


async def test_a_miss_asks_when_ask_is_on_miss_and_runs_once_approved(tmp_path: Path) -> None:
    approver = Approver("approve-once")
    ctx = context(tmp_path, approver, security="allowlist", ask="on-miss")
    assert "approved" in await run(ctx, "echo approved")
    assert approver.asked == [ApprovalRequest("exec", "echo approved", "main", "agent:main:main")]
    # Once means once: the next echo asks again.
    await run(ctx, "echo again")
    assert len(approver.asked) == 2


async def test_a_denied_command_does_not_run(tmp_path: Path) -> None:
    ctx = context(tmp_path, Approver("deny"), security="allowlist", ask="on-miss")
    with pytest.raises(ToolError, match="not approved: denied"):
        await run(ctx, "touch pwned")
    assert not (tmp_path / "workspace" / "pwned").exists()


async def test_approve_always_adds_the_executable_for_this_agent(tmp_path: Path) -> None:
    approver = Approver("approve-always")
    ctx = context(tmp_path, approver, security="allowlist", ask="on-miss")
    await run(ctx, "echo one")
    approver.decision = "deny"
    assert "two" in await run(ctx, "echo two --flag")
    assert len(approver.asked) == 1
    assert execpolicy.remembered("main") == {"echo"}
    assert execpolicy.remembered("ops") == set()


async def test_full_security_runs_anything_and_ask_always_still_asks(tmp_path: Path) -> None:
    approver = Approver("approve-once")
    assert "x" in await run(context(tmp_path, approver, security="full", ask="on-miss"), "echo x")
    assert approver.asked == []
    ctx = context(tmp_path, approver, security="full", ask="always", allowlist=["echo"])
    await run(ctx, "echo y")
    assert len(approver.asked) == 1


async def test_without_an_asker_the_broker_is_asked(tmp_path: Path) -> None:
    ctx = context(tmp_path, None, security="allowlist", ask="on-miss")
    task = asyncio.ensure_future(run(ctx, "echo via-broker"))
    for _ in range(200):
        if approvals.BROKER.pending():
            break
        await asyncio.sleep(0.01)
    [pending] = approvals.BROKER.pending()
    assert pending.request.summary == "echo via-broker"
    approvals.resolve(pending.id, "approve-once", "operator")
    assert "via-broker" in await task


async def test_no_answer_in_time_tells_the_model_it_was_denied(tmp_path: Path) -> None:
    ctx = context(tmp_path, None, security="allowlist", ask="on-miss", approvalTimeoutSeconds=1)
    with pytest.raises(ToolError, match="no answer within 1 s: denied"):
        await run(ctx, "touch pwned")
    assert not (tmp_path / "workspace" / "pwned").exists()


async def test_bad_arguments_are_explained(tmp_path: Path) -> None:
    ctx = context(tmp_path)
    with pytest.raises(ToolError, match="needs a command"):
        await ExecTool().run({}, ctx)
    with pytest.raises(ToolError, match="timeoutSeconds must be a positive number"):
        await run(ctx, "echo", timeoutSeconds="soon")
