from __future__ import annotations

from django.urls import path, register_converter

from channels_app.telegram.webhook import HookPathConverter, telegram_webhook

# Only the path a running Telegram adapter registered (its `webhookUrl`'s path) matches;
# every other URL falls through to the gateway's routes.
register_converter(HookPathConverter, "telegram_hook")

urlpatterns = [
    path("<telegram_hook:hook_path>", telegram_webhook, name="telegram-webhook"),
]
