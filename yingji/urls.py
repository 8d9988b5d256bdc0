from django.urls import include, path

from yingji.api.base import build_api
from yingji.web import views as web_views

api = build_api()

urlpatterns = [
    path("api/v1/", api.urls),
    path("", include("yingji.web.urls")),
]

handler403 = web_views.error_403
handler404 = web_views.error_404
handler500 = web_views.error_500
