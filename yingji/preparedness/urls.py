from django.urls import path

from . import exam_views, training_views, views

urlpatterns = [
    path("plans/", views.index, name="plan-index"),
    path("plans/new/", views.new_plan, name="plan-new"),
    path("plans/<int:pk>/", views.detail, name="plan-detail"),
    path("plans/<int:pk>/edit/", views.edit_plan, name="plan-edit"),
    path("plans/<int:pk>/text/", views.save_text, name="plan-text"),
    path("plans/<int:pk>/act/<str:action>/", views.act, name="plan-act"),
    path("plans/<int:pk>/opinions/", views.opinion, name="plan-opinion"),
    path("plans/<int:pk>/evaluations/", views.evaluation, name="plan-evaluation"),
    path("plans/<int:pk>/tasks/", views.task, name="plan-task"),
    path("plans/<int:pk>/tasks/<int:tid>/close/", views.close_task, name="plan-task-close"),
    path("plans/<int:pk>/resources/", views.resource, name="plan-resource"),
    path("plans/<int:pk>/relations/", views.relation, name="plan-relation"),
    path("plans/<int:pk>/versions/<int:number>/file/", views.version_file, name="plan-version-file"),
    path("plans/<int:pk>/diff/", views.diff, name="plan-diff"),
    path("drills/", views.drill_board, name="drill-board"),
    path("drills/<int:pk>/", views.drill_detail, name="drill-detail"),
    path("drills/<int:pk>/improvements/", views.improvement, name="drill-improvement"),
    path("drills/<int:pk>/tabletop/", views.tabletop_act, name="drill-tabletop-act"),
    path("drills/<int:pk>/tabletop/<int:rid>/", views.tabletop, name="drill-tabletop"),
    path("drills/<int:pk>/improvements/<int:iid>/close/", views.close_improvement, name="drill-improvement-close"),
    path("training/", training_views.index, name="training-index"),
    path("training/sessions/<int:pk>/attendance/", training_views.attendance, name="training-attendance"),
    path("training/trainees/<int:pk>/", training_views.trainee, name="training-trainee"),
    path("training/key-posts/", training_views.key_posts, name="training-key-posts"),
    path("exams/<int:pk>/", exam_views.session, name="exam-session"),
    path("exams/<int:pk>/start/", exam_views.start, name="exam-start"),
    path("attempts/<int:pk>/", exam_views.attempt, name="exam-attempt"),
    path("attempts/<int:pk>/submit/", exam_views.submit, name="exam-submit"),
]
