"""End to end: a real rungateway, the admin signed in with the gateway token, a guild
channel rule edited inline -> epiloop.json rewritten atomically with a .bak; an edit made
on disk first -> the save is refused with the re-import message."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest

from tests.config.test_roundtrip import ISSUE_EXAMPLE as EXAMPLE

# Live reload off: the edit "over ssh" below must still be on disk, not yet re-imported by
# the gateway's file watcher, when the admin saves (else the save is rightly accepted).
ISSUE_EXAMPLE = EXAMPLE.replace('"bind": "auto"', '"bind": "auto",\n    "reload": {"mode": "off"}')

pytestmark = pytest.mark.e2e

TOKEN = "test-gateway-token-admin-e2e-0123456789"


class FormReader(HTMLParser):
    """The fields of the admin change form, as a browser would submit them unchanged."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        name = a.get("name", "")
        if tag == "input" and name and a.get("type") not in ("submit", "button"):
            if a.get("type") == "checkbox" and "checked" not in a:
                return
            self.data[name] = a.get("value", "on" if a.get("type") == "checkbox" else "")
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.data[self._textarea] += (
                data.lstrip("\n") if not self.data[self._textarea] else data
            )


def read_form(html: str) -> dict[str, str]:
    form = html[html.index('id="discordguild_form"') :]
    reader = FormReader()
    reader.feed(form[: form.index("</form>")])
    return {k: v for k, v in reader.data.items() if "__prefix__" not in k}


def sign_in(client: httpx.Client) -> None:
    client.get("/admin/login/")
    response = client.post(
        "/admin/login/?next=/admin/",
        data={"csrfmiddlewaretoken": client.cookies["csrftoken"], "token": TOKEN},
    )
    assert response.status_code == 302, response.text[:500]


def guild_page(client: httpx.Client) -> tuple[str, dict[str, str]]:
    listing = client.get("/admin/channels_app/discordguild/").text
    match = re.search(r'href="(/admin/channels_app/discordguild/\d+/change/)', listing)
    assert match, listing[:1000]
    url = match.group(1)
    return url, read_form(client.get(url).text)


def test_an_admin_edit_writes_the_file_and_an_edit_on_disk_is_never_overwritten(
    gateway_factory: Callable[..., Any],
) -> None:
    gw = gateway_factory(env={"EPILOOP_GATEWAY_TOKEN": TOKEN}, config=ISSUE_EXAMPLE)
    path = gw.state_dir / "epiloop.json"
    assert path.read_text() == ISSUE_EXAMPLE  # a valid file is imported, not rewritten
    with httpx.Client(base_url=gw.url, timeout=15, follow_redirects=False) as client:
        sign_in(client)
        check_admin_edits(client, path)


def check_admin_edits(client: httpx.Client, path: Any) -> None:
    url, data = guild_page(client)
    assert data["channels-0-key"] == "general"
    data["channels-0-allow"] = "false"
    data["_save"] = "Save"
    response = client.post(url, data=data)
    assert response.status_code == 302, response.text[:3000]
    doc = json.loads(path.read_text())
    assert doc["channels"]["discord"]["guilds"]["YOUR_GUILD_ID"]["channels"]["general"] == {
        "allow": False
    }
    assert path.with_name("epiloop.json.bak").read_text() == ISSUE_EXAMPLE
    assert oct(path.stat().st_mode & 0o777) == "0o600"

    url, data = guild_page(client)
    edited_over_ssh = path.read_text().replace('"bind": "auto"', '"bind": "lan"')
    path.write_text(edited_over_ssh)
    data["channels-0-allow"] = "true"
    data["_save"] = "Save"
    refused = client.post(url, data=data)
    assert refused.status_code == 200
    assert (
        "epiloop.json changed on disk since it was last imported; re-import it (admin action "
        "or `python manage.py importconfig`) before saving" in refused.text
    )
    assert path.read_text() == edited_over_ssh
