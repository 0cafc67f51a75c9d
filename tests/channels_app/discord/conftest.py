from __future__ import annotations

from collections.abc import Iterator

import pytest

from config import runtime


@pytest.fixture(autouse=True)
def _fresh_runtime() -> Iterator[None]:
    """Each test installs its own config; none leaks into the next (or other platforms')."""
    yield
    runtime.reset()
