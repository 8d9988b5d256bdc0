from django.urls import path

from . import views

app_name = "exchange"

urlpatterns = [
    path("", views.links, name="links"),
    path("children/new/", views.issue, name="issue"),
    path("children/<int:pk>/toggle/", views.toggle, name="toggle"),
    path("parent/", views.connect, name="connect"),
    path("parent/sync/", views.sync_now, name="sync"),
    path("received/", views.received, name="received"),
    path("received/<int:pk>/", views.record, name="record"),
    path("received/<int:pk>/instruct/", views.instruct, name="instruct"),
]
