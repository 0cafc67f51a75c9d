"""The real discord.py client against the fake Discord, in-process."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from asgiref.sync import sync_to_async

from channels_app.chunking import split_reply
from channels_app.discord.adapter import DiscordAdapter
from config import runtime
from tests.channels_app.discord.helpers import (
    Echo,
    config_for,
    reasons,
    sent,
    started,
    until,
    wait_reasons,
)
from tests.fakes.discord import FakeDiscord
from tests.fakes.discord.fixtures import GENERAL, RANDOM, THREAD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
async def adapter(fake_discord: FakeDiscord) -> AsyncIterator[DiscordAdapter]:
    bot = await started(fake_discord, config_for(fake_discord))
    yield bot
    await bot.stop()
    runtime.reset()


async def test_it_logs_in_and_says_so(
    fake_discord: FakeDiscord, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="epiloop.discord"):
        bot = await started(fake_discord, config_for(fake_discord))
        await bot.stop()
    assert "logged in to discord as epiloop-bot (id 1000001)" in caplog.messages
    assert fake_discord.compressed_sessions == 1, "the gateway spoke zlib-stream"
    identify = fake_discord.last_identify
    assert identify["intents"] & (1 << 15), "message content intent"
    assert (
        identify["intents"] & (1 << 0)
        and identify["intents"] & (1 << 9)
        and identify["intents"] & (1 << 12)
    )


async def test_status_shows_the_connection(adapter: DiscordAdapter) -> None:
    status = adapter.status()
    assert status["connected"] is True
    assert status["bot_user"] == "epiloop-bot"
    assert status["guild_count"] == 1
    assert status["last_connect"]


async def test_it_answers_in_general_without_a_mention(
    adapter: DiscordAdapter, fake_discord: FakeDiscord
) -> None:
    trigger = fake_discord.send_message(GENERAL, "hello bot")
    [reply] = await sent(fake_discord, 1, GENERAL)
    assert reply["content"] == "echo: hello bot"
    assert reply["reply_to"] == trigger
    await until(lambda: adapter.status()["last_outbound"])


async def test_typing_is_shown_before_the_reply(fake_discord: FakeDiscord) -> None:
    bot = await started(fake_discord, config_for(fake_discord), Echo(delay=0.2))
    fake_discord.send_message(GENERAL, "think first")
    await sent(fake_discord, 1, GENERAL)
    await bot.stop()
    assert fake_discord.events[:2] == [("typing", GENERAL), ("message", GENERAL)]


async def test_typing_is_repeated_while_a_long_run_lasts(
    fake_discord: FakeDiscord, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("channels_app.discord.adapter.TYPING_INTERVAL", 0.1)
    bot = await started(fake_discord, config_for(fake_discord), Echo(delay=0.55))
    fake_discord.send_message(GENERAL, "slow")
    await sent(fake_discord, 1, GENERAL)
    await bot.stop()
    assert len(fake_discord.typing) >= 4


async def test_a_message_in_another_channel_is_dropped_with_the_reason(
    adapter: DiscordAdapter, fake_discord: FakeDiscord, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="epiloop.discord"):
        fake_discord.send_message(RANDOM, "anyone?")
        assert await wait_reasons() == ["channel not allowlisted in this guild"]
    assert (
        f"drop message 111/{RANDOM} from 42: channel not allowlisted in this guild"
        in caplog.messages
    )
    assert fake_discord.sent_to(RANDOM) == []


async def test_a_thread_follows_its_parent_channel(
    adapter: DiscordAdapter, fake_discord: FakeDiscord
) -> None:
    fake_discord.send_message(THREAD, "in a thread")
    [reply] = await sent(fake_discord, 1, THREAD)
    assert reply["content"] == "echo: in a thread"


async def test_the_bot_ignores_its_own_messages(
    adapter: DiscordAdapter, fake_discord: FakeDiscord
) -> None:
    fake_discord.send_message(GENERAL, "one")
    await sent(fake_discord, 1, GENERAL)
    await asyncio.sleep(0.2)  # the echo of the bot's own reply has arrived and was ignored
    assert len(fake_discord.sent) == 1
    assert await reasons() == []


async def test_mentions_and_replies_to_the_bot_count(fake_discord: FakeDiscord) -> None:
    config = config_for(fake_discord, guilds={"111": {"requireMention": True}})
    bot = await started(fake_discord, config)
    fake_discord.send_message(GENERAL, "no mention")
    fake_discord.send_message(GENERAL, "with mention", mention_bot=True)
    [first] = await sent(fake_discord, 1, GENERAL)
    assert first["content"] == "echo: with mention"
    fake_discord.send_message(GENERAL, "a reply", reply_to=first["id"])
    second = (await sent(fake_discord, 2, GENERAL))[1]
    await bot.stop()
    assert second["content"] == "echo: a reply"
    assert await wait_reasons() == ["no mention (requireMention)"]


async def test_other_bots_are_ignored(adapter: DiscordAdapter, fake_discord: FakeDiscord) -> None:
    fake_discord.send_message(GENERAL, "beep", author_id="77", author_name="otherbot", bot=True)
    assert await wait_reasons() == ["sender is a bot (allowBots is off)"]


async def test_a_long_reply_arrives_in_fence_correct_chunks(fake_discord: FakeDiscord) -> None:
    code = (
        "```python\n"
        + "\n".join(f"result_{i} = compute({i})  # step {i}" for i in range(120))
        + "\n```"
    )
    long_text = ("Intro paragraph. " * 60 + "\n\n" + code + "\n\n" + "Closing words. " * 80)[
        :5000
    ] + "\n```"
    bot = await started(fake_discord, config_for(fake_discord), Echo(text_for=lambda _m: long_text))
    trigger = fake_discord.send_message(GENERAL, "long please")
    expected = split_reply(long_text, 2000)
    messages = await sent(fake_discord, len(expected), GENERAL)
    await bot.stop()
    assert [m["content"] for m in messages] == expected
    assert all(len(m["content"]) <= 2000 for m in messages)
    assert messages[0]["reply_to"] == trigger
    assert all(m["reply_to"] is None for m in messages[1:])


async def test_text_chunk_limit_is_honoured_and_capped_at_2000(fake_discord: FakeDiscord) -> None:
    bot = await started(
        fake_discord,
        config_for(fake_discord, textChunkLimit=500),
        Echo(text_for=lambda _m: "word " * 300),
    )
    fake_discord.send_message(GENERAL, "x")
    messages = await sent(fake_discord, 3, GENERAL)
    await bot.stop()
    assert all(len(m["content"]) <= 500 for m in messages)
    assert DiscordAdapter(config_for(fake_discord, textChunkLimit=9000)).options.chunk_limit == 2000


async def test_a_rate_limited_reply_is_retried_not_lost(
    adapter: DiscordAdapter, fake_discord: FakeDiscord
) -> None:
    fake_discord.rate_limits = [0.3, 0.2]
    fake_discord.send_message(GENERAL, "hello")
    [reply] = await sent(fake_discord, 1, GENERAL)
    assert reply["content"] == "echo: hello"


async def test_a_reply_that_cannot_be_sent_is_logged_with_the_reason(
    adapter: DiscordAdapter, fake_discord: FakeDiscord, caplog: pytest.LogCaptureFixture
) -> None:
    fake_discord.fail_sends = [403]
    with caplog.at_level(logging.INFO, logger="epiloop.discord"):
        fake_discord.send_message(GENERAL, "hello")
        await until(lambda: adapter.state.last_error)
    assert any(f"reply to 111/{GENERAL} could not be sent: 403" in m for m in caplog.messages)


async def test_dm_pairing_round_trip(adapter: DiscordAdapter, fake_discord: FakeDiscord) -> None:
    from channels_app import pairing

    fake_discord.dm("hi, who are you?", author_id="555", author_name="carol")
    [code_msg] = await sent(fake_discord, 1)
    dm_channel = code_msg["channel_id"]
    [pending] = await sync_to_async(pairing.pending)("discord")
    assert pending.code in code_msg["content"]
    fake_discord.dm("hello again", author_id="555")
    assert (await wait_reasons(2))[1].startswith("pairing pending")
    assert len(fake_discord.sent_to(dm_channel)) == 1  # exactly one code message
    await sync_to_async(pairing.approve)("discord", pending.code)
    fake_discord.dm("now?", author_id="555")
    replies = await sent(fake_discord, 2, dm_channel)
    assert replies[1]["content"] == "echo: now?"


async def test_a_gateway_drop_is_resumed(
    adapter: DiscordAdapter, fake_discord: FakeDiscord
) -> None:
    fake_discord.close_gateway(4000)
    await asyncio.to_thread(fake_discord.wait_until, lambda: fake_discord.resumes >= 1)
    await until(lambda: adapter.state.connected)
    fake_discord.send_message(GENERAL, "still there?")
    [reply] = await sent(fake_discord, 1, GENERAL)
    assert reply["content"] == "echo: still there?"
    assert fake_discord.identifies == 1


async def test_a_reconnect_request_is_followed(
    adapter: DiscordAdapter, fake_discord: FakeDiscord
) -> None:
    fake_discord.send_op(7)
    await asyncio.to_thread(fake_discord.wait_until, lambda: fake_discord.resumes >= 1)
    fake_discord.send_op(9, False)  # invalid session: identify afresh
    await asyncio.to_thread(fake_discord.wait_until, lambda: fake_discord.identifies >= 2)
    fake_discord.send_message(GENERAL, "after")
    [reply] = await sent(fake_discord, 1, GENERAL)
    assert reply["content"] == "echo: after"


async def test_a_bad_token_is_reported_once_and_not_retried(
    fake_discord: FakeDiscord, caplog: pytest.LogCaptureFixture
) -> None:
    fake_discord.reject_token = True
    bot = DiscordAdapter(config_for(fake_discord))
    with caplog.at_level(logging.INFO, logger="epiloop.discord"):
        await bot.start()
        await until(lambda: bot.state.fatal)
        await asyncio.sleep(0.3)
    await bot.stop()
    errors = [m for m in caplog.messages if "invalid token" in m]
    assert len(errors) == 1
    assert "401" in errors[0]
    assert fake_discord.rest_calls.count(("GET", "/users/@me")) == 1
    assert "invalid token" in str(bot.status()["last_error"])


async def test_close_4004_is_reported_once_and_not_retried(
    fake_discord: FakeDiscord, caplog: pytest.LogCaptureFixture
) -> None:
    fake_discord.close_on_identify = 4004
    bot = DiscordAdapter(config_for(fake_discord))
    with caplog.at_level(logging.INFO, logger="epiloop.discord"):
        await bot.start()
        await until(lambda: bot.state.fatal)
        await asyncio.sleep(0.3)
    await bot.stop()
    assert len([m for m in caplog.messages if "invalid token" in m and "4004" in m]) == 1
    assert fake_discord.identifies == 1


async def test_a_policy_change_applies_without_reconnecting(
    adapter: DiscordAdapter, fake_discord: FakeDiscord
) -> None:
    config_for(fake_discord, guilds={"111": {"requireMention": False}})  # every channel
    fake_discord.send_message(RANDOM, "now allowed?")
    [reply] = await sent(fake_discord, 1, RANDOM)
    assert reply["content"] == "echo: now allowed?"
    assert fake_discord.identifies == 1


async def test_a_new_token_reconnects(adapter: DiscordAdapter, fake_discord: FakeDiscord) -> None:
    fake_discord.token = "test-token-new"
    config_for(fake_discord)
    await asyncio.to_thread(fake_discord.wait_until, lambda: fake_discord.identifies >= 2)
    await until(lambda: adapter.state.connected)
    assert fake_discord.last_identify["token"] == "test-token-new"
    fake_discord.send_message(GENERAL, "after the switch")
    [reply] = await sent(fake_discord, 1, GENERAL)
    assert reply["content"] == "echo: after the switch"


def test_the_token_comes_from_config_then_env_without_bot_prefix(
    settings: Any, fake_discord: FakeDiscord
) -> None:
    from channels_app.discord.options import resolve

    settings.EPILOOP_ENV = {**settings.EPILOOP_ENV, "discord_bot_token": "Bot env-token-123"}
    assert resolve(config_for(fake_discord, token="Bot cfg-token-123")).token == "cfg-token-123"
    no_token = config_for(fake_discord, token=None)
    assert (resolve(no_token).token, resolve(no_token).token_source) == ("env-token-123", "env")
    assert DiscordAdapter.wanted(no_token)
    assert not DiscordAdapter.wanted(config_for(fake_discord, enabled=False))


async def test_missing_message_content_intent_is_reported_once(
    fake_discord: FakeDiscord, caplog: pytest.LogCaptureFixture
) -> None:
    fake_discord.close_on_identify = 4014
    bot = DiscordAdapter(config_for(fake_discord))
    with caplog.at_level(logging.INFO, logger="epiloop.discord"):
        await bot.start()
        await until(lambda: bot.state.fatal)
        await asyncio.sleep(0.3)
    await bot.stop()
    assert len([m for m in caplog.messages if "Message Content intent" in m]) == 1
    assert fake_discord.identifies == 1


async def test_it_keeps_retrying_until_discord_is_reachable(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from tests.support.gateway import free_port

    port = free_port()
    late = FakeDiscord(port=port)
    late.add_guild("111", "Friends of Clawd", {"general": GENERAL})
    base = f"http://127.0.0.1:{port}"
    config = config_for(
        late, apiBase=base + "/api/v10", gatewayUrl=f"ws://127.0.0.1:{port}/gateway"
    )
    bot = DiscordAdapter(config, reply=Echo())
    bot.guild_ready_timeout = 0.05
    with caplog.at_level(logging.INFO, logger="epiloop.discord"):
        await bot.start()
        await until(lambda: bot.state.last_error)
        late.start()
        try:
            await until(lambda: bot.state.connected, timeout=15)
        finally:
            await bot.stop()
            late.stop()
    problems = [m for m in caplog.messages if "connection problem" in m]
    assert len(problems) == 1, problems
    assert any(m.startswith("reconnecting to discord in") for m in caplog.messages)


async def test_a_message_dispatched_again_after_a_resume_is_answered_once(
    adapter: DiscordAdapter, fake_discord: FakeDiscord
) -> None:
    message_id = fake_discord.send_message(GENERAL, "just once")
    await sent(fake_discord, 1, GENERAL)
    fake_discord.close_gateway(4000)
    await asyncio.to_thread(fake_discord.wait_until, lambda: fake_discord.resumes >= 1)
    await until(lambda: adapter.state.connected)
    again = fake_discord.world.messages[message_id]
    fake_discord._call(fake_discord._dispatch_all("MESSAGE_CREATE", again))
    fake_discord.send_message(GENERAL, "and this")
    replies = await sent(fake_discord, 2, GENERAL)
    await asyncio.sleep(0.2)
    assert [r["content"] for r in fake_discord.sent_to(GENERAL)] == [
        "echo: just once",
        "echo: and this",
    ]
    assert len(replies) == 2
    assert await wait_reasons(1) == ["duplicate (already answered)"]
