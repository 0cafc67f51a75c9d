from __future__ import annotations

import pytest
from django.test import Client


@pytest.mark.django_db
def test_healthz_says_live() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"ok": True, "status": "live"}


@pytest.mark.django_db
def test_healthz_answers_whatever_host_the_health_checker_sends(settings: object) -> None:
    settings.ALLOWED_HOSTS = ["my-epiloop.fly.dev"]  # type: ignore[attr-defined]
    response = Client().get("/healthz", HTTP_HOST="172.19.17.130:3000")
    assert response.status_code == 200
    assert response.json() == {"ok": True, "status": "live"}
    assert Client().get("/readyz", HTTP_HOST="172.19.17.130:3000").status_code == 400
