"""Admin registrations; each topic lives in its own admin_<topic>.py module imported here."""

from __future__ import annotations

from gateway import admin_config  # noqa: F401
