from django.urls import path

from . import views

urlpatterns = [
    path("", views.calendar_view, name="duty-calendar"),
    path("shifts/<int:shift_pk>/swap/", views.request_swap, name="duty-swap-request"),
    path("swaps/<int:pk>/decide/", views.decide_swap, name="duty-swap-decide"),
    path("handovers/", views.handovers, name="duty-handovers"),
    path("handovers/<int:pk>/ack/", views.acknowledge_handover, name="duty-handover-ack"),
    path("daily/", views.daily, name="duty-daily"),
]
