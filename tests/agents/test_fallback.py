from __future__ import annotations

import logging
from typing import Any

import pytest

from agents import agentconf
from agents.fallback import COOLDOWNS, Outcome, call_with_fallback
from agents.providers import ChatMessage
from tests.agents.helpers import install, providers
from tests.fakes.anthropic.server import FakeAnthropic
from tests.fakes.openai.server import FakeOpenAI

OPUS, SONNET, GPT = "claude-opus-4-5", "claude-sonnet-4-5", "gpt-4o"


@pytest.fixture
def chain(fake_anthropic: FakeAnthropic, fake_openai: FakeOpenAI) -> None:
    install(
        {
            "agents": {
                "defaults": {
                    "model": {
                        "primary": f"anthropic/{OPUS}",
                        "fallbacks": [f"anthropic/{SONNET}", f"openai/{GPT}"],
                    }
                }
            },
            "models": providers(fake_anthropic.url, fake_openai.url),
        }
    )


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    c = Clock()
    COOLDOWNS.clock = c
    return c


async def ask(timeout: float = 60) -> tuple[Outcome, list[str]]:
    pieces: list[str] = []
    outcome = await call_with_fallback(
        agentconf.candidates("main"),
        "",
        [ChatMessage("user", "hi")],
        pieces.append,
        timeout=timeout,
    )
    return outcome, pieces


def tried(fa: FakeAnthropic, fo: FakeOpenAI) -> list[str]:
    return fa.models_requested() + fo.models_requested()


@pytest.mark.parametrize(
    ("step", "kind"),
    [
        ({"status": 429}, "rate_limit"),
        ({"status": 529}, "overloaded"),
        ({"status": 500}, "server_error"),
        ({"status": 503}, "server_error"),
        ({"status": 504}, "timeout"),
        ({"status": 401}, "auth"),
        ({"status": 403}, "auth"),
        ({"status": 402}, "billing"),
    ],
)
async def test_these_errors_move_on_to_the_next_model(
    chain: None,
    fake_anthropic: FakeAnthropic,
    fake_openai: FakeOpenAI,
    caplog: pytest.LogCaptureFixture,
    step: dict[str, Any],
    kind: str,
) -> None:
    fake_anthropic.script(model=OPUS, **step)
    fake_anthropic.script(model=SONNET, text="from sonnet")
    with caplog.at_level(logging.INFO, logger="epiloop.agent"):
        outcome, _ = await ask()
    assert outcome.ok and outcome.text == "from sonnet"
    assert str(outcome.ref) == f"anthropic/{SONNET}"
    assert f"anthropic/{OPUS} failed ({kind}); trying anthropic/{SONNET}" in caplog.text


async def test_a_stalled_model_times_out_and_leaves_time_for_the_next(
    chain: None, fake_anthropic: FakeAnthropic, fake_openai: FakeOpenAI
) -> None:
    fake_anthropic.script(model=OPUS, delay=8)
    fake_anthropic.script(model=SONNET, text="in time")
    outcome, _ = await ask(timeout=6)  # opus may stall for 6/3 s, sonnet then has 4/2 s
    assert outcome.text == "in time"
    assert outcome.attempts[0].kind == "timeout"


async def test_refused_connection_moves_on(fake_openai: FakeOpenAI) -> None:
    install(
        {
            "agents": {
                "defaults": {"model": {"primary": "dead/m1", "fallbacks": [f"openai/{GPT}"]}}
            },
            "models": {
                "providers": {
                    "dead": {"baseUrl": "http://127.0.0.1:9/v1", "apiKey": "k-dead-123"},
                    **providers(openai_url=fake_openai.url)["providers"],
                }
            },
        }
    )
    outcome, _ = await ask()
    assert outcome.ok and str(outcome.ref) == f"openai/{GPT}"
    assert outcome.attempts[0].kind == "connection"


