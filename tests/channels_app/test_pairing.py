"""DM pairing codes, approval by command and by admin action, remembered senders."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from io import StringIO
from typing import cast

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from agents.inbound import InboundMessage
from channels_app import pairing
from channels_app.models import PairingRequest
from channels_app.policy import decide
from config.schema import EpiloopConfig

pytestmark = pytest.mark.django_db

DM = InboundMessage(
    channel="discord", chat_kind="dm", chat_id="d1", sender_id="42", sender_name="alice", text="hi"
)
CONFIG = EpiloopConfig.model_validate({"channels": {"discord": {}}})


def test_codes_use_eight_unambiguous_characters() -> None:
    for _ in range(200):
        code = pairing.new_code()
        assert len(code) == 8
        assert not set(code) & set("01OI")


def test_an_unknown_sender_gets_exactly_one_code_until_approved() -> None:
    first = decide(DM, CONFIG)
    assert not first.allowed
    code = PairingRequest.objects.get().code
    assert code in first.reply
    second = decide(DM, CONFIG)
    assert not second.allowed and second.reply == ""
    assert PairingRequest.objects.count() == 1


def test_approval_by_command_lets_the_sender_in_and_is_remembered() -> None:
    decide(DM, CONFIG)
    code = PairingRequest.objects.get().code
    out = StringIO()
    call_command("pairing", "approve", "discord", code.lower(), stdout=out)
    assert "approved discord sender alice (42)" in out.getvalue()
    assert decide(DM, CONFIG).allowed
    assert decide(replace(DM, text="again"), CONFIG).allowed


def test_approving_an_unknown_code_fails_with_a_clear_message() -> None:
    with pytest.raises(CommandError, match="no pairing request with code ZZZZZZZZ on discord"):
        call_command("pairing", "approve", "discord", "ZZZZZZZZ")


def test_an_expired_code_cannot_be_approved_and_a_new_one_is_sent() -> None:
    decide(DM, CONFIG)
    row = PairingRequest.objects.get()
    row.expires_at = timezone.now() - timedelta(seconds=1)
    row.save()
    with pytest.raises(pairing.PairingError, match="expired"):
        pairing.approve("discord", row.code)
    fresh = decide(DM, CONFIG)
    assert fresh.reply and row.code not in fresh.reply


def test_at_most_three_codes_are_pending_per_channel() -> None:
    for sender in ("1", "2", "3"):
        assert decide(replace(DM, sender_id=sender), CONFIG).reply
    fourth = decide(replace(DM, sender_id="4"), CONFIG)
    assert not fourth.allowed and fourth.reply == ""
    assert "3 codes are already pending" in fourth.reason
    other_channel = replace(DM, channel="telegram", sender_id="4")
    assert pairing.request_code(other_channel).created


def test_pairing_list_shows_pending_codes() -> None:
    decide(DM, CONFIG)
    out = StringIO()
    call_command("pairing", "list", stdout=out)
    code = PairingRequest.objects.get().code
    assert f"discord\t{code}\t42 (alice)" in out.getvalue()


def test_pairing_list_says_when_nothing_is_pending() -> None:
    out = StringIO()
    call_command("pairing", "list", stdout=out)
    assert "no pending pairing requests" in out.getvalue()


def test_the_admin_action_approves_a_code() -> None:
    decide(DM, CONFIG)
    row = PairingRequest.objects.get()
    admin_user = User.objects.create_superuser("root", "root@example.com", "pw-test-123")
    client = Client()
    client.force_login(admin_user)
    response = client.post(
        "/admin/channels_app/pairingrequest/",
        {"action": "approve_selected", "_selected_action": [row.pk]},
        follow=True,
    )
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    assert shown == ["approved discord sender alice"]
    assert decide(DM, CONFIG).allowed


@pytest.mark.parametrize("page", ["pairingrequest", "approvedsender", "droppedmessage"])
def test_channel_admin_pages_render(page: str) -> None:
    admin_user = User.objects.create_superuser("root", "root@example.com", "pw-test-123")
    client = Client()
    client.force_login(admin_user)
    assert client.get(f"/admin/channels_app/{page}/").status_code == 200


def test_the_dropped_messages_page_says_what_the_channels_are_doing() -> None:
    from channels_app import runner
    from channels_app.base import ChannelStatus
    from channels_app.contract import Adapter

    class Running:
        def status(self) -> dict[str, object]:
            st = ChannelStatus("discord")
            st.connected_now("epiloop-bot", "1")
            return st.as_dict()

    admin_user = User.objects.create_superuser("root", "root@example.com", "pw-test-123")
    client = Client()
    client.force_login(admin_user)
    page = client.get("/admin/channels_app/droppedmessage/")
    assert [str(m) for m in page.context["messages"]] == [
        "no chat channel is running in this process"
    ]
    runner.RUNNING["discord"] = cast(Adapter, Running())  # the admin reads only status()
    try:
        page = client.get("/admin/channels_app/droppedmessage/")
    finally:
        runner.RUNNING.pop("discord")
    [line] = [str(m) for m in page.context["messages"]]
    assert line.startswith("discord: connected as epiloop-bot; guilds 0;")
    assert line.endswith("last error: none")
