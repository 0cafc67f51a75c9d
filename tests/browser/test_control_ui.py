"""The Control UI in a real Chromium: token, channels, agents, chat, sessions, log, admin."""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import CONFIG, TOKEN, shot
from tests.support.gateway import GatewayProcess

pytestmark = pytest.mark.browser


def sign_in(page: Any, gw: GatewayProcess) -> None:
    page.goto(gw.url + "/")
    page.get_by_test_id("token-input").fill(TOKEN)
    page.get_by_test_id("connect").click()
    expect(page.get_by_test_id("connection-state")).to_have_attribute("data-state", "connected")


def test_pasting_the_token_connects_and_shows_channels_and_agents(
    page: Any, ui_gateway: GatewayProcess
) -> None:
    page.goto(ui_gateway.url + "/")
    expect(page.get_by_test_id("connection-state")).to_have_attribute("data-state", "disconnected")
    sign_in(page, ui_gateway)
    expect(page.get_by_test_id("channels")).to_contain_text("Discord")
    expect(page.get_by_test_id("channels")).to_contain_text("Telegram")
    expect(page.get_by_test_id("agents")).to_contain_text("Main")
    expect(page.get_by_test_id("agents")).to_contain_text("openai/gpt-4o-mini")
    expect(page.locator("#ov-uptime")).not_to_have_text("\u2013")
    expect(page.get_by_test_id("config-status")).to_contain_text("config valid")
    shot(page, "overview")
    # The token is remembered: a reload connects without asking.
    page.reload()
    expect(page.get_by_test_id("connection-state")).to_have_attribute("data-state", "connected")


def test_a_token_in_the_address_is_stored_and_removed_from_it(
    page: Any, ui_gateway: GatewayProcess
) -> None:
    page.goto(ui_gateway.url + f"/?token={TOKEN}")
    expect(page.get_by_test_id("connection-state")).to_have_attribute("data-state", "connected")
    assert "token" not in page.url
    assert page.evaluate("localStorage.getItem('epiloop.gatewayToken')") == TOKEN


def test_a_wrong_token_says_so(page: Any, ui_gateway: GatewayProcess) -> None:
    page.goto(ui_gateway.url + "/")
    page.get_by_test_id("token-input").fill("not-the-token")
    page.get_by_test_id("connect").click()
    expect(page.get_by_test_id("connection-state")).to_have_attribute("data-state", "unauthorized")
    expect(page.locator("#notice")).to_contain_text("refused this token")
    shot(page, "wrong-token")


def test_a_chat_reply_streams_in(page: Any, ui_gateway: GatewayProcess, fake_openai: Any) -> None:
    words = [f"streamed{i} " for i in range(30)]
    fake_openai.script(text="".join(words), chunks=words, chunk_delay=0.06)
    sign_in(page, ui_gateway)
    page.get_by_test_id("chat-input").fill("Tell me a story")
    page.get_by_test_id("chat-send").click()
    transcript = page.get_by_test_id("chat-transcript")
    expect(transcript.locator(".msg.user")).to_have_text("Tell me a story")
    reply = transcript.locator(".msg.assistant").last
    expect(reply).to_have_class(re.compile("streaming"))
    # Part of the reply while it streams (the gateway's first turn also loads the model SDK).
    expect(reply).to_contain_text("streamed3", timeout=30_000)
    shot(page, "chat-streaming")
    expect(reply).not_to_have_class(re.compile("streaming"), timeout=15_000)
    expect(reply).to_have_text("".join(words).strip())
    shot(page, "chat")


def test_abort_stops_a_long_reply(page: Any, ui_gateway: GatewayProcess, fake_openai: Any) -> None:
    pieces = [f"long{i} " for i in range(400)]
    fake_openai.script(text="".join(pieces), chunks=pieces, chunk_delay=0.03)
    sign_in(page, ui_gateway)
    page.get_by_test_id("chat-input").fill("Talk for a long time")
    page.get_by_test_id("chat-send").click()
    reply = page.get_by_test_id("chat-transcript").locator(".msg.assistant").last
    expect(reply).to_contain_text("long2", timeout=30_000)
    page.get_by_test_id("chat-abort").click()
    expect(reply).to_have_class(re.compile("aborted"))
    expect(reply).to_contain_text("aborted")
    expect(page.get_by_test_id("chat-abort")).to_be_disabled()
    shot(page, "chat-aborted")


def test_a_session_opens_with_its_history(
    page: Any, ui_gateway: GatewayProcess, fake_openai: Any
) -> None:
    # The whole reply shows (a delta) most of a second before the stream, and so the run,
    # ends: the page is reloaded only once the run is final, i.e. recorded.
    fake_openai.script(text="Filed under ops.", chunks=["Filed under ops.", ""], chunk_delay=0.8)
    sign_in(page, ui_gateway)
    page.evaluate("""() => {
        const p = document.querySelector('#session-picker');
        p.append(new Option('agent:ops:main', 'agent:ops:main')); p.value = 'agent:ops:main';
        document.querySelector('#sessions').append(Object.assign(
            document.createElement('tr'), {id: 'before-refresh'}));
    }""")
    # The session list comes back without that session (it has no messages yet): it stays
    # chosen, so the chat goes there and not to "main".
    page.locator("#sessions-refresh").click()
    expect(page.locator("#before-refresh")).to_have_count(0)
    expect(page.locator("#session-picker")).to_have_value("agent:ops:main")
    page.get_by_test_id("chat-input").fill("File this for ops")
    page.get_by_test_id("chat-send").click()
    reply = page.get_by_test_id("chat-transcript").locator(".msg.assistant").last
    expect(reply).to_have_text("Filed under ops.", timeout=30_000)
    expect(reply).not_to_have_class(re.compile("streaming"))  # the final event came
    # A fresh page: the transcript is empty until the session is opened from the list.
    page.reload()
    expect(page.get_by_test_id("connection-state")).to_have_attribute("data-state", "connected")
    row = page.get_by_test_id("sessions").locator("tr[data-session='agent:ops:main']")
    row.get_by_role("button", name="Open").click()
    transcript = page.get_by_test_id("chat-transcript")
    expect(transcript.locator(".msg.user")).to_have_text(["File this for ops"])
    expect(transcript.locator(".msg.assistant")).to_have_text(["Filed under ops."])
    expect(page.locator("#session-picker")).to_have_value("agent:ops:main")
    shot(page, "sessions")


