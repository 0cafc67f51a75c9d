from __future__ import annotations

from channels_app.models.drops import DroppedMessage
from channels_app.models.pairing import ApprovedSender, PairingRequest
from channels_app.registry import import_each

# Each platform's config tables live in its folder (`channels_app/<platform>/models.py`).
import_each("models")

__all__ = ["ApprovedSender", "DroppedMessage", "PairingRequest"]
