from django.urls import path

from . import analysis_views, views

urlpatterns = [
    path("", views.console, name="command-console"),
    path("incident/<int:pk>/", views.incident_page, name="command-incident"),
    path("incident/<int:pk>/activate/", views.activate, name="command-activate"),
    path("incident/<int:pk>/summary.docx", views.summary_docx, name="command-summary"),
    path("responses/<int:pk>/", views.response_action, name="command-response-action"),
    path("tasks/<int:pk>/", views.task_action, name="command-task-action"),
    path("dispatches/<int:pk>/state/", views.dispatch_state, name="command-dispatch-state"),
    path("incident/<int:pk>/coverage/", analysis_views.coverage_page, name="command-coverage"),
    path("incident/<int:pk>/allocation/", analysis_views.allocation_page, name="command-allocation"),
    path("incident/<int:pk>/evacuation/", analysis_views.evacuation_page, name="command-evacuation"),
    path("roads/", views.roads, name="command-roads"),
    path("roads/close/", views.close_road, name="command-road-close"),
    path("roads/<int:pk>/reopen/", views.reopen_road, name="command-road-reopen"),
]
