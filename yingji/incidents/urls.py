from django.urls import path

from . import views

urlpatterns = [
    path("", views.console, name="incident-console"),
    path("new/", views.intake, name="incident-intake"),
    path("board/", views.board, name="incident-board"),
    path("stats/", views.stats, name="incident-stats"),
    path("<int:pk>/", views.detail, name="incident-detail"),
    path("<int:pk>/report/<str:kind>/", views.report_form, name="incident-report"),
    path("<int:pk>/entry/", views.add_entry, name="incident-entry"),
    path("<int:pk>/close/", views.close, name="incident-close"),
    path("reports/<int:report_pk>/escalate/", views.escalate, name="incident-escalate"),
    path("reports/<int:report_pk>/forward/", views.forward, name="incident-forward"),
    path("reports/<int:report_pk>/<str:fmt>/", views.document, name="incident-document"),
    path("documents/<int:job_id>/", views.document_job, name="incident-document-job"),
    path("documents/<int:job_id>/download", views.document_download, name="incident-document-download"),
    path("receipts/<int:receipt_pk>/ack/", views.acknowledge, name="incident-ack"),
    path("deadlines/<int:deadline_pk>/complete/", views.complete_deadline, name="incident-deadline-complete"),
]
