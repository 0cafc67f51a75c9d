from __future__ import annotations

from tests.fakes.web.fixtures import (
    fake_brave,
    fake_brave_server,
    fake_searxng,
    fake_searxng_server,
    fake_site,
    fake_site_server,
)

__all__ = [
    "fake_brave",
    "fake_brave_server",
    "fake_searxng",
    "fake_searxng_server",
    "fake_site",
    "fake_site_server",
]
