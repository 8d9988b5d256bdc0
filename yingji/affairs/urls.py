from django.urls import path

from . import views

app_name = "affairs"

urlpatterns = [
    path("", views.task_list, name="tasks"),
    path("tasks/new/", views.task_new, name="task-new"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("tasks/<int:pk>/act/", views.task_act, name="task-act"),
    path("assessments/", views.assessment_list, name="assessments"),
    path("assessments/new/", views.assessment_act, {"pk": 0}, name="assessment-new"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment"),
    path("assessments/<int:pk>/act/", views.assessment_act, name="assessment-act"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence-file"),
]
