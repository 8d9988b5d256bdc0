"""Government-affairs pages: the 督查督办 board and tasks, the annual assessment with its scoring
sheet and ranking. Thin: services write and compute, the pages show."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from yingji.audit.services import history_of
from yingji.core import scope
from yingji.core.errors import NotFound, ServiceError, ValidationFailed
from yingji.core.views import page_again, service_view
from yingji.geo import divcodes
from yingji.regions.models import Division, Organisation
from yingji.regions.services import name_of
from yingji.rules import affairs as rules

from . import services
from .models import (AssessmentAdjustment, AssessmentEvidence, AssessmentScore, OfficialDocument, SupervisionTask,
                     unit_name)



def _units(user):
    """Counties/districts (and the user's own division) a task may be assigned to."""
    code = divcodes.normalise(user.region_code)
    return [(code, name_of(code))] + [(d.code, d.name) for d in Division.objects.filter(
        parent_id=code, level="county").order_by("code")]


@service_view
def task_list(request, error: str = "", status: int = 200):
    user = request.user
    state = request.GET.get("state", "")
    tasks = scope.visible(SupervisionTask.objects.all(), user)
    today = timezone.localdate()
    may = user.can("affairs.assign")
    return render(request, "affairs/tasks.html", {
        "board": services.board(tasks, today), "tasks": (tasks.filter(state=state) if state else tasks)[:300],
        "states": rules.STATES, "state": state, "today": today, "error": error, "may": may,
        "sources": rules.SOURCES, "units": _units(user) if may else [],
        "documents": scope.visible(OfficialDocument.objects.all(), user)[:200] if may else [],
    }, status=status)


@service_view
@require_POST
def task_new(request):
    user, post = request.user, request.POST
    data = {k: post.get(k) for k in ("title", "source", "content", "assignee", "responsible_person", "deadline",
                                     "division_code")}
    try:
        if post.get("document"):
            data["document"] = scope.get_visible(OfficialDocument.objects.all(), post["document"], user, "文件")
        if not data.get("assignee") and data.get("division_code"):
            data["assignee"] = f"{name_of(data['division_code'])}人民政府"
        task = services.assign_task(user, data)
    except ServiceError as exc:
        return page_again(request, exc, task_list)
    messages.success(request, f"已交办“{task.title}”")
    return redirect("affairs:task", pk=task.pk)


@service_view
def task_detail(request, pk, error: str = "", status: int = 200):
    user = request.user
    task = services.get_task(user, pk)
    actions = rules.TASK_MACHINE.allowed_actions(task.state, {user.role})
    return render(request, "affairs/task.html", {
        "task": task, "error": error, "actions": actions, "feedback": task.feedback.all(),
        "overdue": task.state in rules.OPEN_STATES and task.deadline < timezone.localdate(),
        "today": timezone.localdate().isoformat(), "timeline": history_of(task),
    }, status=status)


@service_view
@require_POST
def task_act(request, pk):
    post = request.POST
    try:
        task = services.task_step(request.user, pk, post.get("action", ""),
                                  {k: post.get(k, "") for k in ("progress", "note", "day")},
                                  expected_version=post.get("version") or None)
    except ServiceError as exc:
        return page_again(request, exc, task_detail, pk)
    messages.success(request, f"当前状态：{task.get_state_display()}")
    return redirect("affairs:task", pk=pk)


# --- the assessment ----------------------------------------------------------------------------

def parse_items(text: str) -> list[dict]:
    """Items as lines ``名称｜分值｜评分方式`` (评分方式 empty for hand scoring, or a metric label)."""
    by_label = {label: code for code, label in rules.METRICS.items()}
    items = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.replace("|", "｜").split("｜")]
        try:
            points = Decimal(parts[1])
        except (IndexError, ArithmeticError, ValueError):
            raise ValidationFailed(f"第{number}行：分值缺失或不是数字", fields={"items": [f"第{number}行"]}) from None
        method = parts[2] if len(parts) > 2 else ""
        metric = by_label.get(method, method)
        items.append({"name": parts[0], "points": points, "metric": metric})
    return items


@service_view
def assessment_list(request, error: str = "", status: int = 200):
    user = request.user
    return render(request, "affairs/assessments.html", {
        "assessments": services.visible_assessments(user), "may": user.can("affairs.assign"),
        "error": error, "units": _units(user)[1:], "year": timezone.localdate().year, "metrics": rules.METRICS,
        "departments": scope.visible(Organisation.objects.filter(kind="department"), user),
    }, status=status)


