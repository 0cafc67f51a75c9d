"""Gateway-token sign-in for the admin: the token signs in a built-in operator account."""

from __future__ import annotations

import hmac
from typing import Any

from django.contrib.auth.backends import BaseBackend
from django.http import HttpRequest

OPERATOR_USERNAME = "operator"

# Filled by rungateway with the effective token/password (never logged).
GATEWAY_SECRETS: dict[str, str] = {"token": "", "password": ""}


def token_matches(given: str | None) -> bool:
    """Constant-time check of `given` against the gateway token or password."""
    if not given:
        return False
    ok = False
    for secret in GATEWAY_SECRETS.values():
        if secret and hmac.compare_digest(given.encode(), secret.encode()):
            ok = True
    return ok


class GatewayTokenBackend(BaseBackend):
    def authenticate(self, request: HttpRequest | None, token: str | None = None, **kw: Any) -> Any:
        if not token_matches(token):
            return None
        from django.contrib.auth.models import User

        user, _ = User.objects.get_or_create(
            username=OPERATOR_USERNAME,
            defaults={"is_staff": True, "is_superuser": True},
        )
        if not (user.is_staff and user.is_superuser and user.is_active):
            return None
        return user

    def get_user(self, user_id: int) -> Any:
        from django.contrib.auth.models import User

        return User.objects.filter(pk=user_id).first()
