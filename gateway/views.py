from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse

from gateway.runtime import RUNTIME


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True, "status": "live"})


def channel_problems() -> list[str]:
    """A running channel fails readiness when it stopped for good (e.g. an invalid token)
    or lost its connection with an error."""
    from channels_app import runner

    failing = []
    for name, status in runner.statuses().items():
        error = str(status.get("last_error") or "")
        if status.get("fatal"):
            failing.append(f"channel {name}: {error or 'stopped'}")
        elif not status.get("connected") and error:
            failing.append(f"channel {name}: not connected ({error})")
    return failing


def readyz(request: HttpRequest) -> JsonResponse:
    failing = RUNTIME.readiness() + channel_problems()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # any driver error means "not ready", named below
        failing.append(f"database: {exc}")
    if failing:
        return JsonResponse({"ok": False, "status": "not ready", "failing": failing}, status=503)
    return JsonResponse({"ok": True, "status": "ready"})
