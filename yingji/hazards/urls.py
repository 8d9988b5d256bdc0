from django.urls import path

from . import views

app_name = "hazards"

urlpatterns = [
    path("sources/", views.source_list, name="source-list"),
    path("sources/<int:pk>/", views.source_detail, name="source-detail"),
    path("sources/<int:pk>/regrade/", views.source_regrade, name="source-regrade"),
    path("hidden/", views.hidden_list, name="hidden-list"),
    path("hidden/new/", views.hidden_new, name="hidden-new"),
    path("hidden/<int:pk>/", views.hidden_detail, name="hidden-detail"),
    path("hidden/<int:pk>/act/", views.hidden_act, name="hidden-act"),
    path("hidden/<int:pk>/photos/", views.hidden_photo, name="hidden-photo"),
    path("photos/<int:pk>/", views.photo_file, name="photo-file"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection-detail"),
    path("risk-map/", views.risk_map, name="risk-map"),
    path("risk-map/points.geojson", views.risk_points_geojson, name="risk-points-geojson"),
    path("stats/", views.statistics, name="statistics"),
    path("stats/export/", views.statistics_export, name="statistics-export"),
]