@service_view
def assessment_detail(request, pk, error: str = "", status: int = 200):
    user = request.user
    assessment = services.get_assessment(user, pk)
    items = list(assessment.items.all())
    # An assessed department's staff see their own rows, like an assessed county's users.
    assessed = f"org:{user.organisation_id}" in assessment.units if getattr(user, "organisation_id", None) else False
    organiser = divcodes.is_within(assessment.division_code, user.region_code) and not assessed
    visible_units = [u for u in assessment.units if organiser or services.acts_for(user, u)]
    scores = {(s.item_id, s.unit): s for s in AssessmentScore.objects.filter(item__assessment=assessment)}
    files: dict = {}
    for f in AssessmentEvidence.objects.filter(score__item__assessment=assessment):
        files.setdefault(f.score_id, []).append(f)
    sheet = [(unit, unit_name(unit), [
        (item, scores.get((item.pk, unit)), rules.figure_text(item.metric, getattr(scores.get((item.pk, unit)), "figures", {})),
         files.get(getattr(scores.get((item.pk, unit)), "pk", None), []), services.applies(item, unit))
        for item in items]) for unit in visible_units]
    adjustments = {a.unit: a for a in AssessmentAdjustment.objects.filter(assessment=assessment)}
    ranking = [(r, unit_name(r.unit), adjustments.get(r.unit)) for r in services.results(assessment)
               if r.unit in visible_units]
    return render(request, "affairs/assessment.html", {
        "assessment": assessment, "items": items, "sheet": sheet, "ranking": ranking, "error": error,
        "may_score": user.can("affairs.assign"), "may_submit": user.can("affairs.feedback"),
        "own_units": [u for u in visible_units if services.acts_for(user, u)],
    }, status=status)


@service_view
@require_POST
def assessment_act(request, pk):
    user, post = request.user, request.POST
    try:
        if pk == 0:
            assessment = services.create_assessment(user, {
                "year": post.get("year"), "name": post.get("name"), "units": post.getlist("units"),
                "departments": post.getlist("departments")},
                parse_items(post.get("items", "")))
            messages.success(request, f"已建立“{assessment.name}”")
            return redirect("affairs:assessment", pk=assessment.pk)
        assessment = services.get_assessment(user, pk)
        action = post.get("action", "")
        item = None
        if post.get("item"):
            item = assessment.items.filter(pk=post["item"]).first()  # the assessment itself was authorised above
        if action == "metrics":
            done = f"已按平台数据计分 {services.fill_metrics(user, assessment)} 项"
        elif action == "score" and item is not None:
            services.score(user, item, post.get("unit", ""), post.get("deduction"), post.get("note", ""))
            done = "已评分"
        elif action == "evidence" and item is not None:
            services.submit_evidence(user, item, post.get("unit", ""), post.get("evidence", ""))
            done = "已报送考核材料"
        elif action == "evidence_file" and item is not None:
            services.upload_evidence(user, item, post.get("unit", ""), request.FILES.get("file"))
            done = "已上传佐证材料"
        elif action == "adjust":
            services.adjust(user, assessment, post.get("unit", ""), post.get("bonus"), post.get("veto") == "on",
                            post.get("reason", ""))
            done = "已记录加分与否决"
        else:
            raise ValidationFailed("未知操作")
    except ServiceError as exc:
        if pk == 0:
            return page_again(request, exc, assessment_list)
        return page_again(request, exc, assessment_detail, pk)
    messages.success(request, done)
    return redirect("affairs:assessment", pk=pk)


@service_view
def evidence_file(request, pk):
    """A 佐证材料 file, to whoever may see the assessment it belongs to and the unit's sheet."""
    evidence = AssessmentEvidence.objects.select_related("score__item__assessment").filter(pk=pk).first()
    if evidence is None:
        raise NotFound("佐证材料不存在")
    assessment = services.get_assessment(request.user, evidence.score.item.assessment_id)
    user = request.user
    assessed = f"org:{user.organisation_id}" in assessment.units if getattr(user, "organisation_id", None) else False
    if not ((divcodes.is_within(assessment.division_code, user.region_code) and not assessed)
            or services.acts_for(user, evidence.score.unit)):
        raise NotFound("佐证材料不存在")
    return FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.original_name)
