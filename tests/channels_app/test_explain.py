"""The route explainer shows the access policy's decision."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from agents.explain import explain, inbound_from
from channels_app.models import PairingRequest
from config import runtime
from config.schema import EpiloopConfig

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def guide_config() -> Iterator[None]:
    runtime.set_current(
        EpiloopConfig.model_validate(
            {
                "channels": {
                    "discord": {
                        "guilds": {"111": {"requireMention": False, "channels": {"900": {}}}}
                    }
                }
            }
        )
    )
    yield
    runtime.reset()


def rows(**form: str) -> dict[str, str]:
    return dict(explain(inbound_from(form))["rows"])


def test_an_allowed_channel_message_says_allowed() -> None:
    got = rows(channel="discord", chat_kind="channel", chat_id="900", guild_id="111", sender_id="1")
    assert got["Access policy"] == "allowed: allowed"


def test_a_refused_message_gives_the_reason() -> None:
    got = rows(channel="discord", chat_kind="channel", chat_id="901", guild_id="111", sender_id="1")
    assert got["Access policy"] == "dropped: channel not allowlisted in this guild"


def test_explaining_a_dm_issues_no_pairing_code() -> None:
    got = rows(channel="discord", chat_kind="dm", chat_id="d", sender_id="5")
    assert got["Access policy"].startswith("dropped: pairing required")
    assert not PairingRequest.objects.exists()
