from django.urls import path

from . import views

urlpatterns = [
    path("tokens/", views.token_list, name="accounts-tokens"),
    path("tokens/issue/", views.token_issue, name="accounts-token-issue"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="accounts-token-revoke"),
]
