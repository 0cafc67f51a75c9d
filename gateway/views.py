from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse

from gateway.runtime import RUNTIME


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True, "status": "live"})


def readyz(request: HttpRequest) -> JsonResponse:
    failing = RUNTIME.readiness()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # any driver error means "not ready", named below
        failing.append(f"database: {exc}")
    if failing:
        return JsonResponse({"ok": False, "status": "not ready", "failing": failing}, status=503)
    return JsonResponse({"ok": True, "status": "ready"})
