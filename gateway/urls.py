from __future__ import annotations

from django.urls import path

from gateway import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("", views.index, name="index"),
]
