"""URLs of the public portal, mounted at /portal/ (yingji/urls.py)."""

from django.urls import path

from . import portal_feeds, portal_views

app_name = "portal"

urlpatterns = [
    path("", portal_views.home, name="home"),
    path("warnings/", portal_views.warnings_page, name="warnings"),
    path("feed.atom", portal_feeds.WarningFeed(), name="feed"),
    path("plans/", portal_views.plans, name="plans"),
    path("shelters/", portal_views.shelters, name="shelters"),
    path("articles/", portal_views.articles, name="articles"),
    path("articles/<int:pk>/", portal_views.article, name="article"),
    path("decisions/", portal_views.decisions, name="decisions"),
    path("report/", portal_views.report, name="report"),
    path("report/thanks/", portal_views.report_thanks, name="report-thanks"),
    path("volunteer/", portal_views.volunteer, name="volunteer"),
    path("volunteer/thanks/", portal_views.volunteer_thanks, name="volunteer-thanks"),
]
