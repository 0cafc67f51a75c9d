"""Field helpers the platforms' config tables share (`channels_app/<platform>/models.py`).
Rows mirror `epiloop.json`, see `config.rows`."""

from __future__ import annotations

from typing import Any

from django.db import models

GROUP_POLICIES = [(p, p) for p in ("open", "allowlist", "disabled")]
DM_POLICIES = [(p, p) for p in ("pairing", "allowlist", "open", "disabled")]
IDS_HELP = 'JSON list of ids, e.g. ["123456789"]; "*" means anyone.'
SECRET_HELP = "A ${VAR} reference, a SecretRef as JSON, or the token itself."


def optional_text(**kw: Any) -> models.CharField[str | None, str | None]:
    return models.CharField(max_length=500, null=True, blank=True, **kw)
