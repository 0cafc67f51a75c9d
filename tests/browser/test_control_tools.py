"""The Control UI while an agent uses tools: a card per call, and Markdown replies."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import shot
from tests.browser.test_control_ui import sign_in
from tests.support.gateway import GatewayProcess

pytestmark = pytest.mark.browser

REPLY = """Saved **hello.md** for you:

- one item
- two `items`

```python
print("<b>hi</b>")
```

See [the docs](https://example.com/docs) <img src=x onerror="window.pwned=1">"""


def test_a_tool_call_shows_as_a_card_and_the_reply_renders_as_markdown(
    page: Any, ui_gateway: GatewayProcess, fake_openai: Any
) -> None:
    fake_openai.script(
        text="",
        tool_calls=[{"id": "c1", "name": "write", "input": {"path": "hello.md", "content": "hi"}}],
    )
    fake_openai.script(text=REPLY, chunk_delay=0.02)
    sign_in(page, ui_gateway)
    page.get_by_test_id("chat-input").fill("Save a greeting")
    page.get_by_test_id("chat-send").click()
    transcript = page.get_by_test_id("chat-transcript")
    card = transcript.get_by_test_id("tool-card")
    expect(transcript.locator(".msg.assistant").last).not_to_have_class(
        re.compile("streaming"), timeout=30_000
    )
    expect(card).to_have_count(1, timeout=30_000)
    expect(card.locator(".tool-name")).to_have_text("write")
    expect(card.locator(".tool-status")).to_contain_text("done")
    reply = transcript.locator(".msg.assistant").last
    expect(reply.locator("strong")).to_have_text("hello.md", timeout=15_000)
    expect(reply.locator("li")).to_have_text(["one item", "two items"])
    expect(reply.locator("li code")).to_have_text("items")
    expect(reply.locator("pre code")).to_have_text('print("<b>hi</b>")')
    link = reply.locator("a")
    expect(link).to_have_attribute("href", "https://example.com/docs")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    expect(reply).to_contain_text("<img src=x")  # shown as text, never as markup
    assert reply.locator("img, b").count() == 0
    assert page.evaluate("() => window.pwned") is None
    card.locator("summary").click()
    expect(card.locator(".tool-detail")).to_contain_text('"path": "hello.md"')
    shot(page, "chat-tools")

    page.reload()
    expect(page.get_by_test_id("connection-state")).to_have_attribute("data-state", "connected")
    page.get_by_test_id("sessions").locator("tr[data-session='agent:main:main']").get_by_role(
        "button", name="Open"
    ).click()
    again = page.get_by_test_id("chat-transcript")
    expect(again.get_by_test_id("tool-card").last.locator(".tool-status")).to_have_text("done")
    expect(again.locator(".msg.assistant").last.locator("strong")).to_have_text("hello.md")
