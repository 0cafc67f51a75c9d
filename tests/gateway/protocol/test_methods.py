"""Each method's payload shape, over a real WebSocket against a rungateway process."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed

from tests.gateway.protocol.client import Client
from tests.support.gateway import GatewayProcess

pytestmark = pytest.mark.e2e


@pytest.fixture
async def client(gateway: GatewayProcess) -> AsyncIterator[Client]:
    c = await Client.open(gateway.ws_url)
    yield c
    await c.close()


async def test_health_has_the_documented_shape(client: Client) -> None:
    health = await client.ok("health")
    assert health["ok"] is True
    assert {
        "ts",
        "durationMs",
        "channels",
        "channelOrder",
        "channelLabels",
        "heartbeatSeconds",
        "defaultAgentId",
        "agents",
        "sessions",
    } <= set(health)
    assert health["defaultAgentId"] == "main"
    assert [a["agentId"] for a in health["agents"]] == ["main", "ops"]
    assert health["agents"][0] == {
        "agentId": "main",
        "name": "Main",
        "isDefault": True,
        "sessions": health["agents"][0]["sessions"],
    }
    assert set(health["sessions"]) == {"count", "recent"}


async def test_status_names_version_bind_and_config(client: Client) -> None:
    status = await client.ok("status")
    assert status["version"]
    assert status["bind"] == "loopback"
    assert status["port"] > 0
    assert status["configValid"] is True
    assert status["configProblems"] == []
    assert status["uptimeMs"] >= 0


async def test_system_presence_lists_the_gateway_and_this_client(client: Client) -> None:
    entries = await client.ok("system-presence")
    modes = [e["mode"] for e in entries]
    assert modes[0] == "gateway"
    assert "cli" in modes


async def test_agents_and_models_come_from_the_config(client: Client) -> None:
    agents = await client.ok("agents.list")
    assert agents["defaultId"] == "main"
    assert [(a["id"], a["name"]) for a in agents["agents"]] == [("main", "Main"), ("ops", "Ops")]
    assert agents["agents"][0]["model"]["primary"] == "openai/gpt-4o-mini"
    models = await client.ok("models.list")
    assert {
        "id": "gpt-4o-mini",
        "name": "openai/gpt-4o-mini",
        "provider": "openai",
        "ref": "openai/gpt-4o-mini",
    } in models["models"]


async def test_channels_status_lists_each_channel(client: Client) -> None:
    status = await client.ok("channels.status")
    assert status["channelOrder"] == ["discord", "telegram"]
    assert status["channelLabels"]["discord"] == "Discord"
    assert status["channels"]["telegram"]["connected"] is False


async def test_sessions_list_and_chat_history_answer_for_an_unused_session(client: Client) -> None:
    sessions = await client.ok("sessions.list")
    assert {"ts", "count", "sessions", "defaults"} <= set(sessions)
    history = await client.ok("chat.history", {"sessionKey": "main", "limit": 10})
    assert history["sessionKey"] == "agent:main:main"
    assert history["messages"] == []


async def test_an_unknown_method_is_an_invalid_request(client: Client) -> None:
    res = await client.call("teleport")
    assert res["ok"] is False
    assert res["error"] == {"code": "INVALID_REQUEST", "message": "unknown method: teleport"}


async def test_missing_params_name_the_parameter(client: Client) -> None:
    res = await client.call("chat.send", {"sessionKey": "main"})
    assert res["error"]["message"] == "message is required (a non-empty string)"


async def test_a_frame_over_512_kib_is_refused(client: Client) -> None:
    big = json.dumps(
        {"type": "req", "id": "big", "method": "health", "params": {"pad": "x" * (600 * 1024)}}
    )
    await client.ws.send(big)
    res = await client.response(None)  # type: ignore[arg-type]  # no id could be read
    assert res["ok"] is False
    assert res["error"]["message"].startswith("frame too large:")
    with pytest.raises(ConnectionClosed) as closed:
        await client.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009


async def test_event_seq_strictly_increases(gateway: GatewayProcess, client: Client) -> None:
    # Ticks (every 0.2 s here) and presence events from other connections interleave.
    others = [await Client.open(gateway.ws_url) for _ in range(3)]
    for other in others:
        await other.close()
    seqs: list[int] = []
    while len(seqs) < 8:
        frame = await client.recv()
        if frame["type"] == "event":
            seqs.append(frame["seq"])
    assert seqs == sorted(set(seqs))
    assert all(b > a for a, b in itertools.pairwise(seqs))


async def test_ticks_arrive_at_the_policy_interval(client: Client) -> None:
    tick = await client.event("tick", timeout=3)
    assert isinstance(tick["payload"]["ts"], int)


async def test_presence_events_follow_connects_and_disconnects(
    gateway: GatewayProcess, client: Client
) -> None:
    other = await Client.open(gateway.ws_url)
    conn_id = other.hello["server"]["connId"]

    def ids(frame: dict[str, Any]) -> set[str]:
        return {e.get("connId", "") for e in frame["payload"]["presence"]}

    while conn_id not in ids(await client.event("presence")):
        pass
    await other.close()
    while conn_id in ids(await client.event("presence")):
        pass


async def test_logs_tail_moves_its_cursor(client: Client) -> None:
    first = await client.ok("logs.tail", {"limit": 50})
    assert first["file"].endswith("logs/epiloop.log")
    assert any("[gateway] listening on ws://" in line for line in first["lines"])
    again = await client.ok("logs.tail", {"cursor": first["cursor"]})
    assert again["cursor"] >= first["cursor"]
    assert again["reset"] is False


async def test_config_get_redacts_secrets_and_gives_a_hash(client: Client) -> None:
    config = await client.ok("config.get")
    assert config["valid"] is True
    assert len(config["hash"]) == 64
    assert config["config"]["agents"]["list"][0]["id"] == "main"


async def test_config_set_with_a_stale_hash_is_refused(client: Client) -> None:
    config = await client.ok("config.get")
    raw = json.dumps(config["config"])
    res = await client.call("config.set", {"raw": raw, "baseHash": "0" * 64})
    assert res["ok"] is False
    assert res["error"]["message"].startswith("config changed since it was loaded")
    assert (await client.ok("config.get"))["hash"] == config["hash"]


async def test_config_patch_with_the_current_hash_applies(client: Client) -> None:
    config = await client.ok("config.get")
    patch = json.dumps({"messages": {"responsePrefix": "[bot]"}})
    res = await client.ok("config.patch", {"raw": patch, "baseHash": config["hash"]})
    assert res["hash"] != config["hash"]
    after = await client.ok("config.get")
    assert after["config"]["messages"]["responsePrefix"] == "[bot]"
    assert after["config"]["agents"] == config["config"]["agents"]


async def test_config_set_refuses_an_invalid_config_naming_the_path(client: Client) -> None:
    config = await client.ok("config.get")
    doc = dict(config["config"], session={"dmScope": "everyone"})
    res = await client.call("config.set", {"raw": json.dumps(doc), "baseHash": config["hash"]})
    assert res["ok"] is False
    assert "session.dmScope" in res["error"]["message"]


async def test_config_schema_is_a_json_schema_with_ui_hints(client: Client) -> None:
    schema = await client.ok("config.schema")
    assert schema["schema"]["type"] == "object"
    assert "gateway" in schema["schema"]["properties"]
    assert schema["uiHints"]["gateway.auth.token"]["sensitive"] is True
    # Each platform's hints come from its registry entry, grouped under its label.
    assert schema["uiHints"]["channels.telegram.botToken"] == {
        "label": "Telegram bot token",
        "sensitive": True,
        "group": "Telegram",
    }


async def test_requests_answer_in_order_under_load(client: Client) -> None:
    ids = [await client.request("health") for _ in range(50)]
    answers = [await client.response(i) for i in ids]
    assert all(a["ok"] for a in answers)
    await asyncio.sleep(0)
