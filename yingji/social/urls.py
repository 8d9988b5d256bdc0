from django.urls import path

from . import field_views, views

urlpatterns = [
    path("", views.index, name="social-index"),
    path("forces/<int:pk>/", views.force_detail, name="social-force"),
    path("forces/<int:pk>/review/", views.force_review, name="social-force-review"),
    path("capabilities/<int:pk>/grade/", views.capability_grade, name="social-capability-grade"),
    path("volunteers/<int:pk>/confirm/", views.volunteer_confirm, name="social-volunteer-confirm"),
    path("callups/<int:pk>/", views.callup_detail, name="social-callup"),
    path("callups/<int:pk>/act/", views.callup_action, name="social-callup-action"),
    path("coverage/", views.coverage_page, name="social-coverage"),
    path("queue/", views.queue, name="social-queue"),
    path("queue/<int:pk>/handle/", views.report_handle, name="social-report-handle"),
    path("queue/<int:pk>/photo/", views.report_photo, name="social-report-photo"),
    # the field app (PWA): its page, service worker and manifest live under /social/field/ so the
    # service worker's scope is exactly the app
    path("field/", field_views.app, name="field-app"),
    path("field/sw.js", field_views.service_worker, name="field-sw"),
    path("field/manifest.webmanifest", field_views.manifest, name="field-manifest"),
    path("field/reports/", field_views.reports, name="field-reports"),
    path("field/inbox/", field_views.inbox, name="field-inbox"),
]
