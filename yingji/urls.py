from django.urls import include, path

from yingji.api.base import build_api
from yingji.core.apps import app_modules
from yingji.live import views as live_views
from yingji.web import views as web_views

api = build_api()


def app_urls() -> list:
    """Each app's ``urls`` hook module (core.apps.HOOK_MODULES), mounted under ``/<app label>/``."""
    return [path(f"{config.label}/", include(module)) for config, module in app_modules("urls", exclude=("web",))]


urlpatterns = [
    path("api/v1/", api.urls),
    path("live/stream", live_views.stream, name="live-stream"),
    path("live/progress/<int:job_id>", live_views.progress, name="live-progress"),
    path("portal/", include("yingji.social.portal_urls")),  # the public portal (no login)
    *app_urls(),
    path("", include("yingji.ops.routes")),  # /healthz, /readyz, /metrics
    path("", include("yingji.web.urls")),
]

handler403 = web_views.error_403
handler404 = web_views.error_404
handler500 = web_views.error_500
