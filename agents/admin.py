"""Admin registrations; each topic lives in its own admin_<topic>.py module imported here."""

from __future__ import annotations

import agents.admin_sessions  # noqa: F401
from agents import admin_config  # noqa: F401
