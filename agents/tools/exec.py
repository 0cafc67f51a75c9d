"""`exec`: run a shell command in the agent's workspace (group "runtime", off by default).

The policy (`execpolicy`) decides run / ask / refuse; asking goes through `ctx.ask` when the
turn provides one, else the approvals broker. The command runs with `sh -c` in its own
process group, with a scrubbed environment (no key, token or database URL of the gateway),
until it ends or the timeout kills the whole group (`process.run_shell`).
"""

from __future__ import annotations

import time

from agents.tools import approvals, execpolicy, process
from agents.tools.base import ApprovalRequest, Decision, ToolContext, ToolError
from config.jsontypes import JsonObject
from config.schema_tools import ExecConfig


class ExecTool:
    name = "exec"
    group = "runtime"
    description = (
        "Run a shell command (sh -c) in the agent's workspace and return its output "
        "(stdout and stderr) and exit code. May need an operator's approval."
    )

    def input_schema(self) -> JsonObject:
        return {
            "type": "object",
            "properties": {
                "command": {"type": "string", "description": "The shell command line."},
                "timeoutSeconds": {
                    "type": "number",
                    "description": "Stop the command after this many seconds (capped by config).",
                },
            },
            "required": ["command"],
            "additionalProperties": False,
        }

    async def run(self, args: JsonObject, ctx: ToolContext) -> str:
        cfg = ctx.config.tools.exec
        if not cfg.enabled:
            raise ToolError("exec is off: set tools.exec.enabled to true to let agents run it")
        command = args.get("command")
        if not isinstance(command, str) or not command.strip():
            raise ToolError("exec needs a command (a non-empty string)")
        timeout = _timeout(args.get("timeoutSeconds"), cfg)
        ctx.workspace.mkdir(parents=True, exist_ok=True)
        env = process.scrubbed_env(ctx.workspace)
        verdict = execpolicy.judge(command, cfg, ctx.agent_id, ctx.workspace, env["PATH"])
        if verdict.action == "refuse":
            raise ToolError(verdict.reason)
        if verdict.action == "ask":
            decision = await _ask(ctx, command, cfg)
            if decision == "approve-always" and verdict.executable is not None:
                execpolicy.remember(ctx.agent_id, verdict.executable)
        done = await process.run_shell(
            command,
            cwd=ctx.workspace,
            env=env,
            timeout=timeout,
            max_chars=cfg.max_output_chars,
        )
        return _result(done, timeout, cfg.max_output_chars)


def _timeout(value: object, cfg: ExecConfig) -> float:
    limit = float(max(1, cfg.timeout_seconds))
    if value is None:
        return limit
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ToolError("exec timeoutSeconds must be a positive number of seconds")
    return min(float(value), limit)


async def _ask(ctx: ToolContext, command: str, cfg: ExecConfig) -> Decision:
    """The approver's decision; raises ToolError for a denial (saying why)."""
    request = ApprovalRequest("exec", command, ctx.agent_id, ctx.session_key)
    wait = float(max(1, cfg.approval_timeout_seconds))
    if ctx.ask is None or ctx.ask is approvals.ask:
        answer = await approvals.BROKER.ask_detailed(request, wait)
        decision, by, timed_out = answer.decision, answer.by, answer.timed_out
    else:
        started = time.monotonic()
        decision = await ctx.ask(request)
        # This asker only says "deny"; having waited the whole time means nobody answered.
        by, timed_out = "the approver", time.monotonic() - started >= wait
    if decision != "deny":
        return decision
    if timed_out:
        raise ToolError(
            f"exec not approved: no answer within {int(wait)} s: denied "
            "(tools.exec.approvalTimeoutSeconds)"
        )
    raise ToolError(f"exec not approved: denied by {by}")


def _result(done: process.Completed, timeout: float, max_chars: int) -> str:
    lines = [done.output.rstrip("\n") if done.output.strip() else "(no output)"]
    if done.truncated:
        lines.append(
            f"[output cut at {len(done.output)} of {done.total_chars} characters "
            f"(tools.exec.maxOutputChars is {max_chars})]"
        )
    if done.timed_out:
        lines.append(
            f"[timed out after {timeout:g} s: the command and everything it started were killed]"
        )
    else:
        lines.append(f"[exit code {done.exit_code}]")
    return "\n".join(lines)
