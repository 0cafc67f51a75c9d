"""Production settings (FLY_APP_NAME or EPILOOP_PUBLIC_URL, DEBUG off), each in a fresh
process started with an environment built from scratch (nothing leaks in or out):
`check --deploy` is clean, Fly's plain-HTTP health checks get through, other hosts do not,
and debug pages hide secrets."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from types import MappingProxyType
from typing import Any

import httpx
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.views.debug import SafeExceptionReporterFilter

from epiloop_site.reporting import SafeReporterFilter
from tests.support.gateway import GatewayProcess

ROOT = Path(__file__).resolve().parents[2]
GOOD_CONFIG = {
    "gateway": {"mode": "local", "bind": "lan", "auth": {"token": "${EPILOOP_GATEWAY_TOKEN}"}},
    "agents": {"defaults": {"model": "anthropic/claude-opus-4-5"}},
}


def run(
    state: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`python <args>` in the repo with only the variables given (nothing leaks in)."""
    full = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(state),
        "EPILOOP_STATE_DIR": str(state),
        "ANTHROPIC_CONFIG_DIR": str(state),
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=full, capture_output=True, text=True, timeout=60
    )


def configured(state: Path) -> Path:
    path = state / "epiloop.json"
    path.write_text(json.dumps(GOOD_CONFIG))
    path.chmod(0o600)
    return state


SECRETS = {"EPILOOP_GATEWAY_TOKEN": "test-gateway-token-0123456789abcdef"}
SECRETS["ANTHROPIC_API_KEY"] = "test-key-anthropic"


@pytest.fixture
def volume() -> Iterator[Path]:
    """A state dir on another device than `/`, as Fly's volume at /data is."""
    shm = Path("/dev/shm")
    if not shm.is_dir() or os.stat(shm).st_dev == os.stat("/").st_dev:
        pytest.skip("no separate tmpfs here to stand in for a volume")
    path = Path(tempfile.mkdtemp(prefix="epiloop-volume-", dir=shm))
    yield path
    shutil.rmtree(path, ignore_errors=True)


PROBE = """
import io, json, django
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client

def check_deploy():
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("check", "--deploy", stdout=out, stderr=err)
    except SystemCheckError as exc:
        return str(exc)
    return (out.getvalue() + err.getvalue()).strip()

def get(path, host, **headers):
    response = Client().get(path, HTTP_HOST=host, **headers)
    return [response.status_code, response.get("Location", "")]

print(json.dumps({
    "check_deploy": check_deploy(),
    "hosts": settings.ALLOWED_HOSTS,
    "origins": settings.CSRF_TRUSTED_ORIGINS,
    "proxy_header": settings.SECURE_PROXY_SSL_HEADER,
    "redirect": settings.SECURE_SSL_REDIRECT,
    "healthz_private": get("/healthz", "172.19.17.130:3000"),
    "healthz_local": get("/healthz", "127.0.0.1:3000"),
    "readyz_local": get("/readyz", "127.0.0.1:3000"),
    "ui_http": get("/", "my-epiloop.fly.dev"),
    "ui_https": get("/", "my-epiloop.fly.dev", HTTP_X_FORWARDED_PROTO="https"),
    "stranger": get("/", "evil.example.com"),
}))
"""


def probe(state: Path, env: dict[str, str]) -> dict[str, Any]:
    done = run(state, "-c", PROBE, env={"DJANGO_SETTINGS_MODULE": "epiloop_site.settings", **env})
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


CLEAN = "System check identified no issues (0 silenced)."


