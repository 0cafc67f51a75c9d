"""web_fetch against a real loopback web site, through the guarded client. The guard runs as
in production; only DNS and routing are pretend (`tests/fakes/web/network.py`): the name
`public.test` has a public address that the fake network routes to the loopback site, and
any other non-loopback connection fails the test instead of leaving the machine."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agents.tools.base import ToolContext, ToolError
from agents.tools.registry import builtin
from agents.tools.web_fetch import WebFetch
from config.schema import EpiloopConfig
from tests.fakes.web.network import PUBLIC, FakeInternet, resolve
from tests.fakes.web.site import FakeSite
from tests.fakes.web.tls import ThrowawayCA

HINT = "; set tools.web.fetch.allowPrivateNetwork to allow it"


def context(tmp_path: Path, **fetch: Any) -> ToolContext:
    cfg = EpiloopConfig.model_validate({"tools": {"web": {"fetch": fetch}}})
    return ToolContext(
        agent_id="main", session_key="agent:main:main", workspace=tmp_path, config=cfg
    )


@pytest.fixture
def internet() -> FakeInternet:
    return FakeInternet()


@pytest.fixture
def tool(internet: FakeInternet) -> WebFetch:
    return WebFetch(resolve=resolve, network=internet)


def public(site: FakeSite, path: str) -> str:
    return f"http://public.test:{site.port}{path}"


async def test_it_returns_the_main_text_of_a_page_without_menus_scripts_or_footer(
    tool: WebFetch, fake_site: FakeSite, internet: FakeInternet, tmp_path: Path
) -> None:
    out = await tool.run({"url": public(fake_site, "/article")}, context(tmp_path))
    assert out.startswith(f"URL: {public(fake_site, '/article')}\nTitle: Tide tables & more\n\n")
    assert "# How the tides work" in out
    assert "these are the spring tides" in out
    assert "- Low water times" in out
    for boilerplate in ("do not show me", "Cookie settings", "Shop"):
        assert boilerplate not in out


async def test_it_connects_to_the_checked_address_and_sends_the_name_as_host(
    tool: WebFetch, fake_site: FakeSite, internet: FakeInternet, tmp_path: Path
) -> None:
    await tool.run({"url": public(fake_site, "/article")}, context(tmp_path))
    assert internet.connected == [str(PUBLIC)]
    assert fake_site.requests[0].headers["Host"] == f"public.test:{fake_site.port}"


async def test_it_fetches_a_loopback_server_when_private_networks_are_allowed(
    tool: WebFetch, fake_site: FakeSite, tmp_path: Path
) -> None:
    ctx = context(tmp_path, allowPrivateNetwork=True)
    out = await tool.run({"url": f"{fake_site.url}/article"}, ctx)
    assert "# How the tides work" in out


async def test_it_passes_plain_text_and_json_through(
    tool: WebFetch, fake_site: FakeSite, tmp_path: Path
) -> None:
    text = await tool.run({"url": public(fake_site, "/notes.txt")}, context(tmp_path))
    assert text.endswith("\n\nline one\nline two\n")
    data = await tool.run({"url": public(fake_site, "/data.json")}, context(tmp_path))
    assert data.endswith('\n\n{"station": "Brest", "heights": [6.1, 1.2]}')


async def test_it_refuses_a_body_that_is_not_text(
    tool: WebFetch, fake_site: FakeSite, tmp_path: Path
) -> None:
    with pytest.raises(ToolError, match=r"image.png is image/png, not text"):
        await tool.run({"url": public(fake_site, "/image.png")}, context(tmp_path))


async def test_an_error_status_is_an_error_naming_it(
    tool: WebFetch, fake_site: FakeSite, tmp_path: Path
) -> None:
    with pytest.raises(ToolError, match=r"/gone answered HTTP 404 Not Found$"):
        await tool.run({"url": public(fake_site, "/gone")}, context(tmp_path))


async def test_it_stops_reading_a_big_body_at_max_bytes(
    tool: WebFetch, fake_site: FakeSite, tmp_path: Path
) -> None:
    ctx = context(tmp_path, maxBytes=100_000, maxChars=200_000)
    out = await tool.run({"url": public(fake_site, "/big")}, ctx)
    assert "Note: only the first 100000 bytes were read (tools.web.fetch.maxBytes)" in out
    assert out.split("\n\n", 1)[1] == "x" * 100_000


async def test_it_truncates_the_text_to_max_chars_with_a_note(
    tool: WebFetch, fake_site: FakeSite, tmp_path: Path
) -> None:
    out = await tool.run({"url": public(fake_site, "/notes.txt"), "maxChars": 8}, context(tmp_path))
    assert out.endswith(
        "\n\nline one\n\n[truncated: 8 of 18 characters shown; "
        "ask again with maxChars up to 50000 for more]"
    )


async def test_max_chars_cannot_go_past_the_configured_limit(
    tool: WebFetch, fake_site: FakeSite, tmp_path: Path
) -> None:
    ctx = context(tmp_path, maxChars=4)
    out = await tool.run({"url": public(fake_site, "/notes.txt"), "maxChars": 1000}, ctx)
    assert out.endswith(
        "\n\nline\n\n[truncated: 4 of 18 characters shown; tools.web.fetch.maxChars is the limit]"
    )


async def test_a_slow_body_is_cut_at_the_time_limit(
    tool: WebFetch, fake_site: FakeSite, tmp_path: Path
) -> None:
    began = time.monotonic()
    with pytest.raises(ToolError) as failed:
        await tool.run({"url": public(fake_site, "/slow")}, context(tmp_path, timeoutSeconds=1))
    assert str(failed.value) == (
        f"timed out after 1 s fetching {public(fake_site, '/slow')} "
        "(tools.web.fetch.timeoutSeconds)"
    )
    assert time.monotonic() - began < 3


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1:{port}/article", "refused: 127.0.0.1 is a loopback address" + HINT),
        ("http://[::1]:{port}/article", "refused: ::1 is a loopback address" + HINT),
        ("http://10.0.0.1/", "refused: 10.0.0.1 is a private address" + HINT),
        (
            "http://169.254.169.254/latest/meta-data/",
            "refused: 169.254.169.254 is the cloud metadata address (always refused)",
        ),
        (
            "http://localhost:{port}/article",
            "refused: localhost resolves to 127.0.0.1, which is a loopback address" + HINT,
        ),
        (
            "http://mixed.test:{port}/article",
            "refused: mixed.test resolves to 127.0.0.1, which is a loopback address" + HINT,
        ),
    ],
)
async def test_it_refuses_private_addresses_before_connecting(
    tool: WebFetch,
    fake_site: FakeSite,
    internet: FakeInternet,
    tmp_path: Path,
    url: str,
    message: str,
) -> None:
    with pytest.raises(ToolError) as refused:
        await tool.run({"url": url.format(port=fake_site.port)}, context(tmp_path))
    assert str(refused.value) == message
    assert internet.connected == []
    assert fake_site.requests == []


async def test_the_system_resolver_is_guarded_too(
    internet: FakeInternet, fake_site: FakeSite, tmp_path: Path
) -> None:
    tool = WebFetch(network=internet)  # the real resolver: localhost comes from the system
    with pytest.raises(ToolError, match=r"^refused: localhost resolves to .*, which is a loopback"):
        await tool.run({"url": f"http://localhost:{fake_site.port}/article"}, context(tmp_path))
    assert internet.connected == []


async def test_it_refuses_a_redirect_from_a_public_site_to_a_loopback_address(
    tool: WebFetch, fake_site: FakeSite, internet: FakeInternet, tmp_path: Path
) -> None:
    inside = f"http://127.0.0.1:{fake_site.port}/article"
    with pytest.raises(ToolError) as refused:
        await tool.run({"url": public(fake_site, f"/redirect?to={inside}")}, context(tmp_path))
    assert str(refused.value) == "refused: 127.0.0.1 is a loopback address" + HINT
    assert internet.connected == [str(PUBLIC)]
    assert [r.path for r in fake_site.requests] == ["/redirect"]


async def test_it_refuses_a_redirect_to_a_name_of_a_private_address(
    tool: WebFetch, fake_site: FakeSite, tmp_path: Path
) -> None:
    with pytest.raises(
        ToolError, match=r"^refused: intranet\.test resolves to 192\.168\.1\.20, which is a private"
    ):
        await tool.run(
            {"url": public(fake_site, "/redirect?to=http://intranet.test/admin")}, context(tmp_path)
        )


async def test_it_follows_a_redirect_that_stays_public(
    tool: WebFetch, fake_site: FakeSite, tmp_path: Path
) -> None:
    out = await tool.run({"url": public(fake_site, "/redirect?to=/notes.txt")}, context(tmp_path))
    assert out.startswith(f"URL: {public(fake_site, '/notes.txt')}\n")
    assert [r.path for r in fake_site.requests] == ["/redirect", "/notes.txt"]


async def test_it_gives_up_after_five_redirects(
    tool: WebFetch, fake_site: FakeSite, tmp_path: Path
) -> None:
    with pytest.raises(ToolError, match=r"^refused: more than 5 redirects from "):
        await tool.run({"url": public(fake_site, "/hop/0")}, context(tmp_path))
    assert len(fake_site.requests) == 6


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://public.test/x", "gopher://public.test"]
)
async def test_it_refuses_schemes_other_than_http_and_https(
    tool: WebFetch, tmp_path: Path, url: str
) -> None:
    with pytest.raises(ToolError, match=r"is not an http:// or https:// URL$"):
        await tool.run({"url": url}, context(tmp_path))


async def test_it_refuses_a_redirect_to_a_file_url(
    tool: WebFetch, fake_site: FakeSite, tmp_path: Path
) -> None:
    with pytest.raises(ToolError, match=r"^refused: file:/+etc/passwd is not an http"):
        await tool.run(
            {"url": public(fake_site, "/redirect?to=file:///etc/passwd")}, context(tmp_path)
        )


async def test_it_does_nothing_when_turned_off(tool: WebFetch, tmp_path: Path) -> None:
    with pytest.raises(ToolError, match=r"tools.web.fetch.enabled is false"):
        await tool.run({"url": "http://public.test/"}, context(tmp_path, enabled=False))


async def test_it_asks_for_a_url(tool: WebFetch, tmp_path: Path) -> None:
    with pytest.raises(ToolError, match=r"^url is required"):
        await tool.run({}, context(tmp_path))


def test_the_registry_offers_it_in_the_web_group() -> None:
    fetch = builtin("web_fetch")
    assert (fetch.name, fetch.group) == ("web_fetch", "web")
    assert fetch.input_schema()["required"] == ["url"]


def test_loading_the_web_tools_loads_no_http_or_extraction_library() -> None:
    code = (
        "import sys, django; django.setup();"
        "import agents.tools.web_fetch, agents.tools.web_search;"
        "print(sorted({'httpx', 'httpcore', 'trafilatura', 'lxml'} & set(sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"DJANGO_SETTINGS_MODULE": "epiloop_site.settings", "EPILOOP_STATE_DIR": "/tmp/unused"},
        cwd=Path(__file__).resolve().parents[3],
    )
    assert done.stdout.strip() == "[]"


@pytest.fixture(scope="module")
def tls_site() -> Iterator[tuple[FakeSite, ThrowawayCA]]:
    ca = ThrowawayCA("public.test")
    site = FakeSite(ca.server_context()).start()
    yield site, ca
    site.stop()


async def test_https_keeps_the_host_name_for_sni_and_the_certificate_check(
    tls_site: tuple[FakeSite, ThrowawayCA], internet: FakeInternet, tmp_path: Path
) -> None:
    site, ca = tls_site
    tool = WebFetch(resolve=resolve, network=internet, ssl_context=ca.client_context())
    out = await tool.run({"url": f"https://public.test:{site.port}/article"}, context(tmp_path))
    assert "# How the tides work" in out
    assert internet.connected == [str(PUBLIC)]
    assert ca.server_names[-1] == "public.test"


async def test_https_still_refuses_a_certificate_for_another_name(
    tls_site: tuple[FakeSite, ThrowawayCA], internet: FakeInternet, tmp_path: Path
) -> None:
    site, ca = tls_site
    tool = WebFetch(resolve=resolve, network=internet, ssl_context=ca.client_context())
    ctx = context(tmp_path, allowPrivateNetwork=True)
    with pytest.raises(ToolError, match=r"^could not fetch https://127\.0\.0\.1:\d+/article: .*"):
        await tool.run({"url": f"https://127.0.0.1:{site.port}/article"}, ctx)
