from __future__ import annotations

import pytest

from agents.providers import ChatMessage, Endpoint, ModelCall, ProviderError, provider_for
from tests.fakes.anthropic.server import FakeAnthropic
from tests.fakes.openai.server import FakeOpenAI


def anthropic_call(fake: FakeAnthropic, model: str = "claude-opus-4-5") -> ModelCall:
    ep = Endpoint("anthropic", "anthropic-messages", fake.url, "test-key-anthropic")
    return ModelCall(ep, model, "Be brief.", [ChatMessage("user", "hi")], timeout=5)


def openai_call(fake: FakeOpenAI, model: str = "gpt-4o") -> ModelCall:
    ep = Endpoint("openai", "openai-completions", fake.url + "/v1", "test-key-openai")
    return ModelCall(ep, model, "Be brief.", [ChatMessage("user", "hi")], timeout=5)


async def collect(call: ModelCall) -> tuple[list[str], object]:
    pieces: list[str] = []
    out = await provider_for(call.endpoint.api).complete(call, pieces.append)
    return pieces, out


async def test_anthropic_reply_streams_piece_by_piece_with_usage(
    fake_anthropic: FakeAnthropic,
) -> None:
    fake_anthropic.script(chunks=["Hel", "lo", "!"], usage=(21, 3))
    pieces, out = await collect(anthropic_call(fake_anthropic))
    assert pieces == ["Hel", "lo", "!"]
    assert (out.text, out.input_tokens, out.output_tokens) == ("Hello!", 21, 3)  # type: ignore[attr-defined]
    seen = fake_anthropic.requests[0]
    assert seen.api_key == "test-key-anthropic"
    # The stable system prompt is marked for Anthropic's prompt cache.
    assert seen.body["system"] == [
        {"type": "text", "text": "Be brief.", "cache_control": {"type": "ephemeral"}}
    ]
    assert seen.body["messages"] == [{"role": "user", "content": "hi"}]


async def test_openai_reply_streams_piece_by_piece_with_usage(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(chunks=["Bon", "jour"], usage=(5, 2))
    pieces, out = await collect(openai_call(fake_openai))
    assert pieces == ["Bon", "jour"]
    assert (out.text, out.input_tokens, out.output_tokens) == ("Bonjour", 5, 2)  # type: ignore[attr-defined]
    seen = fake_openai.requests[0]
    assert seen.api_key == "test-key-openai"
    assert seen.body["messages"][0] == {"role": "system", "content": "Be brief."}


@pytest.mark.parametrize(
    ("status", "kind", "falls_back"),
    [
        (429, "rate_limit", True),
        (529, "overloaded", True),
        (500, "server_error", True),
        (503, "server_error", True),
        (401, "auth", True),
        (403, "auth", True),
        (402, "billing", True),
        (400, "invalid_request", False),
        (404, "invalid_request", False),
    ],
)
async def test_anthropic_http_errors_are_classified(
    fake_anthropic: FakeAnthropic, status: int, kind: str, falls_back: bool
) -> None:
    fake_anthropic.script(status=status)
    with pytest.raises(ProviderError) as info:
        await collect(anthropic_call(fake_anthropic))
    assert (info.value.kind, info.value.falls_back, info.value.status) == (kind, falls_back, status)
    assert len(fake_anthropic.requests) == 1, "the SDK must not retry on its own"


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (429, "rate_limit"),
        (500, "server_error"),
        (401, "auth"),
        (402, "billing"),
        (400, "invalid_request"),
    ],
)
async def test_openai_http_errors_are_classified(
    fake_openai: FakeOpenAI, status: int, kind: str
) -> None:
    fake_openai.script(status=status)
    with pytest.raises(ProviderError) as info:
        await collect(openai_call(fake_openai))
    assert info.value.kind == kind
    assert len(fake_openai.requests) == 1


async def test_context_too_long_is_its_own_kind_and_does_not_fall_back(
    fake_anthropic: FakeAnthropic, fake_openai: FakeOpenAI
) -> None:
    fake_anthropic.script(status=400, error_message="prompt is too long: 250000 tokens > 200000")
    fake_openai.script(status=400, error_type="context_length_exceeded")
    for call in (anthropic_call(fake_anthropic), openai_call(fake_openai)):
        with pytest.raises(ProviderError) as info:
            await collect(call)
        assert info.value.kind == "context_length"
        assert not info.value.falls_back


async def test_error_event_mid_stream_keeps_the_partial_text(
    fake_anthropic: FakeAnthropic, fake_openai: FakeOpenAI
) -> None:
    fake_anthropic.script(chunks=["one ", "two ", "three"], error_event_after=2)
    fake_openai.script(chunks=["one ", "two ", "three"], error_event_after=2)
    for call, kind in (
        (anthropic_call(fake_anthropic), "overloaded"),
        (openai_call(fake_openai), "server_error"),
    ):
        with pytest.raises(ProviderError) as info:
            await collect(call)
        assert info.value.kind == kind
        assert info.value.partial == "one two "


async def test_dropped_stream_is_a_connection_error_with_partial_text(
    fake_anthropic: FakeAnthropic, fake_openai: FakeOpenAI
) -> None:
    fake_anthropic.script(chunks=["a", "b", "c"], drop_after=1)
    fake_openai.script(chunks=["a", "b", "c"], drop_after=1)
    for call in (anthropic_call(fake_anthropic), openai_call(fake_openai)):
        with pytest.raises(ProviderError) as info:
            await collect(call)
        assert info.value.kind == "connection"
        assert info.value.partial == "a"


async def test_slow_server_times_out(fake_anthropic: FakeAnthropic) -> None:
    fake_anthropic.script(delay=2)
    call = anthropic_call(fake_anthropic)
    call.timeout = 0.2
    with pytest.raises(ProviderError) as info:
        await collect(call)
    assert info.value.kind == "timeout"


async def test_refused_connection_is_a_connection_error() -> None:
    ep = Endpoint("anthropic", "anthropic-messages", "http://127.0.0.1:9", "test-key")
    with pytest.raises(ProviderError) as info:
        await collect(ModelCall(ep, "m", "", [ChatMessage("user", "hi")], timeout=2))
    assert info.value.kind == "connection"


async def test_openai_fake_lists_models(fake_openai: FakeOpenAI) -> None:
    import openai

    client = openai.AsyncOpenAI(api_key="test-key", base_url=fake_openai.url + "/v1", max_retries=0)
    models = await client.models.list()
    assert [m.id async for m in models] == ["fake-model"]
    await client.close()


async def test_fakes_also_answer_plain_json_requests(
    fake_anthropic: FakeAnthropic, fake_openai: FakeOpenAI
) -> None:
    import anthropic
    import openai

    fake_anthropic.script(text="plain anthropic", usage=(3, 2))
    fake_openai.script(text="plain openai", usage=(4, 1))
    a = anthropic.AsyncAnthropic(api_key="test-key", base_url=fake_anthropic.url, max_retries=0)
    o = openai.AsyncOpenAI(api_key="test-key", base_url=fake_openai.url + "/v1", max_retries=0)
    message = await a.messages.create(
        model="claude-sonnet-4-6", max_tokens=10, messages=[{"role": "user", "content": "hi"}]
    )
    completion = await o.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "hi"}]
    )
    await a.close()
    await o.close()
    assert message.content[0].text == "plain anthropic"  # type: ignore[union-attr]
    assert message.usage.input_tokens == 3
    assert completion.choices[0].message.content == "plain openai"
    assert completion.usage is not None and completion.usage.completion_tokens == 1
