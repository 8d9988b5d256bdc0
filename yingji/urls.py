from importlib import import_module

from django.apps import apps
from django.urls import include, path

from yingji.api.base import build_api
from yingji.live import views as live_views
from yingji.web import views as web_views

api = build_api()


def app_urls() -> list:
    """Each domain app may provide ``urls.py``; it is mounted under ``/<app label>/``."""
    patterns = []
    for config in apps.get_app_configs():
        if not config.name.startswith("yingji.") or config.label in ("web",):
            continue
        try:
            module = import_module(f"{config.name}.urls")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.urls":
                raise
            continue
        patterns.append(path(f"{config.label}/", include(module)))
    return patterns


urlpatterns = [
    path("api/v1/", api.urls),
    path("live/stream", live_views.stream, name="live-stream"),
    *app_urls(),
    path("", include("yingji.web.urls")),
]

handler403 = web_views.error_403
handler404 = web_views.error_404
handler500 = web_views.error_500
