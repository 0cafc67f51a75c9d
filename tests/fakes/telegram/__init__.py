from __future__ import annotations

from tests.fakes.telegram.server import FakeTelegram

__all__ = ["FakeTelegram"]
