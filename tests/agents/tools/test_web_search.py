"""web_search against fake Brave and SearXNG APIs on loopback."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

from agents.tools.base import ToolContext, ToolError
from agents.tools.registry import builtin
from agents.tools.web_search import WebSearch
from config.schema import EpiloopConfig
from config.secrets import redact
from tests.fakes.web.search import FakeBrave, FakeSearxng

BRAVE_RESULTS = """Results for "tides" (Brave Search):

1. Tides - Encyclopedia
   https://tides.example/tides
   How tides work & why

2. Tide tables
   https://tides.example/tables
   High and low water times

3. Spring and neap tides
   https://tides.example/spring
   The moon and the sun"""


def context(tmp_path: Path, **search: Any) -> ToolContext:
    cfg = EpiloopConfig.model_validate({"tools": {"web": {"search": search}}})
    return ToolContext(
        agent_id="main", session_key="agent:main:main", workspace=tmp_path, config=cfg
    )


def brave(fake: FakeBrave, tmp_path: Path, **more: Any) -> ToolContext:
    return context(tmp_path, **{"baseUrl": fake.url, "apiKey": FakeBrave.key, **more})


def searxng(fake: FakeSearxng, tmp_path: Path, **more: Any) -> ToolContext:
    return context(tmp_path, **{"provider": "searxng", "baseUrl": fake.url, **more})


@pytest.fixture(autouse=True)
def _no_brave_key_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BRAVE_API_KEY", raising=False)


async def test_brave_results_come_as_a_numbered_list_of_title_url_and_snippet(
    fake_brave: FakeBrave, tmp_path: Path
) -> None:
    out = await WebSearch().run({"query": "tides"}, brave(fake_brave, tmp_path))
    assert out == BRAVE_RESULTS
    [seen] = fake_brave.requests
    assert seen.query == {"q": "tides", "count": "5"}
    assert seen.headers["X-Subscription-Token"] == FakeBrave.key


async def test_the_count_asked_for_is_capped_by_max_results(
    fake_brave: FakeBrave, tmp_path: Path
) -> None:
    out = await WebSearch().run(
        {"query": "tides", "count": 10}, brave(fake_brave, tmp_path, maxResults=2)
    )
    assert fake_brave.requests[0].query["count"] == "2"
    assert "2. Tide tables" in out
    assert "3." not in out


async def test_the_brave_key_falls_back_to_the_environment(
    fake_brave: FakeBrave, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRAVE_API_KEY", FakeBrave.key)
    out = await WebSearch().run({"query": "tides"}, context(tmp_path, baseUrl=fake_brave.url))
    assert out == BRAVE_RESULTS


async def test_an_env_secret_ref_names_the_variable_holding_the_key(
    fake_brave: FakeBrave, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MY_SEARCH_KEY", FakeBrave.key)
    ref = {"source": "env", "provider": "default", "id": "MY_SEARCH_KEY"}
    out = await WebSearch().run(
        {"query": "tides"}, context(tmp_path, baseUrl=fake_brave.url, apiKey=ref)
    )
    assert out == BRAVE_RESULTS


async def test_the_key_never_reaches_a_log_line(fake_brave: FakeBrave, tmp_path: Path) -> None:
    await WebSearch().run({"query": "tides"}, brave(fake_brave, tmp_path))
    assert redact(f"sent {FakeBrave.key}") == "sent ***"


async def test_a_missing_key_is_an_error_naming_the_setting(
    fake_brave: FakeBrave, tmp_path: Path
) -> None:
    with pytest.raises(ToolError) as failed:
        await WebSearch().run({"query": "tides"}, context(tmp_path, baseUrl=fake_brave.url))
    assert str(failed.value) == (
        "no API key for Brave Search: set tools.web.search.apiKey "
        "or the BRAVE_API_KEY environment variable"
    )
    assert fake_brave.requests == []


async def test_a_rejected_key_is_an_error_naming_the_setting(
    fake_brave: FakeBrave, tmp_path: Path
) -> None:
    with pytest.raises(ToolError) as failed:
        await WebSearch().run(
            {"query": "tides"}, brave(fake_brave, tmp_path, apiKey="wrong-key-456")
        )
    assert str(failed.value) == (
        "Brave Search refused the API key (HTTP 401): "
        "check tools.web.search.apiKey or BRAVE_API_KEY"
    )


async def test_http_429_says_rate_limited(fake_brave: FakeBrave, tmp_path: Path) -> None:
    fake_brave.status = 429
    with pytest.raises(ToolError) as failed:
        await WebSearch().run({"query": "tides"}, brave(fake_brave, tmp_path))
    assert str(failed.value) == "rate limited by Brave Search (HTTP 429): try again later"


async def test_a_server_error_is_an_error_naming_the_status(
    fake_brave: FakeBrave, tmp_path: Path
) -> None:
    fake_brave.status = 503
    with pytest.raises(ToolError, match=r"^Brave Search answered HTTP 503$"):
        await WebSearch().run({"query": "tides"}, brave(fake_brave, tmp_path))


async def test_no_results_says_so(fake_brave: FakeBrave, tmp_path: Path) -> None:
    fake_brave.results = []
    out = await WebSearch().run({"query": "zzqx"}, brave(fake_brave, tmp_path))
    assert out == 'No results for "zzqx" (Brave Search).'


async def test_a_slow_api_is_cut_at_the_time_limit(fake_brave: FakeBrave, tmp_path: Path) -> None:
    fake_brave.delay = 3
    with pytest.raises(ToolError) as failed:
        await WebSearch().run({"query": "tides"}, brave(fake_brave, tmp_path, timeoutSeconds=1))
    assert str(failed.value) == (
        "Brave Search did not answer within 1 s (tools.web.search.timeoutSeconds)"
    )


async def test_an_unreachable_api_is_an_error_naming_its_url(tmp_path: Path) -> None:
    with socket.socket() as s:  # a loopback port that nothing listens on
        s.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{s.getsockname()[1]}"
    with pytest.raises(ToolError, match=rf"^could not reach Brave Search at {url}: "):
        await WebSearch().run({"query": "tides"}, context(tmp_path, baseUrl=url, apiKey="k-123456"))


async def test_searxng_results_come_as_the_same_list(
    fake_searxng: FakeSearxng, tmp_path: Path
) -> None:
    out = await WebSearch().run({"query": "tides", "count": 2}, searxng(fake_searxng, tmp_path))
    assert out == "\n".join(BRAVE_RESULTS.replace("Brave Search", "SearXNG").split("\n")[:9])
    assert fake_searxng.requests[0].query == {"q": "tides", "format": "json"}


async def test_searxng_without_json_output_says_how_to_turn_it_on(
    fake_searxng: FakeSearxng, tmp_path: Path
) -> None:
    fake_searxng.status = 403
    with pytest.raises(
        ToolError, match=r"add json to search.formats in the instance's settings.yml"
    ):
        await WebSearch().run({"query": "tides"}, searxng(fake_searxng, tmp_path))


async def test_searxng_needs_a_base_url(tmp_path: Path) -> None:
    with pytest.raises(ToolError) as failed:
        await WebSearch().run({"query": "tides"}, context(tmp_path, provider="searxng"))
    assert str(failed.value) == "SearXNG needs tools.web.search.baseUrl (the URL of your instance)"


async def test_an_unknown_provider_is_an_error_listing_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(ToolError) as failed:
        await WebSearch().run({"query": "tides"}, context(tmp_path, provider="altavista"))
    assert str(failed.value) == (
        "unknown search provider 'altavista' (tools.web.search.provider): use one of brave, searxng"
    )


async def test_it_does_nothing_when_turned_off(tmp_path: Path) -> None:
    with pytest.raises(ToolError, match=r"tools.web.search.enabled is false"):
        await WebSearch().run({"query": "tides"}, context(tmp_path, enabled=False))


def test_the_registry_offers_it_in_the_web_group() -> None:
    search = builtin("web_search")
    assert (search.name, search.group) == ("web_search", "web")
    assert search.input_schema()["required"] == ["query"]
