from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from asgiref.sync import sync_to_async

from agents.models import Message, Session, UsageDay
from agents.service import BUSY_TEXT, NEW_SESSION_TEXT, drain, reply_to, run_turn
from tests.agents.helpers import dm, guild_msg, install, providers
from tests.fakes.anthropic.server import FakeAnthropic
from tests.fakes.openai.server import FakeOpenAI

pytestmark = pytest.mark.django_db(transaction=True)

MODEL = "claude-sonnet-4-6"


def configure(fake: FakeAnthropic, **defaults: Any) -> None:
    install(
        {
            "agents": {"defaults": {"model": {"primary": f"anthropic/{MODEL}"}, **defaults}},
            "models": providers(fake.url),
            **defaults.pop("_extra", {}),
        }
    )


def last_user_text(seen: Any) -> str:
    return str(seen.body["messages"][-1]["content"])


async def messages(key: str) -> list[tuple[str, str, str, int, int]]:
    await drain()
    return await sync_to_async(_messages)(key)


def _messages(key: str) -> list[tuple[str, str, str, int, int]]:
    return [
        (m.role, m.text, m.model, m.tokens_in, m.tokens_out)
        for m in Message.objects.filter(session__key=key, session__active=True).order_by("id")
    ]


async def test_reply_to_answers_and_records_both_messages_with_usage(
    fake_anthropic: FakeAnthropic,
) -> None:
    configure(fake_anthropic)
    fake_anthropic.script(text="Hello there", usage=(30, 4))
    reply = await reply_to(dm("7", text="hi bot"))
    assert (reply.text, reply.ok, reply.agent_id) == ("Hello there", True, "main")
    assert reply.session_key == "agent:main:discord:dm:7"
    assert reply.model == f"anthropic/{MODEL}"
    assert await messages(reply.session_key) == [
        ("user", "hi bot", "", 0, 0),
        ("assistant", "Hello there", MODEL, 30, 4),
    ]
    await drain()
    usage = await sync_to_async(
        lambda: list(
            UsageDay.objects.values_list("agent_id", "model", "turns", "tokens_in", "tokens_out")
        )
    )()
    assert usage == [("main", MODEL, 1, 30, 4)]


async def test_history_is_sent_back_on_the_next_turn(fake_anthropic: FakeAnthropic) -> None:
    configure(fake_anthropic)
    fake_anthropic.script(text="Nice to meet you")
    await reply_to(dm("7", text="I am Ada"))
    await reply_to(dm("7", text="Who am I?"))
    assert fake_anthropic.requests[1].body["messages"] == [
        {"role": "user", "content": "I am Ada"},
        {"role": "assistant", "content": "Nice to meet you"},
        {"role": "user", "content": "Who am I?"},
    ]


async def test_history_is_bounded_in_characters(
    fake_anthropic: FakeAnthropic, monkeypatch: pytest.MonkeyPatch
) -> None:
    from agents import transcript

    monkeypatch.setattr(transcript, "HISTORY_CHARS", 50)
    configure(fake_anthropic)
    for i in range(4):
        await reply_to(dm("7", text=f"message number {i} " + "x" * 10))
    sent = fake_anthropic.requests[-1].body["messages"]
    assert sum(len(m["content"]) for m in sent) <= 50 + 30
    assert sent[-1]["content"].startswith("message number 3")
    assert sent[0]["role"] == "user"


@pytest.mark.parametrize("trigger", ["/new", "/reset", "/RESET"])
async def test_new_and_reset_start_a_fresh_session(
    fake_anthropic: FakeAnthropic, trigger: str
) -> None:
    configure(fake_anthropic)
    await reply_to(dm("7", text="remember me"))
    reply = await reply_to(dm("7", text=trigger))
    assert reply.text == NEW_SESSION_TEXT and reply.ok
    await reply_to(dm("7", text="who am I?"))
    assert fake_anthropic.requests[-1].body["messages"] == [
        {"role": "user", "content": "who am I?"}
    ]
    await drain()
    assert await sync_to_async(Session.objects.filter(key=reply.session_key).count)() == 2


async def test_reset_with_text_answers_it_in_the_new_session(fake_anthropic: FakeAnthropic) -> None:
    configure(fake_anthropic)
    await reply_to(dm("7", text="old stuff"))
    reply = await reply_to(dm("7", text="/new what is 2+2?"))
    assert reply.text == "Hello from the fake model."
    assert fake_anthropic.requests[-1].body["messages"] == [
        {"role": "user", "content": "what is 2+2?"}
    ]


async def test_configured_reset_triggers_also_reset(fake_anthropic: FakeAnthropic) -> None:
    install(
        {
            "agents": {"defaults": {"model": {"primary": f"anthropic/{MODEL}"}}},
            "models": providers(fake_anthropic.url),
            "session": {"resetTriggers": ["/forget"]},
        }
    )
    assert (await reply_to(dm("7", text="/forget"))).text == NEW_SESSION_TEXT


