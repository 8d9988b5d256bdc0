from django.urls import path

from . import indicator_views, views

urlpatterns = [
    path("", views.index, name="disaster-index"),
    path("new/", views.new_event, name="disaster-new"),
    path("indicators/", indicator_views.dashboard, name="disaster-indicators"),
    path("indicators/report.docx", indicator_views.annual_report, name="disaster-indicator-report"),
    path("<int:pk>/", views.detail, name="disaster-detail"),
    path("<int:pk>/report/", views.report_form, name="disaster-report"),
    path("<int:pk>/reports/<int:rid>/review/", views.review, name="disaster-review"),
    path("<int:pk>/export.xlsx", views.export_xlsx, name="disaster-export"),
    path("<int:pk>/report.docx", views.special_report_docx, name="disaster-special-report"),
    path("<int:pk>/stabilise/", views.stabilise, name="disaster-stabilise"),
    path("<int:pk>/payments/", views.payment, name="disaster-payment"),
    path("<int:pk>/notice/", views.notice, name="disaster-notice"),
    path("<int:pk>/casualties/", views.casualty, name="disaster-casualty"),
    path("<int:pk>/dispatches/", views.dispatch, name="disaster-dispatch"),
    path("<int:pk>/dispatches/<int:did>/<str:step>/", views.dispatch_step, name="disaster-dispatch-step"),
    path("<int:pk>/casualties/<int:cid>/status/", views.casualty_status, name="disaster-casualty-status"),
]
