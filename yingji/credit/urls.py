from django.urls import path

from . import views

app_name = "credit"

urlpatterns = [
    path("", views.index, name="index"),
    path("listings/new/", views.propose, name="propose"),
    path("listings/<int:pk>/", views.listing_detail, name="listing"),
    path("listings/<int:pk>/act/", views.listing_act, name="listing-act"),
    path("public/", views.public_list, name="public"),
]
