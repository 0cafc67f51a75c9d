"""What Django's debug error pages may show of the settings."""

from __future__ import annotations

import re

from django.views.debug import SafeExceptionReporterFilter


class SafeReporterFilter(SafeExceptionReporterFilter):
    """Django's list (API, TOKEN, KEY, SECRET, PASS, ...) plus the settings that hold the
    whole process environment (`EPILOOP_ENVIRON`) or connection URLs with passwords in them
    (`REDIS_URL`, `CHANNEL_LAYERS`)."""

    hidden_settings = re.compile(
        "API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|ENVIRON|REDIS|CHANNEL_LAYERS",
        flags=re.IGNORECASE,
    )
