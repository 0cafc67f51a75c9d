from __future__ import annotations

import pytest
from django.db import OperationalError

from agents import store, transcript
from agents.providers import ChatMessage


def test_history_drops_the_oldest_messages_beyond_the_character_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(transcript, "HISTORY_CHARS", 10)
    rows = [
        ("user", "aaaa"),
        ("assistant", "bbbb"),
        ("user", "cccc"),
        ("assistant", "dddd"),
        ("user", "ee"),
    ]
    assert store.bounded_history(rows) == [
        ChatMessage("user", "cccc"),
        ChatMessage("assistant", "dddd"),
        ChatMessage("user", "ee"),
    ]


def test_history_merges_runs_of_one_role_and_starts_with_the_user() -> None:
    rows = [("assistant", "hi"), ("user", "one"), ("user", "two"), ("assistant", "ok")]
    assert store.bounded_history(rows) == [
        ChatMessage("user", "one\n\ntwo"),
        ChatMessage("assistant", "ok"),
    ]


def test_a_single_huge_message_is_still_sent() -> None:
    assert store.bounded_history([("user", "x" * 100_000)]) == [ChatMessage("user", "x" * 100_000)]


@pytest.mark.django_db(transaction=True)
def test_a_dropped_database_connection_is_retried_once() -> None:
    calls = []

    @store.reconnecting
    def flaky() -> str:
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return "ok"

    assert flaky() == "ok"
    assert len(calls) == 2
