"""`/healthz` answered before anything looks at the Host header.

Fly's health checker sends the machine's private address as Host, which no ALLOWED_HOSTS
list can know in advance; a liveness probe reveals nothing, so it skips host validation
(and the HTTPS redirect). Everything else still goes through Django's checks.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

LIVE = {"ok": True, "status": "live"}


class HealthProbeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == "/healthz" and request.method in ("GET", "HEAD"):
            return JsonResponse(LIVE)
        return self.get_response(request)
