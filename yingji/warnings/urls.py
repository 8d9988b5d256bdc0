from django.urls import path

from . import public_views, views

app_name = "warnings"

urlpatterns = [
    path("", views.warning_list, name="list"),
    path("new/", views.warning_create, name="create"),
    path("<int:pk>/", views.warning_detail, name="detail"),
    path("<int:pk>/edit/", views.warning_edit, name="edit"),
    path("<int:pk>/act/", views.warning_act, name="act"),
    path("<int:pk>/derive/", views.warning_derive, name="derive"),
    path("<int:pk>/cap.xml", views.warning_cap, name="cap"),
    path("<int:pk>/coverage/", views.warning_coverage, name="coverage"),
    path("imports/", views.imports_page, name="imports"),
    path("imported/<int:pk>/", views.imported_detail, name="imported"),
    path("imported/<int:pk>/cap.xml", views.imported_cap, name="imported-cap"),
    path("notices/", views.notices, name="notices"),
    path("map.geojson", views.map_geojson, name="map-geojson"),
    # Public, no login:
    path("public/", public_views.public_page, name="public"),
    path("public/map.geojson", public_views.public_geojson, name="public-geojson"),
    path("feed.atom", public_views.feed, name="feed"),
    path("cap/<str:identifier>.xml", public_views.cap_document, name="cap-public"),
]
