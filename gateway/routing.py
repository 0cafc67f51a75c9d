from __future__ import annotations

from typing import Any

from django.urls import path

from gateway.consumers import GatewayConsumer

websocket_urlpatterns: list[Any] = [
    path("", GatewayConsumer.as_asgi()),
    path("ws", GatewayConsumer.as_asgi()),
]