def test_the_log_moves(page: Any, ui_gateway: GatewayProcess) -> None:
    import websockets.sync.client
    from websockets.typing import Origin

    sign_in(page, ui_gateway)
    log = page.get_by_test_id("log")
    expect(log).to_contain_text("[gateway] listening on ws://")
    # Something happens on the gateway: a browser from a foreign origin is turned away.
    url = ui_gateway.url.replace("http", "ws") + "/"
    with (
        websockets.sync.client.connect(url, origin=Origin("http://evil.example")) as ws,
        contextlib.suppress(Exception),
    ):
        ws.recv(timeout=2)
    expect(log).to_contain_text("refused WebSocket from origin http://evil.example")
    page.get_by_test_id("log-filter").fill("evil.example")
    expect(log.locator("div")).to_have_count(1)
    shot(page, "log")


def test_the_admin_accepts_the_gateway_token(page: Any, ui_gateway: GatewayProcess) -> None:
    page.goto(ui_gateway.url + "/admin/login/")
    page.locator("input[name=token]").fill(TOKEN)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#site-name")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    shot(page, "admin")


def test_it_is_usable_at_phone_width(browser: Any, ui_gateway: GatewayProcess) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    try:
        sign_in(page, ui_gateway)
        expect(page.get_by_test_id("agents")).to_contain_text("Main")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1
        assert page.get_by_test_id("chat-send").bounding_box()["width"] > 40
        shot(page, "phone")
    finally:
        context.close()


def test_an_invalid_config_shows_each_problem_with_its_path(
    page: Any, tmp_path: Any, gateway_factory: Any
) -> None:
    bad = json.loads(json.dumps(CONFIG))
    bad["channels"] = {"discord": {"groupPolicy": "allow"}}
    gw = gateway_factory("--no-channels", env={"EPILOOP_GATEWAY_TOKEN": TOKEN}, config=bad)
    sign_in(page, gw)
    status = page.get_by_test_id("config-status")
    expect(status).to_contain_text("config invalid")
    expect(status).to_contain_text("channels.discord.groupPolicy")
    expect(status.locator(".problem").first).to_contain_text("channels.discord.groupPolicy")
    shot(page, "config-invalid")


def test_a_lost_connection_says_so_and_reconnects(page: Any, gateway_factory: Any) -> None:
    gw = gateway_factory("--no-channels", env={"EPILOOP_GATEWAY_TOKEN": TOKEN}, config=CONFIG)
    sign_in(page, gw)
    gw.stop()
    state = page.get_by_test_id("connection-state")
    expect(state).to_have_attribute("data-state", re.compile("disconnected|connecting"))
    expect(page.locator("#notice")).to_contain_text(re.compile("gateway is stopping|lost"))
    shot(page, "disconnected")
    again = gateway_factory(
        "--no-channels", env={"EPILOOP_GATEWAY_TOKEN": TOKEN}, config=CONFIG, port=gw.port
    )
    expect(state).to_have_attribute("data-state", "connected", timeout=20_000)
    assert again.port == gw.port


def test_the_raw_config_editor_saves_and_refuses_a_stale_base(
    page: Any, gateway_factory: Any
) -> None:
    gw = gateway_factory("--no-channels", env={"EPILOOP_GATEWAY_TOKEN": TOKEN}, config=CONFIG)
    sign_in(page, gw)
    page.locator("#config-raw-box summary").click()
    raw = page.get_by_test_id("config-raw")
    expect(raw).to_have_value(re.compile('"agents"'))
    doc = json.loads(raw.input_value())
    doc["messages"] = {"responsePrefix": "[epiloop]"}
    raw.fill(json.dumps(doc, indent=2))
    page.get_by_test_id("config-save").click()
    expect(page.get_by_test_id("config-save-result")).to_have_text(re.compile("^saved"))
    data = (gw.state_dir / "epiloop.json").read_bytes()
    saved = json.loads(data)
    assert saved["messages"]["responsePrefix"] == "[epiloop]"
    # The page has re-read the file it saved (its base is the new hash).
    expect(raw).to_have_attribute("data-hash", hashlib.sha256(data).hexdigest())
    # Someone edits the file over ssh; the page's copy is now stale and must not win.
    saved["messages"]["responsePrefix"] = "[ssh]"
    (gw.state_dir / "epiloop.json").write_text(json.dumps(saved, indent=2))
    doc["messages"] = {"responsePrefix": "[page]"}
    raw.fill(json.dumps(doc, indent=2))
    page.get_by_test_id("config-save").click()
    expect(page.get_by_test_id("config-save-result")).to_contain_text("config changed since")
    assert json.loads((gw.state_dir / "epiloop.json").read_text())["messages"] == {
        "responsePrefix": "[ssh]"
    }
    shot(page, "config-editor")
