"""The admin login page also accepts the gateway token (signs in the operator account)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError

from gateway.auth import LIMITER, client_address


class GatewayLoginForm(AdminAuthenticationForm):
    token = forms.CharField(
        label="Gateway token",
        required=False,
        strip=True,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, request: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["username"].required = False
        self.fields["password"].required = False

    def clean(self) -> dict[str, Any]:
        address = self._address()
        wait = LIMITER.retry_after(address)
        if wait:
            raise ValidationError(
                f"Too many failed sign-ins from your address; try again in {int(wait) + 1} s."
            )
        token = self.cleaned_data.get("token")
        if token:
            user = authenticate(self.request, token=token)
            if user is None:
                LIMITER.failed(address)
                raise ValidationError(
                    "That gateway token is not valid; copy it from EPILOOP_GATEWAY_TOKEN, "
                    "gateway.auth.token or the state dir's gateway-token file."
                )
            self.user_cache = user
            self.confirm_login_allowed(user)
            LIMITER.succeeded(address)
            return self.cleaned_data
        if not self.cleaned_data.get("username") or not self.cleaned_data.get("password"):
            raise ValidationError("Enter a username and password, or the gateway token.")
        try:
            cleaned = super().clean()
        except ValidationError:
            LIMITER.failed(address)
            raise
        LIMITER.succeeded(address)
        return cleaned

    def _address(self) -> str:
        if self.request is None:
            return "unknown"
        meta = self.request.META
        return client_address(meta.get("HTTP_FLY_CLIENT_IP", ""), meta.get("REMOTE_ADDR", ""))
