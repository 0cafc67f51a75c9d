"""The Telegram channel (python-telegram-bot). Only this package imports `telegram`."""

from __future__ import annotations

import os

# Opt in to PTB's coming behaviour (time periods as `timedelta`): otherwise PTB itself emits a
# deprecation warning each time it builds a RetryAfter (every 429), which tests treat as errors.
os.environ.setdefault("PTB_TIMEDELTA", "true")
