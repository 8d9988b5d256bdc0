from django.templatetags.static import static
from django.urls import path
from django.views.generic import RedirectView

from . import views

urlpatterns = [
    # Browsers ask for /favicon.ico on their own (e.g. for the API docs and plain responses).
    path("favicon.ico", RedirectView.as_view(url=static("web/favicon.svg"), permanent=True), name="favicon"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("", views.dashboard, name="dashboard"),
    path("map/", views.one_map, name="map"),
    path("search/", views.search, name="search"),
    path("r/<str:key>/", views.record_list, name="record-list"),
    path("r/<str:key>/new/", views.record_create, name="record-create"),
    path("r/<str:key>/export/", views.record_export, name="record-export"),
    path("exports/<int:job_id>/", views.export_job, name="export-job"),
    path("exports/<int:job_id>/download", views.export_download, name="export-download"),
    path("r/<str:key>/<int:pk>/", views.record_detail, name="record-detail"),
    path("r/<str:key>/<int:pk>/edit/", views.record_edit, name="record-edit"),
    path("r/<str:key>/<int:pk>/delete/", views.record_delete, name="record-delete"),
    path("users/", views.user_list, name="user-list"),
    path("users/new/", views.user_create, name="user-create"),
    path("users/<int:pk>/", views.user_edit, name="user-edit"),
    path("audit/", views.audit_list, name="audit-list"),
    path("tasks/", views.task_runs, name="task-runs"),
    path("divisions/", views.division_list, name="division-list"),
]
