"""Admin registrations; each topic lives in its own admin_<topic>.py module imported here."""

from __future__ import annotations

from channels_app import admin_channels, admin_config  # noqa: F401
