"""Where the Telegram adapter takes its token, API root, chunk limit and webhook from."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from channels_app.telegram import options
from config.schema import EpiloopConfig

ENV = {"telegram_bot_token": "env-token-123", "telegram_api_root": "http://127.0.0.1:9/"}


def cfg(telegram: dict[str, Any] | None) -> EpiloopConfig:
    doc: dict[str, Any] = {} if telegram is None else {"channels": {"telegram": telegram}}
    return EpiloopConfig.model_validate(doc)


def test_the_config_token_wins_over_the_file_and_the_environment(tmp_path: Path) -> None:
    token_file = tmp_path / "tg"
    token_file.write_text("file-token-123\n")
    with override_settings(EPILOOP_ENV=ENV):
        both = options.resolve(cfg({"botToken": "cfg-token-123", "tokenFile": str(token_file)}))
        assert (both.token, both.token_source) == ("cfg-token-123", "botToken")
        from_file = options.resolve(cfg({"tokenFile": str(token_file)}))
        assert (from_file.token, from_file.token_source) == ("file-token-123", "tokenFile")
        from_env = options.resolve(cfg(None))
        assert (from_env.token, from_env.token_source) == ("env-token-123", "TELEGRAM_BOT_TOKEN")


def test_an_unreadable_token_file_names_the_key(tmp_path: Path) -> None:
    with pytest.raises(options.OptionsError, match=r"channels.telegram.tokenFile: cannot read"):
        options.resolve(cfg({"tokenFile": str(tmp_path / "missing")}))


def test_api_root_comes_from_config_then_environment_then_telegram() -> None:
    with override_settings(EPILOOP_ENV=ENV):
        assert (
            options.resolve(cfg({"apiRoot": "http://local:8081/"})).api_root == "http://local:8081"
        )
        assert options.resolve(cfg({})).api_root == "http://127.0.0.1:9"
    with override_settings(EPILOOP_ENV={}):
        assert options.resolve(cfg({})).api_root == "https://api.telegram.org"


def test_the_chunk_limit_defaults_to_4000_and_never_exceeds_4096() -> None:
    assert options.resolve(cfg({})).chunk_limit == 4000
    assert options.resolve(cfg({"textChunkLimit": 9000})).chunk_limit == 4096
    assert options.resolve(cfg({"textChunkLimit": 1500})).chunk_limit == 1500


def test_webhook_mode_serves_the_path_of_the_url_with_its_secret() -> None:
    o = options.resolve(
        cfg(
            {
                "botToken": "t-123456",
                "webhookUrl": "https://my-epiloop.fly.dev/telegram-webhook/k3y",
                "webhookSecret": "s3cret_-X",
            }
        )
    )
    assert o.webhook and o.webhook_path == "/telegram-webhook/k3y"
    assert o.webhook_secret == "s3cret_-X"


def test_a_webhook_without_a_secret_gets_a_stable_one_derived_from_the_token() -> None:
    conf = cfg({"botToken": "t-123456", "webhookUrl": "https://x.example/hook"})
    first, second = options.resolve(conf), options.resolve(conf)
    assert first.webhook_secret == second.webhook_secret
    assert "t-123456" not in first.webhook_secret and len(first.webhook_secret) == 64


def test_invalid_webhook_settings_are_explained() -> None:
    with pytest.raises(options.OptionsError, match="webhookUrl"):
        options.resolve(cfg({"botToken": "t", "webhookUrl": "my-host/hook"}))
    with pytest.raises(options.OptionsError, match="webhookSecret"):
        options.resolve(cfg({"botToken": "t", "webhookUrl": "https://x/h", "webhookSecret": "a b"}))
