"""The ASGI stack, built once: Django for HTTP, the gateway protocol for WebSockets."""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "epiloop_site.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from channels_app.webhooks import fast_path  # noqa: E402
from gateway.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": fast_path(django_asgi_app),  # chat platforms' webhook updates skip Django
        "websocket": URLRouter(websocket_urlpatterns),
    }
)
