from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings

from agents import keys
from agents.models import AuthProfile
from agents.providers import ProviderError
from tests.agents.helpers import install


@pytest.fixture
def env() -> Iterator[dict[str, str]]:
    saved = dict(settings.EPILOOP_ENV)
    yield settings.EPILOOP_ENV
    settings.EPILOOP_ENV.clear()
    settings.EPILOOP_ENV.update(saved)
    keys.forget()


def stored(profile_id: str, secret: str) -> None:
    profile = AuthProfile(
        profile_id=profile_id, provider=profile_id.partition(":")[0], mode="api_key"
    )
    profile.set_secret(secret)
    profile.save()


DOC = {
    "auth": {"profiles": {"anthropic:default": {"provider": "anthropic", "mode": "api_key"}}},
    "models": {"providers": {"anthropic": {"apiKey": "key-from-config"}}},
}


@pytest.mark.django_db
def test_a_stored_profile_secret_wins_over_env_and_config(env: dict[str, str]) -> None:
    env["anthropic_api_key"] = "key-from-env"
    stored("anthropic:default", "key-from-profile")
    install(DOC)
    assert keys.resolve("anthropic").api_key == "key-from-profile"


@pytest.mark.django_db
def test_the_env_key_comes_next(env: dict[str, str]) -> None:
    env["anthropic_api_key"] = "key-from-env"
    install(DOC)
    assert keys.resolve("anthropic").api_key == "key-from-env"


@pytest.mark.django_db
def test_the_config_api_key_comes_last(env: dict[str, str]) -> None:
    env["anthropic_api_key"] = ""
    install(DOC)
    assert keys.resolve("anthropic").api_key == "key-from-config"


@pytest.mark.django_db
def test_auth_order_picks_which_profile_is_used(env: dict[str, str]) -> None:
    stored("openai:personal", "key-personal")
    stored("openai:work", "key-work")
    install(
        {
            "auth": {
                "profiles": {
                    "openai:personal": {"provider": "openai"},
                    "openai:work": {"provider": "openai"},
                },
                "order": {"openai": ["openai:work", "openai:personal"]},
            }
        }
    )
    assert keys.resolve("openai").api_key == "key-work"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("provider", "env_name"),
    [
        ("anthropic", "ANTHROPIC_API_KEY"),
        ("openai", "OPENAI_API_KEY"),
        ("google", "GEMINI_API_KEY"),
    ],
)
def test_a_missing_key_is_one_clear_error_naming_the_ways_to_set_it(
    env: dict[str, str], provider: str, env_name: str
) -> None:
    for name in ("anthropic_api_key", "openai_api_key", "gemini_api_key"):
        env[name] = ""
    install({})
    with pytest.raises(ProviderError) as info:
        keys.resolve(provider)
    message = str(info.value)
    assert info.value.kind == "missing_key"
    assert message.startswith(f"no API key for {provider}:")
    assert "auth profile in the admin" in message
    assert env_name in message
    assert f"models.providers.{provider}.apiKey" in message


def test_google_goes_through_its_openai_compatible_endpoint(env: dict[str, str]) -> None:
    env["gemini_api_key"] = "gem-key-123"
    install({})
    endpoint = keys.resolve("google")
    assert endpoint.api == "openai-completions"
    assert endpoint.base_url == keys.GOOGLE_OPENAI_BASE
    assert endpoint.api_key == "gem-key-123"


def test_base_url_env_is_honoured_for_the_builtin_providers(env: dict[str, str]) -> None:
    env.update(
        anthropic_api_key="a-key-123",
        openai_api_key="o-key-123",
        anthropic_base_url="http://127.0.0.1:1/v1",
        openai_base_url="http://127.0.0.1:2/v1",
    )
    install({})
    assert keys.resolve("anthropic").base_url == "http://127.0.0.1:1"
    assert keys.resolve("openai").base_url == "http://127.0.0.1:2/v1"


def test_custom_provider_uses_its_base_url_and_api(env: dict[str, str]) -> None:
    install(
        {
            "models": {
                "providers": {
                    "lite": {
                        "baseUrl": "https://llm.example/v1",
                        "apiKey": "lite-key-1",
                        "api": "anthropic-messages",
                    }
                }
            }
        }
    )
    endpoint = keys.resolve("lite")
    assert (endpoint.api, endpoint.base_url, endpoint.api_key) == (
        "anthropic-messages",
        "https://llm.example",
        "lite-key-1",
    )


def test_local_server_needs_no_key(env: dict[str, str]) -> None:
    install({"models": {"providers": {"ollama": {"baseUrl": "http://127.0.0.1:11434/v1"}}}})
    assert keys.resolve("ollama").api_key == keys.LOCAL_PLACEHOLDER_KEY


def test_unknown_provider_says_how_to_declare_it(env: dict[str, str]) -> None:
    install({})
    with pytest.raises(ProviderError) as info:
        keys.resolve("mystery")
    assert info.value.kind == "unknown_provider"
    assert "models.providers.mystery" in str(info.value)