async def test_all_models_failing_gives_one_short_message_never_empty(
    fake_anthropic: FakeAnthropic,
) -> None:
    configure(fake_anthropic)
    fake_anthropic.default.status = 529
    reply = await reply_to(dm("7"))
    assert not reply.ok
    assert reply.text == f"Sorry, no model could answer: anthropic/{MODEL} overloaded."
    recorded = await messages(reply.session_key)
    assert recorded[-1][:2] == ("assistant", reply.text)


async def test_error_after_partial_stream_keeps_the_text_and_says_it_was_cut(
    fake_anthropic: FakeAnthropic,
) -> None:
    configure(fake_anthropic)
    fake_anthropic.script(chunks=["The answer ", "is ", "42"], error_event_after=2)
    reply = await reply_to(dm("7"))
    assert not reply.ok
    assert reply.text.startswith("The answer is")
    assert "cut off" in reply.text


async def test_run_turn_streams_the_whole_text_so_far(fake_anthropic: FakeAnthropic) -> None:
    configure(fake_anthropic)
    fake_anthropic.script(chunks=["a", "b", "c"])
    seen: list[str] = []
    result = await run_turn("main", "agent:main:main", "hi", on_delta=seen.append, abort=None)
    assert seen == ["a", "ab", "abc"]
    assert (result.text, result.ok, result.usage) == (
        "abc",
        True,
        {"inputTokens": 11, "outputTokens": 7},
    )


async def test_abort_stops_the_run_and_keeps_what_streamed(fake_anthropic: FakeAnthropic) -> None:
    configure(fake_anthropic)
    fake_anthropic.script(chunks=["first ", "second"], chunk_delay=0.3)
    abort = asyncio.Event()
    seen: list[str] = []

    def on_delta(text: str) -> None:
        seen.append(text)
        abort.set()

    result = await run_turn("main", "agent:main:main", "hi", on_delta=on_delta, abort=abort)
    assert result.aborted and not result.ok
    assert result.text == "first "


async def test_a_run_that_takes_too_long_ends_with_a_timeout(fake_anthropic: FakeAnthropic) -> None:
    configure(fake_anthropic, timeoutSeconds=1)
    fake_anthropic.script(chunks=["slow ", "reply"], chunk_delay=2)
    result = await run_turn("main", "agent:main:main", "hi", on_delta=None, abort=None)
    assert result.timed_out and not result.ok
    assert "timed out after 1 s" in result.text


async def test_max_concurrent_holds_at_the_model_server(fake_anthropic: FakeAnthropic) -> None:
    configure(fake_anthropic, maxConcurrent=3)
    fake_anthropic.default.delay = 0.05
    replies = await asyncio.gather(*(reply_to(dm(str(i))) for i in range(50)))
    assert all(r.ok for r in replies)
    assert fake_anthropic.max_in_flight == 3
    assert len(fake_anthropic.requests) == 50
    await drain()
    day = await sync_to_async(UsageDay.objects.get)()
    assert (day.turns, day.tokens_in, day.tokens_out) == (50, 50 * 11, 50 * 7)


async def test_messages_of_one_session_are_answered_one_at_a_time_in_order(
    fake_anthropic: FakeAnthropic,
) -> None:
    configure(fake_anthropic, maxConcurrent=8)
    fake_anthropic.default.delay = 0.02
    replies = await asyncio.gather(*(reply_to(dm("7", text=f"m{i}")) for i in range(6)))
    assert all(r.ok for r in replies)
    assert [last_user_text(r) for r in fake_anthropic.requests] == [f"m{i}" for i in range(6)]
    assert fake_anthropic.max_in_flight == 1
    assert len(fake_anthropic.requests[-1].body["messages"]) == 11, "each turn saw the ones before"


async def test_queue_overflow_tells_the_sender_it_is_busy(
    fake_anthropic: FakeAnthropic, caplog: pytest.LogCaptureFixture
) -> None:
    configure(fake_anthropic, _extra={"messages": {"queue": {"cap": 2}}})
    fake_anthropic.default.delay = 0.2
    with caplog.at_level(logging.WARNING, logger="epiloop.agent"):
        replies = await asyncio.gather(*(reply_to(dm("7", text=f"m{i}")) for i in range(5)))
    assert [r.busy for r in replies] == [False, False, False, True, True]
    assert replies[3].text == BUSY_TEXT
    assert "told the sender it is busy" in caplog.text
    assert len(fake_anthropic.requests) == 3


async def test_channel_system_prompt_and_workspace_files_form_the_system_prompt(
    fake_anthropic: FakeAnthropic, tmp_path: Any
) -> None:
    (tmp_path / "SOUL.md").write_text("Be kind.")
    (tmp_path / "USER.md").write_text("The user is Ada.")
    install(
        {
            "agents": {
                "defaults": {"model": {"primary": f"anthropic/{MODEL}"}},
                "list": [
                    {
                        "id": "main",
                        "workspace": str(tmp_path),
                        "identity": {"name": "Clawd", "emoji": "🦞"},
                    }
                ],
            },
            "models": providers(fake_anthropic.url),
        }
    )
    await reply_to(guild_msg(), system_prompt="Answer in French.")
    stable, volatile = fake_anthropic.requests[0].body["system"]
    assert stable["cache_control"] == {"type": "ephemeral"}
    assert stable["text"].startswith("You are Clawd 🦞, an AI agent")
    assert "## SOUL.md\n\nBe kind." in stable["text"]
    assert "The user is Ada." in stable["text"]
    assert stable["text"].endswith("Answer in French.")
    assert "Current time:" in volatile["text"] and "on Discord" in volatile["text"]


