"""A client that got a run's `final` chat event (or the `agent` method's final answer) sees
the session and both messages of the turn on its very next read, on any connection.

Turns are recorded off the reply path (agents.writes, group commit). The first two tests
race reads against writes many times over; the last one holds SQLite's write lock from
outside, so that a final sent before its write is caught every time."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator

import pytest

from tests.fakes.openai.server import FakeOpenAI
from tests.gateway.protocol.client import Client
from tests.support.gateway import GatewayProcess

pytestmark = pytest.mark.e2e

ROUNDS = 6
SESSIONS = 4  # answered at once, so that their writes share or queue for a group commit

Read = tuple[dict[str, int], list[tuple[str, str]]]  # ({session key: messageCount}, history)


@pytest.fixture
async def clients(model_gateway: GatewayProcess) -> AsyncIterator[tuple[Client, Client]]:
    """The one that chats, and another (a second browser tab, a reloaded page)."""
    one, other = await Client.open(model_gateway.ws_url), await Client.open(model_gateway.ws_url)
    yield one, other
    await one.close()
    await other.close()


async def ask(client: Client, key: str) -> tuple[str, str]:
    """Send sessions.list and chat.history at once; the answers are read later."""
    listing = await client.request("sessions.list", {"limit": 1000})
    history = await client.request("chat.history", {"sessionKey": key})
    return listing, history


async def answers(client: Client, ids: tuple[str, str]) -> Read:
    listing, history = ids
    sessions = (await client.response(listing))["payload"]["sessions"]
    messages = (await client.response(history))["payload"]["messages"]
    counts = {s["key"]: s["messageCount"] for s in sessions}
    return counts, [(m["role"], m["content"][0]["text"]) for m in messages]


def turn(question: str, answer: str) -> list[tuple[str, str]]:
    return [("user", question), ("assistant", answer)]


async def test_after_the_final_chat_event_the_turn_is_in_sessions_and_history(
    clients: tuple[Client, Client], fake_openai: FakeOpenAI
) -> None:
    one, other = clients
    for r in range(ROUNDS):
        runs = {f"r{r}s{s}": f"agent:main:after-final-{r}-{s}" for s in range(SESSIONS)}
        for _ in runs:  # one answer for all: the fake answers requests in arrival order
            # The whole text arrives in a delta before the stream ends: only `final` counts.
            fake_openai.script(text=f"answer {r}", chunks=["answer ", str(r), ""])
        for run_id, key in runs.items():
            params = {"sessionKey": key, "message": f"question {run_id}", "idempotencyKey": run_id}
            await one.request("chat.send", params)
        asked = {}
        for _ in runs:  # each read goes out the moment its run's final arrives
            run_id = (await one.event("chat", timeout=30, state="final"))["payload"]["runId"]
            asked[run_id] = await ask(other, runs[run_id])
        for run_id, ids in asked.items():
            listed, history = await answers(other, ids)
            assert listed.get(runs[run_id]) == 2, run_id
            assert history == turn(f"question {run_id}", f"answer {r}"), run_id
        # The connection that chatted reads the same right away.
        listed, history = await answers(one, await ask(one, runs[run_id]))
        assert listed.get(runs[run_id]) == 2
        assert history == turn(f"question {run_id}", f"answer {r}")


async def test_after_the_agent_methods_final_answer_the_turn_is_in_history(
    clients: tuple[Client, Client], fake_openai: FakeOpenAI
) -> None:
    one, other = clients
    for i in range(ROUNDS):
        key = f"agent:ops:after-agent-{i}"
        fake_openai.script(text=f"done {i}")
        req_id = await one.request(
            "agent", {"message": f"task {i}", "sessionKey": key, "idempotencyKey": f"a{i}"}
        )
        assert (await one.response(req_id))["payload"]["status"] == "accepted"
        assert (await one.response(req_id))["payload"]["status"] == "ok"
        listed, history = await answers(other, await ask(other, key))
        assert listed.get(key) == 2, i
        assert history == turn(f"task {i}", f"done {i}"), i


async def test_a_final_waits_for_its_write_while_another_process_holds_the_database(
    clients: tuple[Client, Client], fake_openai: FakeOpenAI, model_gateway: GatewayProcess
) -> None:
    """Another writer (a CLI command, a `runchannel` process) holds SQLite's write lock, so
    the first session's write waits and the second session's turn, which ends meanwhile,
    waits for the next group commit. Its final must still come after its own write: the
    read sent on it would otherwise be served before that write (reads and writes share
    one database thread, first come first served)."""
    one, other = clients
    keys = {"first": "agent:main:while-locked-1", "second": "agent:main:while-locked-2"}
    for name, key in keys.items():  # the sessions exist and are cached: turns need no read
        fake_openai.script(text="hello")
        await one.ok("chat.send", {"sessionKey": key, "message": "hi", "idempotencyKey": name})
        await one.event("chat", runId=name, state="final")
    holder = sqlite3.connect(model_gateway.state_dir / "epiloop.sqlite3", isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        for name, key in keys.items():  # one turn after the other: two group commits
            run_id = name + "2"
            fake_openai.script(text=f"{name} answer")
            params = {"sessionKey": key, "message": f"{name} question", "idempotencyKey": run_id}
            await one.request("chat.send", params)
            await one.event("chat", runId=run_id, state="delta")
        asyncio.get_running_loop().call_later(0.5, holder.execute, "COMMIT")
        await one.event("chat", timeout=15, runId="second2", state="final")
        listed, history = await answers(other, await ask(other, keys["second"]))
    finally:
        holder.close()
    assert listed[keys["second"]] == 4
    assert history == [*turn("hi", "hello"), *turn("second question", "second answer")]
