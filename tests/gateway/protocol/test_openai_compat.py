"""/v1/chat/completions driven by the official `openai` SDK against a rungateway process."""

from __future__ import annotations

import openai
import pytest

from tests.fakes.openai.server import FakeOpenAI
from tests.gateway.protocol.client import TOKEN
from tests.support.gateway import GatewayProcess

pytestmark = pytest.mark.e2e


def sdk(gw: GatewayProcess, key: str = TOKEN) -> openai.OpenAI:
    return openai.OpenAI(base_url=gw.url + "/v1", api_key=key, max_retries=0, timeout=20)


def test_a_plain_completion_answers_as_the_agent(
    model_gateway: GatewayProcess, fake_openai: FakeOpenAI
) -> None:
    fake_openai.script(text="Pong from main", usage=(12, 3))
    with sdk(model_gateway) as client:
        completion = client.chat.completions.create(
            model="epiloop:main", messages=[{"role": "user", "content": "Ping"}]
        )
    assert completion.choices[0].message.content == "Pong from main"
    assert completion.choices[0].finish_reason == "stop"
    assert completion.model == "epiloop:main"
    assert fake_openai.requests[-1].body["messages"][-1]["content"] == "Ping"


def test_a_streamed_completion_arrives_in_pieces(
    model_gateway: GatewayProcess, fake_openai: FakeOpenAI
) -> None:
    pieces = ["Once ", "upon ", "a ", "time."]
    fake_openai.script(text="".join(pieces), chunks=pieces, chunk_delay=0.03)
    with sdk(model_gateway) as client:
        stream = client.chat.completions.create(
            model="epiloop:ops", messages=[{"role": "user", "content": "Story"}], stream=True
        )
        parts = [c.choices[0].delta.content or "" for c in stream if c.choices]
    assert "".join(parts) == "Once upon a time."
    assert len([p for p in parts if p]) >= 2


def test_the_user_field_pins_a_session(
    model_gateway: GatewayProcess, fake_openai: FakeOpenAI
) -> None:
    fake_openai.script(text="Nice to meet you, Ada")
    fake_openai.script(text="You are Ada")
    with sdk(model_gateway) as client:
        for text in ("I am Ada", "Who am I?"):
            client.chat.completions.create(
                model="epiloop:main", user="ada-42", messages=[{"role": "user", "content": text}]
            )
    second = fake_openai.requests[-1].body["messages"]
    assert [m["content"] for m in second if m["role"] != "system"] == [
        "I am Ada",
        "Nice to meet you, Ada",
        "Who am I?",
    ]


def test_a_wrong_token_is_refused(model_gateway: GatewayProcess) -> None:
    with sdk(model_gateway, "wrong-token") as client, pytest.raises(openai.AuthenticationError):
        client.chat.completions.create(
            model="epiloop:main", messages=[{"role": "user", "content": "x"}]
        )


def test_an_unknown_agent_is_not_found(model_gateway: GatewayProcess) -> None:
    with sdk(model_gateway) as client, pytest.raises(openai.NotFoundError) as err:
        client.chat.completions.create(
            model="epiloop:nobody", messages=[{"role": "user", "content": "x"}]
        )
    assert "epiloop:<agentId>" in str(err.value)


@pytest.mark.django_db
def test_the_endpoint_is_404_when_not_enabled() -> None:
    from django.test import Client

    from config import runtime
    from config.schema import EpiloopConfig

    runtime.set_current(EpiloopConfig.model_validate({"gateway": {"mode": "local"}}))
    response = Client().post(
        "/v1/chat/completions",
        data={},
        content_type="application/json",
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code == 404
    assert "chatCompletions" in response.json()["error"]["message"]
