from __future__ import annotations

from django.urls import path, register_converter

from channels_app.webhooks import PathConverter, django_view

# Only a path a running adapter registered (its webhook URL's path) matches; every other URL
# falls through to the gateway's routes.
register_converter(PathConverter, "webhook")

urlpatterns = [
    path("<webhook:hook_path>", django_view, name="webhook"),
]
