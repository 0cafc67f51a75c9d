"""The Control UI page. Everything on it comes over the WebSocket after the token check."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.clickjacking import xframe_options_deny


@xframe_options_deny
def control(request: HttpRequest) -> HttpResponse:
    from config.runtime import current

    if not current().gateway.control_ui.enabled:
        return HttpResponse(
            "The Control UI is off (gateway.controlUi.enabled is false). The admin is at /admin/.",
            status=404,
            content_type="text/plain",
        )
    response = render(
        request,
        "gateway/control.html",
        {"version": settings.VERSION, "title": "Epiloop Control"},
    )
    # The token may arrive as ?token=; never let it leak to other sites via Referer.
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    return response
