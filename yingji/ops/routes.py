"""Routes at the site root (mounted by ``yingji/urls.py``, not under ``/ops/``)."""

from django.urls import path

from . import views
from .metrics import metrics_view

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),
]
