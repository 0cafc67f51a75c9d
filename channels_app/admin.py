"""Admin registrations: pairing and drops here (`admin_channels`), each platform's config
tables in its folder (`channels_app/<platform>/admin.py`)."""

from __future__ import annotations

from channels_app import admin_channels  # noqa: F401
from channels_app.registry import import_each

import_each("admin")
