from django.urls import path

from . import views

urlpatterns = [
    path("stock/", views.stock_overview, name="resources-stock"),
    path("import/batch/<int:batch_id>/", views.import_batch, name="resources-import-batch"),
    path("import/batch/<int:batch_id>/status", views.import_batch_status, name="resources-import-status"),
    path("import/<str:key>/", views.import_page, name="resources-import"),
    path("import/<str:key>/template.xlsx", views.import_template, name="resources-import-template"),
]