async def test_openai_models_answer_through_the_same_path(fake_openai: FakeOpenAI) -> None:
    install(
        {
            "agents": {"defaults": {"model": {"primary": "openai/gpt-4o"}}},
            "models": providers(openai_url=fake_openai.url),
        }
    )
    fake_openai.script(text="hi from gpt")
    reply = await reply_to(dm("7"))
    assert (reply.text, reply.model) == ("hi from gpt", "openai/gpt-4o")


async def test_history_comes_back_from_the_database_after_a_restart(
    fake_anthropic: FakeAnthropic,
) -> None:
    from agents import memory

    configure(fake_anthropic)
    fake_anthropic.script(text="Noted")
    await reply_to(dm("7", text="My name is Ada"))
    await drain()
    memory.forget()  # as after a restart
    await reply_to(dm("7", text="Who am I?"))
    assert [m["content"] for m in fake_anthropic.requests[-1].body["messages"]] == [
        "My name is Ada",
        "Noted",
        "Who am I?",
    ]


async def test_google_models_go_through_the_openai_compatible_endpoint(
    fake_openai: FakeOpenAI,
) -> None:
    install(
        {
            "agents": {"defaults": {"model": {"primary": "google/gemini-2.5-flash"}}},
            "models": {
                "providers": {
                    "google": {"baseUrl": fake_openai.url + "/v1", "apiKey": "gem-key-abc"}
                }
            },
        }
    )
    fake_openai.script(text="hi from gemini")
    reply = await reply_to(dm("7"))
    assert (reply.text, reply.model) == ("hi from gemini", "google/gemini-2.5-flash")
    assert fake_openai.requests[0].api_key == "gem-key-abc"
    assert fake_openai.requests[0].body["model"] == "gemini-2.5-flash"


async def test_a_missing_key_is_named_in_the_reply_and_the_next_model_answers(
    fake_openai: FakeOpenAI, caplog: pytest.LogCaptureFixture
) -> None:
    from django.conf import settings

    saved = settings.EPILOOP_ENV["anthropic_api_key"]
    settings.EPILOOP_ENV["anthropic_api_key"] = ""
    try:
        install(
            {
                "agents": {
                    "defaults": {
                        "model": {"primary": f"anthropic/{MODEL}", "fallbacks": ["openai/gpt-4o"]}
                    }
                },
                "models": providers(openai_url=fake_openai.url),
            }
        )
        with caplog.at_level(logging.WARNING, logger="epiloop.agent"):
            reply = await reply_to(dm("7"))
    finally:
        settings.EPILOOP_ENV["anthropic_api_key"] = saved
    assert reply.ok and reply.model == "openai/gpt-4o"
    assert "no API key for anthropic" in caplog.text
    assert "models.providers.anthropic.apiKey" in caplog.text


def test_warming_imports_the_providers_the_config_needs() -> None:
    from agents import agentconf
    from agents.providers import warm

    install(
        {
            "agents": {
                "defaults": {
                    "model": {"primary": "anthropic/x", "fallbacks": ["google/y", "ollama/z"]}
                }
            }
        }
    )
    assert agentconf.apis_in_use() == ["anthropic-messages", "openai-completions"]
    warm(agentconf.apis_in_use())


async def test_run_turn_has_recorded_the_turn_when_it_returns(
    fake_anthropic: FakeAnthropic,
) -> None:
    from agents import store

    configure(fake_anthropic)
    await run_turn("main", "agent:main:main", "hello", on_delta=None, abort=None)
    shown = await sync_to_async(store.history)("agent:main:main")
    assert [(m["role"], m["content"][0]["text"]) for m in shown] == [
        ("user", "hello"),
        ("assistant", "Hello from the fake model."),
    ]
    listed = await sync_to_async(store.list_sessions)()
    assert [(s["key"], s["messageCount"]) for s in listed] == [("agent:main:main", 2)]


async def test_an_empty_message_gets_a_short_answer_without_a_model_call(
    fake_anthropic: FakeAnthropic,
) -> None:
    configure(fake_anthropic)
    reply = await reply_to(dm("7", text="   "))
    assert reply.text and not reply.ok
    assert fake_anthropic.requests == []


async def test_an_unexpected_failure_still_answers(
    fake_anthropic: FakeAnthropic, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from agents import fallback

    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    configure(fake_anthropic)
    monkeypatch.setattr(fallback, "call_with_fallback", broken)
    with caplog.at_level(logging.ERROR, logger="epiloop.agent"):
        reply = await reply_to(dm("7"))
    assert not reply.ok and "gateway log" in reply.text
    assert "failed unexpectedly" in caplog.text
