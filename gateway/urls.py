from __future__ import annotations

from django.urls import path

from gateway import openai_compat, views, views_ui

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("v1/chat/completions", openai_compat.chat_completions, name="chat-completions"),
    path("", views_ui.control, name="index"),
]
