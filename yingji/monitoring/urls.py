from django.urls import path

from . import views

urlpatterns = [
    path("", views.console, name="monitoring-console"),
    path("alarms/", views.alarm_list, name="monitoring-alarms"),
    path("alarms/<int:pk>/", views.alarm_detail, name="monitoring-alarm"),
    path("alarms/<int:pk>/act/", views.alarm_act, name="monitoring-alarm-act"),
    path("sensors/<int:pk>/", views.sensor_trend, name="monitoring-sensor"),
    path("enterprises/", views.enterprise_list, name="monitoring-enterprises"),
    path("enterprises/<int:pk>/", views.enterprise_page, name="monitoring-enterprise"),
    path("quarantine/", views.quarantine, name="monitoring-quarantine"),
    path("map/alarms.geojson", views.alarms_geojson, name="monitoring-alarms-geojson"),
]
