"""Admin registrations; each topic lives in its own admin_<topic>.py module imported here."""

from __future__ import annotations

from config import (
    admin_config,  # noqa: F401
    admin_revisions,  # noqa: F401
)
