from django.urls import path

from . import case_views, measure_views, views

app_name = "enforcement"

urlpatterns = [
    path("", views.inspection_list, name="inspections"),
    path("inspections/new/", views.inspection_new, name="inspection-new"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection"),
    path("inspections/<int:pk>/act/", views.inspection_act, name="inspection-act"),
    path("plans/", views.plan_list, name="plans"),
    path("plans/new/", views.plan_new, name="plan-new"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/act/", views.plan_act, name="plan-act"),
    path("cases/", case_views.case_list, name="cases"),
    path("cases/new/", case_views.case_new, name="case-new"),
    path("cases/<int:pk>/", case_views.case_detail, name="case"),
    path("cases/<int:pk>/act/", case_views.case_act, name="case-act"),
    path("on-spot/", measure_views.on_spot_list, name="on-spot"),
    path("on-spot/new/", measure_views.on_spot_new, name="on-spot-new"),
    path("on-spot/<int:pk>/", measure_views.on_spot_detail, name="on-spot-detail"),
    path("on-spot/<int:pk>/act/", measure_views.on_spot_act, name="on-spot-act"),
    path("measures/", measure_views.measure_list, name="measures"),
    path("measures/new/", measure_views.measure_new, name="measure-new"),
    path("measures/<int:pk>/", measure_views.measure_detail, name="measure"),
    path("measures/<int:pk>/act/", measure_views.measure_act, name="measure-act"),
    path("evidence/<int:pk>/", case_views.evidence_file, name="evidence-file"),
    path("documents/<int:pk>/", views.document_file, name="document"),
    path("public/", views.public_decisions, name="public"),
]
