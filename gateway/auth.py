"""Gateway authentication: the token (or password) that guards the Control UI, the WebSocket
protocol, the admin's token sign-in and the OpenAI-compatible endpoint."""

from __future__ import annotations

import hmac
import os
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import BaseBackend
from django.http import HttpRequest

from config.secrets import register_secret

OPERATOR_USERNAME = "operator"
TOKEN_FILE = "gateway-token"

# The effective token/password of this process (filled by rungateway; never logged).
GATEWAY_SECRETS: dict[str, str] = {"token": "", "password": ""}


class AuthRefused(Exception):
    pass


@dataclass(frozen=True)
class GatewayAuth:
    token: str
    password: str
    generated: bool  # the token was generated into the state dir (only then is it printed)


def resolve_auth(
    flag_token: str | None,
    config_token: str | None,
    config_password: str | None,
    bind_mode: str,
    loopback: bool,
) -> GatewayAuth:
    """flag > config > environment; on loopback with none, a generated token kept in the
    state dir. A non-loopback bind without token or password is refused."""
    token = flag_token or config_token or settings.EPILOOP_ENV["gateway_token"]
    password = config_password or settings.EPILOOP_ENV["gateway_password"]
    if token or password:
        return GatewayAuth(token or "", password or "", generated=False)
    if not loopback:
        raise AuthRefused(
            f"Refusing to bind gateway to {bind_mode} without auth. Set gateway.auth.token "
            "(or EPILOOP_GATEWAY_TOKEN) or pass --token."
        )
    return GatewayAuth(generated_token(settings.EPILOOP_STATE_DIR), "", generated=True)


def generated_token(state_dir: Path) -> str:
    path = state_dir / TOKEN_FILE
    try:
        existing = path.read_text().strip()
        if existing:
            return existing
    except FileNotFoundError:
        pass
    token = secrets.token_urlsafe(32)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(token + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    return token


def install(auth: GatewayAuth) -> None:
    GATEWAY_SECRETS["token"] = auth.token
    GATEWAY_SECRETS["password"] = auth.password
    register_secret(auth.token)
    register_secret(auth.password)


def token_matches(given: str | None) -> bool:
    """Constant-time check of `given` against the gateway token and password."""
    if not given:
        return False
    ok = False
    for secret in GATEWAY_SECRETS.values():
        if secret and hmac.compare_digest(given.encode(), secret.encode()):
            ok = True
    return ok


class FailureLimiter:
    """Slows down guessing: after `limit` failures within `window` seconds from one address,
    that address is refused until the window has passed."""

    def __init__(self, limit: int = 10, window: float = 60.0) -> None:
        self.limit = limit
        self.window = window
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, address: str, now: float | None = None) -> float:
        """Seconds until `address` may try again (0 when it may try now)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            times = self._failures.get(address)
            if not times:
                return 0.0
            while times and now - times[0] > self.window:
                times.popleft()
            if len(times) < self.limit:
                return 0.0
            return max(0.0, self.window - (now - times[0]))

    def failed(self, address: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            if len(self._failures) > 10_000:  # bounded memory under a spray of addresses
                self._failures.clear()
            self._failures.setdefault(address, deque(maxlen=self.limit)).append(now)

    def succeeded(self, address: str) -> None:
        with self._lock:
            self._failures.pop(address, None)

    def reset(self) -> None:
        with self._lock:
            self._failures.clear()


# One limiter for every door the gateway secret opens (admin sign-in, WebSocket connect).
LIMITER = FailureLimiter()


def client_address(fly_client_ip: str, peer: str) -> str:
    """The client's address; behind Fly's proxy the one Fly saw (`Fly-Client-IP`).

    The header is trusted only on Fly (FLY_APP_NAME set), where the proxy overwrites it;
    anywhere else a client could pick a fresh address per attempt and dodge the limit.
    X-Forwarded-For is never believed (its left-most entry can be spoofed).
    """
    if fly_client_ip and settings.EPILOOP_ENV.get("fly_app_name"):
        return fly_client_ip
    return peer or "unknown"


class GatewayTokenBackend(BaseBackend):
    """Signs in the built-in operator account with the gateway token."""

    def authenticate(self, request: HttpRequest | None, token: str | None = None, **kw: Any) -> Any:
        if not token_matches(token):
            return None
        from django.contrib.auth.models import User

        user, created = User.objects.get_or_create(
            username=OPERATOR_USERNAME,
            defaults={"is_staff": True, "is_superuser": True},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        if not (user.is_staff and user.is_superuser and user.is_active):
            return None
        return user

    def get_user(self, user_id: int) -> Any:
        from django.contrib.auth.models import User

        return User.objects.filter(pk=user_id).first()
