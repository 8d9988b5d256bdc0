"""Training pages: the yearly figures against the target, attendance of a session, a trainee's
hours and certificates, and whether enterprises' key posts are certified."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone

from yingji.core import scope
from yingji.core.capabilities import enterprise_bound
from yingji.core.errors import ServiceError
from yingji.core.views import service_view
from yingji.rules import training as tr

from . import training, training_selectors
from .models import ExamSession, Trainee, TrainingSession


@service_view
def index(request):
    user = request.user
    today = timezone.localdate()
    year = int(request.GET["year"]) if request.GET.get("year", "").isdigit() else today.year
    return render(request, "preparedness/training_index.html", {
        "figures": training_selectors.yearly_figures(user, year), "year": year,
        "years": range(today.year - 2, today.year + 1),
        "sessions": scope.visible(TrainingSession.objects.select_related("course"), user)[:20],
        "exams": scope.visible(ExamSession.objects.all(), user)[:20],
        "attention": training_selectors.certificates(user, today, only_attention=True)[:50],
        "can_manage": user.can("training.manage"), "now": timezone.now(),
    })


@service_view
def attendance(request, pk):
    session = scope.get_visible(TrainingSession.objects.select_related("course"), pk, request.user, "培训班次")
    if request.method == "POST":
        try:
            rows = training.record_attendance(request.user, session, request.POST.getlist("trainee_ids"),
                                              request.POST.get("hours"))
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已登记 {len(rows)} 名学员的培训记录")
        return redirect("training-attendance", pk=pk)
    done = set(session.attendance.values_list("trainee_id", flat=True))
    return render(request, "preparedness/training_attendance.html", {
        "session": session, "lines": session.attendance.select_related("trainee"),
        "candidates": scope.visible(Trainee.objects.filter(post=session.course.post), request.user)
        .exclude(pk__in=done)[:300],
        "can_manage": request.user.can("training.manage"),
    })


@service_view
def trainee(request, pk):
    person = scope.get_visible(Trainee.objects.select_related("enterprise"), pk, request.user, "培训学员")
    today = timezone.localdate()
    return render(request, "preparedness/training_trainee.html", {
        "trainee": person, "hours": training_selectors.hours(person, today.year), "year": today.year,
        "lines": person.attendance.select_related("session__course").order_by("-session__starts_on"),
        "attempts": person.attempts.select_related("session").order_by("-started_at"),
        "certificates": [(c, *training_selectors.certificate_state(c, today)) for c in person.certificates.all()],
        "can_open_attempts": not enterprise_bound(request.user),  # an enterprise sees results, not exam papers
    })


@service_view
def key_posts(request):
    rows = training_selectors.key_posts(request.user)
    enterprises: dict = {}
    for row in rows:
        entry = enterprises.setdefault(row["enterprise"].pk, {"enterprise": row["enterprise"], "rows": [], "missing": 0})
        entry["rows"].append(row)
        entry["missing"] += not row["ok"]
    return render(request, "preparedness/training_key_posts.html", {
        "enterprises": sorted(enterprises.values(), key=lambda e: (-e["missing"], e["enterprise"].name)),
        "own_only": enterprise_bound(request.user), "posts": tr.POSTS,
    })
