"""The admin login page accepts the gateway token and signs in the operator account."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
import pytest
from django.contrib.auth.models import User
from django.test import Client

from gateway import auth
from tests.conftest import TEST_TOKEN
from tests.support.gateway import GatewayProcess


@pytest.fixture
def gateway_token() -> object:
    saved = dict(auth.GATEWAY_SECRETS)
    auth.GATEWAY_SECRETS.update({"token": TEST_TOKEN, "password": ""})
    auth.LIMITER.reset()
    yield TEST_TOKEN
    auth.GATEWAY_SECRETS.update(saved)
    auth.LIMITER.reset()


@pytest.mark.django_db
def test_the_login_page_has_a_gateway_token_field() -> None:
    page = Client().get("/admin/login/").content.decode()
    assert 'name="token"' in page
    assert "Gateway token" in page
    assert 'name="username"' in page and 'name="password"' in page


@pytest.mark.django_db
def test_the_gateway_token_signs_in_the_operator(gateway_token: str) -> None:
    client = Client()
    response = client.post("/admin/login/?next=/admin/", {"token": gateway_token}, follow=True)
    assert response.status_code == 200
    assert "Site administration" in response.content.decode()
    operator = User.objects.get(username=auth.OPERATOR_USERNAME)
    assert operator.is_superuser and not operator.has_usable_password()


@pytest.mark.django_db
def test_a_wrong_token_is_refused_with_a_clear_message(gateway_token: str) -> None:
    response = Client().post("/admin/login/", {"token": "not-the-token"})
    page = response.content.decode()
    assert "That gateway token is not valid" in page
    assert not User.objects.filter(username=auth.OPERATOR_USERNAME).exists()


@pytest.mark.django_db
def test_repeated_failures_from_one_address_are_slowed_down(gateway_token: str) -> None:
    client = Client()
    for _ in range(auth.LIMITER.limit):
        client.post("/admin/login/", {"token": "wrong"})
    page = client.post("/admin/login/", {"token": gateway_token}).content.decode()
    assert "Too many failed sign-ins from your address" in page


@pytest.mark.django_db
def test_a_username_and_password_still_work(gateway_token: str) -> None:
    User.objects.create_superuser("alice", "alice@example.com", "a-long-test-password")
    response = Client().post(
        "/admin/login/?next=/admin/",
        {"username": "alice", "password": "a-long-test-password"},
        follow=True,
    )
    assert "Site administration" in response.content.decode()


@pytest.mark.e2e
def test_the_token_logs_into_the_admin_of_a_running_gateway(
    gateway_factory: Callable[..., GatewayProcess],
) -> None:
    gw = gateway_factory(
        config={"gateway": {"mode": "local"}}, env={"EPILOOP_GATEWAY_TOKEN": TEST_TOKEN}
    )
    with httpx.Client(base_url=gw.url, follow_redirects=True, timeout=10) as client:
        page = client.get("/admin/login/?next=/admin/")
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert csrf
        response = client.post(
            "/admin/login/?next=/admin/",
            data={"csrfmiddlewaretoken": csrf.group(1), "token": TEST_TOKEN},
            headers={"Referer": gw.url + "/admin/login/"},
        )
        assert response.status_code == 200
        assert "Site administration" in response.text


@pytest.mark.django_db
def test_off_fly_a_made_up_fly_client_ip_does_not_dodge_the_limit(gateway_token: str) -> None:
    client = Client()
    for i in range(auth.LIMITER.limit):
        client.post("/admin/login/", {"token": "wrong"}, HTTP_FLY_CLIENT_IP=f"203.0.113.{i}")
    page = client.post(
        "/admin/login/", {"token": gateway_token}, HTTP_FLY_CLIENT_IP="198.51.100.7"
    ).content.decode()
    assert "Too many failed sign-ins from your address" in page
