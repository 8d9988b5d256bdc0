"""Console pages of social mobilisation: the overview (forces to review, volunteers to confirm,
call-ups), a force's review and grading, a call-up's invitations and attendance, the village
coverage of information officers, and the duty room's queue of public and field reports.
Thin: services write, selectors read."""

from __future__ import annotations

import mimetypes

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils import timezone
from django.views.decorators.http import require_POST

from yingji.core import scope
from yingji.core.errors import ServiceError
from yingji.core.views import service_view

from . import coverage, forces, public_reports, selectors, volunteers
from .models import GRADE_CHOICES, PublicReport, Volunteer


def _back(request, url, action):
    try:
        text = action()
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, text)
    return redirect(url)


@service_view
def index(request):
    user = request.user
    return render(request, "social/index.html", {
        "forces": selectors.visible_forces(user).order_by("review_state", "name")[:50],
        "pending_volunteers": selectors.visible_volunteers(user).filter(state="pending")[:50],
        "callups": selectors.visible_callups(user)[:20],
        "can_review": user.can("social.forces.review"), "can_manage": user.can("social.volunteers.manage"),
    })


@service_view
def force_detail(request, pk):
    force = forces.get_force(request.user, pk)
    problems = forces.approval_problems(force, timezone.localdate())
    capabilities = list(force.capabilities.all())
    for cap in capabilities:  # offer only the grades the indicators reach (the service refuses the others)
        cap.grade_choices = [(n, label) for n, label in GRADE_CHOICES if cap.suggested_grade and n >= cap.suggested_grade]
    return render(request, "social/force.html", {
        "force": force, "capabilities": capabilities, "members": force.members.all(),
        "equipment": force.equipment.all(), "can_review": request.user.can("social.forces.review"),
        "problems": problems, "decisions": _decisions(force, problems),
    })


def _decisions(force, problems) -> list[tuple[str, str]]:
    """The review decisions the service would accept for the force as it stands."""
    offered = []
    if force.review_state in ("submitted", "rejected", "suspended") and not problems:
        offered.append(("approve", "通过" if force.review_state != "suspended" else "恢复调用"))
    if force.review_state == "submitted":
        offered.append(("reject", "不通过（须写明理由）"))
    if force.review_state == "approved":
        offered.append(("suspend", "暂停调用（须写明理由）"))
    return offered


@service_view
@require_POST
def force_review(request, pk):
    force = forces.get_force(request.user, pk)
    url = reverse("social-force", args=[pk])
    return _back(request, url, lambda: f"{forces.review(request.user, force, request.POST.get('decision', ''), request.POST.get('note', '')).get_review_state_display()}")


@service_view
@require_POST
def capability_grade(request, pk):
    cap = forces.get_capability(request.user, pk)
    url = reverse("social-force", args=[cap.force_id])
    return _back(request, url, lambda: f"已记录{forces.record_grade(request.user, cap, request.POST.get('grade'), request.POST.get('document', '')).get_grade_display()}")


@service_view
@require_POST
def volunteer_confirm(request, pk):
    volunteer = scope.get_visible(Volunteer.objects.all(), pk, request.user, "志愿者")
    return _back(request, reverse("social-index"), lambda: f"已确认：{volunteers.confirm(request.user, volunteer).name}")


@service_view
def callup_detail(request, pk):
    callup = volunteers.get_callup(request.user, pk)
    summary = volunteers.summary(callup)
    can_manage = request.user.can("social.volunteers.manage") and callup.state == "open"
    return render(request, "social/callup.html", {
        "callup": callup, "rows": callup.responses.select_related("volunteer"), "summary": summary,
        "can_manage": can_manage, "can_invite": can_manage and bool(volunteers.matching_volunteers(request.user, callup)),
        "can_close": can_manage and summary["present"] == 0,
    })


@service_view
@require_POST
def callup_action(request, pk):
    callup = volunteers.get_callup(request.user, pk)
    url = reverse("social-callup", args=[pk])
    action = request.POST.get("action")
    if action == "invite":
        return _back(request, url, lambda: f"已邀请 {len(volunteers.invite(request.user, callup))} 名志愿者")
    if action == "close":
        return _back(request, url, lambda: f"{volunteers.close(request.user, callup).get_state_display()}")
    row = volunteers.get_response(request.user, request.POST.get("row"))
    if row.callup_id != callup.pk:
        messages.error(request, "该志愿者不在本次召集中")
        return redirect(url)
    at = parse_datetime(request.POST.get("at", "")) if request.POST.get("at") else None
    steps = {"accept": lambda: volunteers.answer(request.user, row, True),
             "decline": lambda: volunteers.answer(request.user, row, False),
             "check_in": lambda: volunteers.check_in(request.user, row, at),
             "check_out": lambda: volunteers.check_out(request.user, row, at)}
    if action not in steps:
        messages.error(request, "未知操作")
        return redirect(url)
    def go():
        steps[action]()
        return f"{row.volunteer}：已{dict(ACTION_LABELS)[action]}"
    return _back(request, url, go)


ACTION_LABELS = [("accept", "接受"), ("decline", "谢绝"), ("check_in", "签到"), ("check_out", "签退")]


@service_view
def coverage_page(request):
    rows = coverage.village_rows(request.user, request.GET.get("township", ""))
    only_gaps = request.GET.get("gaps") == "1"
    return render(request, "social/coverage.html", {
        "rows": [r for r in rows if r["gap"]] if only_gaps else rows, "summary": coverage.summary(rows),
        "only_gaps": only_gaps})


@service_view
def queue(request):
    user = request.user
    state = request.GET.get("state", "new")
    if state not in dict(PublicReport.STATES):
        state = "new"
    return render(request, "social/queue.html", {
        "reports": selectors.report_queue(user, state)[:100], "state": state, "states": PublicReport.STATES,
        "field_reports": selectors.field_queue(user)[:100], "can_handle": user.can("social.reports.handle"),
    })


@service_view
@require_POST
def report_handle(request, pk):
    report = public_reports.get_report(request.user, pk)
    return _back(request, reverse("social-queue"), lambda: f"{public_reports.handle(request.user, report, request.POST.get('state', ''), request.POST.get('note', '')).get_state_display()}")


@service_view
def report_photo(request, pk):
    report = public_reports.get_report(request.user, pk)
    if not report.photo:
        raise Http404
    content_type = mimetypes.guess_type(report.photo.name)[0] or "application/octet-stream"
    return FileResponse(report.photo.open("rb"), content_type=content_type)