def test_on_fly_check_deploy_is_clean_health_checks_pass_over_http_and_the_rest_is_https(
    volume: Path,
) -> None:
    seen = probe(configured(volume), {"FLY_APP_NAME": "my-epiloop", **SECRETS})
    assert seen["check_deploy"] == CLEAN
    assert "my-epiloop.fly.dev" in seen["hosts"] and "*" not in seen["hosts"]
    assert seen["origins"] == ["https://my-epiloop.fly.dev"]
    assert seen["proxy_header"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert seen["healthz_local"] == [200, ""]  # the image's HEALTHCHECK
    assert seen["readyz_local"][0] in (200, 503)  # answered, not redirected
    assert seen["healthz_private"] == [200, ""]  # Fly's checker: the VM's private address
    assert seen["ui_http"] == [301, "https://my-epiloop.fly.dev/"]
    assert seen["ui_https"][0] == 200
    assert seen["stranger"][0] == 400


def test_behind_a_public_url_check_deploy_is_clean_and_pins_host_and_origin(
    tmp_path: Path,
) -> None:
    env = {"EPILOOP_PUBLIC_URL": "https://gw.example.com:8443/", **SECRETS}
    seen = probe(configured(tmp_path), env)
    assert seen["check_deploy"] == CLEAN
    assert "gw.example.com" in seen["hosts"] and "*" not in seen["hosts"]
    assert seen["origins"] == ["https://gw.example.com:8443"]
    assert seen["stranger"][0] == 400


def test_locally_any_host_is_served_over_plain_http(tmp_path: Path) -> None:
    seen = probe(tmp_path, {})
    assert seen["hosts"] == ["*"] and seen["origins"] == []
    assert seen["proxy_header"] is None and seen["redirect"] is False
    assert seen["ui_http"][0] == 200
    assert "(security.W008)" in seen["check_deploy"]  # no production settings here


def test_a_public_url_that_is_not_a_url_is_refused_by_name(monkeypatch: Any) -> None:
    from epiloop_site import settings as module

    monkeypatch.setitem(module.EPILOOP_ENV, "public_url", "epiloop.example.com")
    with pytest.raises(ImproperlyConfigured, match=r"EPILOOP_PUBLIC_URL='epiloop\.example\.com'"):
        module._public_origin()


def test_debug_pages_hide_the_environment_and_every_secret(settings: Any) -> None:
    settings.EPILOOP_ENV = {**settings.EPILOOP_ENV, "gateway_token": "test-token-hidden"}
    # Like os.environ, not a dict: Django's filter only looks inside dicts.
    settings.EPILOOP_ENVIRON = MappingProxyType({"ANTHROPIC_API_KEY": "test-key-hidden"})
    settings.REDIS_URL = "redis://:test-password-hidden@redis:6379/0"
    assert settings.DEFAULT_EXCEPTION_REPORTER_FILTER == "epiloop_site.reporting.SafeReporterFilter"
    shown = repr(SafeReporterFilter().get_safe_settings())
    for secret in ("test-token-hidden", "test-key-hidden", "test-password-hidden"):
        assert secret not in shown
    # Django's own filter would have shown the environment: the subclass is what hides it.
    assert "test-key-hidden" in repr(SafeExceptionReporterFilter().get_safe_settings())


@pytest.mark.e2e
def test_a_gateway_on_fly_answers_the_health_checker_over_plain_http(
    gateway_factory: Callable[..., GatewayProcess],
) -> None:
    gw = gateway_factory(
        "--bind",
        "lan",
        env={"FLY_APP_NAME": "my-epiloop", **SECRETS},
        config=GOOD_CONFIG,
    )
    private = {"Host": f"172.19.17.130:{gw.port}"}  # what Fly's checker sends
    with httpx.Client(trust_env=False, timeout=10) as client:
        health = client.get(f"{gw.url}/healthz", headers=private)
        assert (health.status_code, health.json()) == (200, {"ok": True, "status": "live"})
        ready = client.get(f"{gw.url}/readyz", headers={"Host": "localhost"})
        assert ready.status_code == 200  # plain HTTP inside the VM: not redirected
        ui = client.get(f"{gw.url}/", headers={"Host": "my-epiloop.fly.dev"})
        assert (ui.status_code, ui.headers["location"]) == (301, "https://my-epiloop.fly.dev/")
        stranger = client.get(f"{gw.url}/", headers={"Host": "evil.example.com"})
        assert stranger.status_code == 400
