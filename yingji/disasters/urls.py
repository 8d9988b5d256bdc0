from django.urls import path

from . import views

urlpatterns = [
    path("", views.index, name="disaster-index"),
    path("new/", views.new_event, name="disaster-new"),
    path("<int:pk>/", views.detail, name="disaster-detail"),
    path("<int:pk>/report/", views.report_form, name="disaster-report"),
    path("<int:pk>/stabilise/", views.stabilise, name="disaster-stabilise"),
    path("<int:pk>/payments/", views.payment, name="disaster-payment"),
]
