"""End to end: `rungateway` as a process, python-telegram-bot inside it talking to the fake
Bot API, the real agent service answering through the fake OpenAI server."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.fakes.openai import fixtures as openai_fixtures
from tests.fakes.openai.server import FakeOpenAI
from tests.fakes.telegram import FakeTelegram
from tests.support.gateway import REPO, GatewayProcess, free_port, gateway_env, start_gateway

pytestmark = pytest.mark.e2e

fake_openai_server = openai_fixtures.fake_openai_server
fake_openai = openai_fixtures.fake_openai

BOT = "epiloop_test_bot"
GROUP = -100123
LOGGED_IN = rf"\[telegram\] logged in to telegram as @{BOT}"


def config(tg: FakeTelegram, **telegram: Any) -> dict[str, Any]:
    return {
        "gateway": {"mode": "local"},
        "agents": {
            "defaults": {"model": {"primary": "openai/gpt-4o-mini"}},
            "list": [{"id": "main", "default": True}],
        },
        "channels": {
            "telegram": {"botToken": tg.token, "apiRoot": tg.url, **telegram},
        },
    }


def env(fake_openai: FakeOpenAI) -> dict[str, str]:
    return {
        "EPILOOP_GATEWAY_TOKEN": "test-gateway-token-telegram",
        "OPENAI_API_KEY": "sk-test-fake-key",
        "OPENAI_BASE_URL": fake_openai.url + "/v1",
    }


@pytest.fixture(scope="module")
def polling_bot(
    tmp_path_factory: pytest.TempPathFactory, fake_openai_server: FakeOpenAI
) -> Iterator[tuple[GatewayProcess, FakeTelegram]]:
    """One gateway polling one fake Bot API for the polling-mode tests."""
    tg = FakeTelegram().start()
    gw = start_gateway(
        tmp_path_factory.mktemp("tg-polling"),
        env=env(fake_openai_server),
        config=config(tg, allowFrom=["@alice"], groups={str(GROUP): {}}),
    )
    try:
        gw.wait_for(LOGGED_IN)
        yield gw, tg
    finally:
        gw.stop()
        tg.stop()


def test_an_allowlisted_dm_is_answered_by_the_model(
    polling_bot: tuple[GatewayProcess, FakeTelegram], fake_openai: FakeOpenAI
) -> None:
    _gw, tg = polling_bot
    fake_openai.script(text="Hi Alice, the gateway works.", delay=0.5)
    tg.dm("hello", user_id=42, username="alice")
    [message] = tg.wait_for_sent(1, chat_id=42)
    assert message["text"] == "Hi Alice, the gateway works."
    assert any(c["chat_id"] == 42 for c in tg.calls("sendChatAction"))  # typing while it ran


def test_dm_pairing_round_trip(
    polling_bot: tuple[GatewayProcess, FakeTelegram], fake_openai: FakeOpenAI
) -> None:
    gw, tg = polling_bot
    tg.dm("hi there", user_id=77, username="carol", first_name="Carol")
    [first] = tg.wait_for_sent(1, chat_id=77)
    match = re.search(r"pairing code is ([A-Z0-9]{8})", first["text"])
    assert match, first["text"]
    assert fake_openai.requests == []
    approve = subprocess.run(
        [sys.executable, str(REPO / "manage.py"), "pairing", "approve", "telegram", match[1]],
        cwd=REPO,
        env=gateway_env(gw.state_dir),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert approve.returncode == 0, approve.stdout + approve.stderr
    fake_openai.script(text="Welcome, Carol.")
    tg.dm("may I talk now?", user_id=77, username="carol", first_name="Carol")
    replies = tg.wait_for_sent(2, chat_id=77)
    assert replies[1]["text"] == "Welcome, Carol."


def test_a_group_message_without_mention_is_dropped_and_with_mention_answered(
    polling_bot: tuple[GatewayProcess, FakeTelegram], fake_openai: FakeOpenAI
) -> None:
    gw, tg = polling_bot
    start = len(gw.lines())
    tg.group("talking among ourselves", chat_id=GROUP)
    gw.wait_for(rf"\[telegram\] drop message group/{GROUP} from 42: no mention", start=start)
    assert tg.sent(GROUP) == []
    fake_openai.script(text="You called?")
    update = tg.group(f"@{BOT} are you there?", chat_id=GROUP)
    [message] = tg.wait_for_sent(1, chat_id=GROUP)
    assert message["text"] == "You called?"
    assert message["reply_parameters"]["message_id"] == update["message"]["message_id"]


def test_a_9000_character_reply_with_code_fences_arrives_as_valid_chunks(
    polling_bot: tuple[GatewayProcess, FakeTelegram], fake_openai: FakeOpenAI
) -> None:
    _gw, tg = polling_bot
    code = "```js\n" + "\n".join(f"console.log({i}); // step {i}" for i in range(160)) + "\n```"
    text = ""
    while len(text) < 9000:
        text += "Here is the next part of the program.\n\n" + code + "\n\n"
    text = text.strip()
    assert len(text) >= 9000
    fake_openai.script(text=text)
    tg.dm("write me a long program", user_id=42, username="alice")
    tg.wait_for(lambda: sum(len(m["text"]) for m in tg.sent(42)) >= len(text) * 0.95)
    chunks = [m["text"] for m in tg.sent(42) if "console.log" in m["text"]]
    assert len(chunks) >= 3
    assert all(len(c) <= 4096 for c in chunks)
    assert all(c.count("```") % 2 == 0 for c in chunks)  # every chunk's fences are closed
    assert sum(c.count("console.log(159)") for c in chunks) == text.count("console.log(159)")


def test_webhook_mode_answers_the_right_secret_and_refuses_a_wrong_one(
    tmp_path: Path, fake_openai: FakeOpenAI
) -> None:
    tg = FakeTelegram().start()
    port = free_port()
    hook = f"http://127.0.0.1:{port}/telegram-webhook/k3y"
    gw = start_gateway(
        tmp_path / "state",
        env=env(fake_openai),
        port=port,
        config=config(tg, webhookUrl=hook, webhookSecret="hook-secret-42", allowFrom=["42"]),
    )
    try:
        gw.wait_for(LOGGED_IN)
        tg.wait_for(lambda: tg.webhook["url"] == hook)
        assert tg.webhook["secret_token"] == "hook-secret-42"
        update = {"update_id": 900, **tg.message_update("hi via webhook", chat_id=42)}
        wrong = httpx.post(
            hook, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "guess"}, timeout=10
        )
        assert wrong.status_code == 403
        fake_openai.script(text="Webhook reply.")
        right = httpx.post(
            hook,
            json={**update, "update_id": 901},
            headers={"X-Telegram-Bot-Api-Secret-Token": "hook-secret-42"},
            timeout=10,
        )
        assert right.status_code == 200
        [message] = tg.wait_for_sent(1, chat_id=42)
        assert message["text"] == "Webhook reply."
        assert len(fake_openai.requests) == 1  # the refused update never reached the agent
        assert "getUpdates" not in tg.methods()
    finally:
        gw.stop()
        tg.stop()


def test_a_burst_of_webhook_updates_is_answered_in_full(
    tmp_path: Path, fake_openai: FakeOpenAI
) -> None:
    """64 users writing 4 messages each at once (far more than the bot's Bot API calls in
    flight, each with its typing indicator): every message is answered."""
    tg = FakeTelegram().start()
    port = free_port()
    hook = f"http://127.0.0.1:{port}/telegram-webhook/burst"
    gw = start_gateway(
        tmp_path / "state",
        env=env(fake_openai),
        port=port,
        config=config(
            tg, webhookUrl=hook, webhookSecret="burst-secret", dmPolicy="open", allowFrom=["*"]
        ),
    )
    users = range(5000, 5064)

    updates = [(n, user) for n, user in enumerate(list(users) * 4)]

    def post(item: tuple[int, int]) -> int:
        n, user = item
        update = {"update_id": n, **tg.message_update(f"hi {n}", chat_id=user, user_id=user)}
        headers = {"X-Telegram-Bot-Api-Secret-Token": "burst-secret"}
        return httpx.post(hook, json=update, headers=headers, timeout=30).status_code

    try:
        gw.wait_for(LOGGED_IN)
        tg.wait_for(lambda: tg.webhook["url"] == hook)
        fake_openai.script(text="Hello there.")
        with ThreadPoolExecutor(max_workers=64) as pool:
            assert set(pool.map(post, updates)) == {200}
        sent = tg.wait_for_sent(len(updates), timeout=90)
        assert len(sent) == len(updates)
        assert {m["chat_id"] for m in sent} == set(users)
    finally:
        gw.stop()
        tg.stop()


def test_a_polling_conflict_is_reported_once_and_polling_goes_on(
    polling_bot: tuple[GatewayProcess, FakeTelegram], fake_openai: FakeOpenAI
) -> None:
    gw, tg = polling_bot
    start = len(gw.lines())
    polls = tg.methods().count("getUpdates")
    # The poll in flight returns this DM; the next three getUpdates meet "another poller".
    tg.fail("getUpdates", 409, times=3)
    fake_openai.default.text = "Still here."
    tg.dm("first", user_id=42, username="alice")
    gw.wait_for(r"\[telegram\] warning: getUpdates: 409 Conflict: another process is polling")
    tg.dm("second", user_id=42, username="alice")
    tg.wait_for(lambda: [m for m in tg.sent(42) if m["text"] == "Still here."][1:], timeout=20)
    conflict_lines = [line for line in gw.lines()[start:] if "409 Conflict" in line]
    assert len(conflict_lines) == 1
    assert tg.methods().count("getUpdates") >= polls + 5  # it kept polling through them


def test_runchannel_telegram_runs_the_bot_alone_from_the_environment(tmp_path: Path) -> None:
    tg = FakeTelegram().start()
    state = tmp_path / "state"
    state.mkdir()
    proc = subprocess.Popen(
        [sys.executable, str(REPO / "manage.py"), "runchannel", "telegram"],
        cwd=REPO,
        env=gateway_env(state, {"TELEGRAM_BOT_TOKEN": tg.token, "TELEGRAM_API_ROOT": tg.url}),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    gw = GatewayProcess(proc, 0, state)
    try:
        gw.wait_for(LOGGED_IN, timeout=30)
        tg.dm("hi", user_id=5, username="dave")  # default dmPolicy: pairing
        [message] = tg.wait_for_sent(1, chat_id=5)
        assert "pairing code" in message["text"]
        assert tg.token not in gw.output()
    finally:
        assert gw.stop() == 0
        tg.stop()


def test_a_strangers_turn_is_not_offered_file_tools(
    polling_bot: tuple[GatewayProcess, FakeTelegram], fake_openai: FakeOpenAI
) -> None:
    gw, tg = polling_bot
    fake_openai.script(
        text="",
        tool_calls=[{"id": "w1", "name": "write", "input": {"path": "pwn.txt", "content": "x"}}],
    )
    fake_openai.script(text="I cannot write files for you.")
    before = len(tg.sent(chat_id=42))
    tg.dm("write pwn.txt", user_id=42, username="alice")  # allowed to chat, not an owner
    message = tg.wait_for_sent(before + 1, chat_id=42)[-1]
    assert message["text"] == "I cannot write files for you."
    first, second = fake_openai.requests[-2:]
    offered = {t["function"]["name"] for t in first.body.get("tools", [])}
    assert offered and not offered & {"read", "write", "edit", "list"}
    assert "not available" in second.body["messages"][-1]["content"]
    assert not list(gw.state_dir.rglob("pwn.txt"))