@pytest.mark.parametrize(
    "step",
    [{"status": 400}, {"status": 400, "error_message": "prompt is too long: 300000 tokens"}],
)
async def test_invalid_requests_do_not_fall_back(
    chain: None, fake_anthropic: FakeAnthropic, fake_openai: FakeOpenAI, step: dict[str, Any]
) -> None:
    fake_anthropic.script(model=OPUS, **step)
    outcome, _ = await ask()
    assert not outcome.ok
    assert tried(fake_anthropic, fake_openai) == [OPUS]
    assert f"anthropic/{OPUS}" in outcome.failure_message()


async def test_no_fallback_once_text_has_streamed(
    chain: None, fake_anthropic: FakeAnthropic, fake_openai: FakeOpenAI
) -> None:
    fake_anthropic.script(model=OPUS, chunks=["Half ", "an ", "answer"], error_event_after=2)
    outcome, pieces = await ask()
    assert not outcome.ok and outcome.cut_off
    assert outcome.text == "Half an "
    assert pieces == ["Half ", "an "]
    assert tried(fake_anthropic, fake_openai) == [OPUS]
    assert "cut off" in outcome.failure_message()


async def test_when_all_fail_the_message_names_each_model_and_reason(
    chain: None, fake_anthropic: FakeAnthropic, fake_openai: FakeOpenAI
) -> None:
    fake_anthropic.script(model=OPUS, status=429)
    fake_anthropic.script(model=SONNET, status=529)
    fake_openai.script(model=GPT, status=500)
    outcome, _ = await ask()
    assert not outcome.ok
    assert outcome.failure_message() == (
        f"Sorry, no model could answer: anthropic/{OPUS} rate limited; "
        f"anthropic/{SONNET} overloaded; openai/{GPT} server error."
    )


async def test_cooling_model_is_skipped_until_its_cooldown_expires(
    chain: None, fake_anthropic: FakeAnthropic, fake_openai: FakeOpenAI, clock: Clock
) -> None:
    fake_anthropic.script(model=OPUS, status=429)
    assert (await ask())[0].text
    assert tried(fake_anthropic, fake_openai) == [OPUS, SONNET]
    fake_anthropic.requests.clear()
    clock.now += 59
    outcome, _ = await ask()
    assert str(outcome.ref) == f"anthropic/{SONNET}"
    assert tried(fake_anthropic, fake_openai) == [SONNET], "opus is cooling for a minute"
    fake_anthropic.requests.clear()
    clock.now += 2
    outcome, _ = await ask()
    assert str(outcome.ref) == f"anthropic/{OPUS}"


async def test_cooldowns_grow_one_five_twenty_five_sixty_minutes(
    chain: None, fake_anthropic: FakeAnthropic, clock: Clock
) -> None:
    waits = []
    for _ in range(5):
        fake_anthropic.script(model=OPUS, status=429)
        await ask()
        entry = next(iter(COOLDOWNS.entries.values()))
        waits.append(entry.until - clock.now)
        clock.now = entry.until + 1
    assert waits == [60, 300, 1500, 3600, 3600]


async def test_success_clears_the_cooldown(
    chain: None, fake_anthropic: FakeAnthropic, clock: Clock
) -> None:
    fake_anthropic.script(model=OPUS, status=429)
    await ask()
    clock.now += 61
    await ask()
    assert COOLDOWNS.entries == {}


async def test_when_all_are_cooling_the_least_recently_failed_is_tried(
    chain: None, fake_anthropic: FakeAnthropic, fake_openai: FakeOpenAI, clock: Clock
) -> None:
    fake_anthropic.script(model=OPUS, status=429)
    await ask()
    clock.now += 1
    fake_anthropic.script(model=SONNET, status=429)
    fake_openai.script(model=GPT, status=429)
    await ask()  # opus cooling: sonnet, then gpt fail
    fake_anthropic.requests.clear()
    fake_openai.requests.clear()
    clock.now += 1
    outcome, _ = await ask()
    assert tried(fake_anthropic, fake_openai) == [OPUS]
    assert outcome.ok and str(outcome.ref) == f"anthropic/{OPUS}"


async def test_cooldown_is_per_key(
    chain: None, fake_anthropic: FakeAnthropic, fake_openai: FakeOpenAI, clock: Clock
) -> None:
    fake_anthropic.script(model=OPUS, status=429)
    await ask()
    doc = {
        "agents": {"defaults": {"model": {"primary": f"anthropic/{OPUS}"}}},
        "models": {
            "providers": {"anthropic": {"baseUrl": fake_anthropic.url, "apiKey": "another-key-456"}}
        },
    }
    install(doc)
    fake_anthropic.requests.clear()
    outcome, _ = await ask()
    assert outcome.ok and tried(fake_anthropic, fake_openai) == [OPUS]


async def test_the_final_message_follows_candidate_order_with_cooling_and_missing_keys(
    fake_anthropic: FakeAnthropic, clock: Clock
) -> None:
    install(
        {
            "agents": {
                "defaults": {
                    "model": {
                        "primary": f"anthropic/{OPUS}",
                        "fallbacks": [f"anthropic/{SONNET}", "nokey/m"],
                    }
                }
            },
            "models": {
                "providers": {
                    **providers(fake_anthropic.url)["providers"],
                    "nokey": {"baseUrl": "https://llm.example/v1"},
                }
            },
        }
    )
    fake_anthropic.script(model=OPUS, status=429)
    fake_anthropic.script(model=SONNET, status=500)
    await ask()
    fake_anthropic.script(model=OPUS, status=429)
    clock.now += 1
    outcome, _ = await ask()  # both cooling: opus, the least recently failed, is tried
    assert outcome.failure_message() == (
        f"Sorry, no model could answer: anthropic/{OPUS} rate limited; "
        f"anthropic/{SONNET} cooling down; nokey/m no API key."
    )


async def test_too_long_conversation_suggests_a_fresh_session(
    chain: None, fake_anthropic: FakeAnthropic
) -> None:
    fake_anthropic.script(model=OPUS, status=400, error_message="prompt is too long: 300000 tokens")
    outcome, _ = await ask()
    assert outcome.failure_message() == (
        f"Sorry, anthropic/{OPUS} could not answer: conversation too long. "
        "Send /new to start a fresh session."
    )


@pytest.mark.django_db(transaction=True)
async def test_a_failing_key_rotates_to_the_next_auth_profile_of_the_same_model(
    fake_anthropic: FakeAnthropic, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    from asgiref.sync import sync_to_async

    from agents.models import AuthProfile

    def store_keys() -> None:
        for label, secret in (("one", "key-one-111"), ("two", "key-two-222")):
            profile = AuthProfile(profile_id=f"anthropic:{label}", provider="anthropic")
            profile.set_secret(secret)
            profile.save()

    await sync_to_async(store_keys)()
    install(
        {
            "agents": {"defaults": {"model": {"primary": f"anthropic/{OPUS}"}}},
            "auth": {
                "profiles": {
                    "anthropic:one": {"provider": "anthropic"},
                    "anthropic:two": {"provider": "anthropic"},
                }
            },
            "models": {"providers": {"anthropic": {"baseUrl": fake_anthropic.url}}},
        }
    )
    fake_anthropic.script(key="key-one-111", status=429)
    with caplog.at_level(logging.WARNING, logger="epiloop.agent"):
        outcome, _ = await ask()
    assert outcome.ok
    assert [r.api_key for r in fake_anthropic.requests] == ["key-one-111", "key-two-222"]
    one, two = f"anthropic/{OPUS} [anthropic:one]", f"anthropic/{OPUS} [anthropic:two]"
    assert f"{one} failed (rate_limit); trying {two}" in caplog.text
    fake_anthropic.requests.clear()
    await ask()
    assert [r.api_key for r in fake_anthropic.requests] == ["key-two-222"], "key one is cooling"
