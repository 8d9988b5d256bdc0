"""Enforcement pages: inspections (list, scheduling, the on-site steps), annual plans with their
draws, archived documents and the public decisions page. Thin: services write, selectors read.
Case pages are in ``case_views``."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from yingji.audit.services import history_of
from yingji.core import scope
from yingji.core.errors import ServiceError
from yingji.core.views import page_again, service_view
from yingji.hazards.models import Checklist
from yingji.regions.models import Enterprise
from yingji.rules import enforcement as rules
from yingji.rules import hidden_hazard as hh

from . import inspections as service
from . import plans as plan_service
from . import selectors
from .models import Inspection, InspectionPlan, Inspector



@service_view
def inspection_list(request, error: str = "", status: int = 200):
    user = request.user
    state, source = request.GET.get("state", ""), request.GET.get("source", "")
    return render(request, "enforcement/inspection_list.html", {
        "inspections": selectors.inspections(user, state, source)[:300], "states": rules.INSPECTION_STATES,
        "sources": Inspection.SOURCES, "state": state, "source": source, "error": error,
        "can_schedule": user.can("enforcement.inspect"),
        "enterprises": selectors.supervised_enterprises(user) if user.can("enforcement.inspect") else [],
        "inspectors": selectors.inspectors(user) if user.can("enforcement.inspect") else [],
        "checklists": scope.visible(Checklist.objects.all(), user) if user.can("enforcement.inspect") else [],
        "today": timezone.localdate().isoformat(),
    }, status=status)


@service_view
@require_POST
def inspection_new(request):
    user = request.user
    post = request.POST
    try:
        data = {"source": post.get("source") or "complaint", "planned_on": post.get("planned_on")}
        if post.get("enterprise"):
            data["enterprise"] = scope.get_visible(Enterprise.objects.all(), post["enterprise"], user, "企业")
        for key in ("inspector_a", "inspector_b"):
            if post.get(key):
                data[key] = Inspector.objects.filter(pk=post[key]).first()
        if post.get("checklist"):
            data["checklist"] = scope.get_visible(Checklist.objects.all(), post["checklist"], user, "检查表")
        inspection = service.schedule(user, data)
    except ServiceError as exc:
        return page_again(request, exc, inspection_list)
    messages.success(request, f"已安排对“{inspection.enterprise}”的执法检查")
    return redirect("enforcement:inspection", pk=inspection.pk)


@service_view
def inspection_detail(request, pk, error: str = "", status: int = 200):
    user = request.user
    inspection = service.get_inspection(user, pk)
    may = user.can("enforcement.inspect")
    hazards = service.linked_hazards(inspection)
    return render(request, "enforcement/inspection_detail.html", {
        "inspection": inspection, "error": error, "findings": inspection.findings.select_related("hidden_hazard"),
        "hazards": hazards, "documents": selectors.documents_of(inspection), "may": may,
        "actions": [t.action for t in rules.INSPECTION_MACHINE.allowed_actions(inspection.state, {user.role})] if may else [],
        "problems": rules.inspector_problems([i.fact() for i in inspection.inspectors()], timezone.localdate()),
        "grades": hh.GRADES, "steps": [(s, label, s == inspection.state) for s, label in rules.INSPECTION_STATES.items()],
        "checklist_items": inspection.checklist.item_list() if inspection.checklist_id else [],
        "waiting": [h for h in hazards if h.state not in service.AWAITING_REVIEW],
        "review_due": inspection.review_due_on(), "today": timezone.localdate().isoformat(),
        "cases": inspection.cases.all(), "can_open_case": user.can("enforcement.case"),
        "timeline": history_of(inspection),
    }, status=status)


def _checklist_results(request, inspection) -> list[dict] | None:
    if not inspection.checklist_id:
        return None
    rows = []
    for i, item in enumerate(inspection.checklist.item_list()):
        result = request.POST.get(f"item_{i}", "符合")
        rows.append({**item, "result": result if result in ("符合", "不符合", "不适用") else "符合"})
    return rows


@service_view
@require_POST
def inspection_act(request, pk):
    user, post = request.user, request.POST
    action = post.get("action", "")
    version = post.get("version") or None
    try:
        if action == "record":
            inspection = service.get_inspection(user, pk)
            service.record_on_site(user, pk, {**post.dict(), "items": _checklist_results(request, inspection)},
                                   expected_version=version)
            done = "已填写现场检查记录"
        elif action == "finding":
            service.add_finding(user, pk, post.dict())
            done = "已登记检查发现的问题"
        elif action == "order":
            service.order_rectification(user, pk, post.dict(), expected_version=version)
            done = "已下达责令限期整改指令书，问题已转入隐患排查治理"
        elif action == "finish":
            service.finish_without_findings(user, pk, expected_version=version)
            done = "已办结"
        elif action in ("pass_review", "fail_review"):
            service.review(user, pk, action == "pass_review", post.get("opinion", ""), post.get("reviewed_on"),
                           expected_version=version)
            done = "已复查"
        else:
            return inspection_detail.__wrapped__(request, pk, error="未知操作", status=400)
    except ServiceError as exc:
        return page_again(request, exc, inspection_detail, pk)
    messages.success(request, done)
    return redirect("enforcement:inspection", pk=pk)


# --- plans ------------------------------------------------------------------------------------

@service_view
def plan_list(request, error: str = "", status: int = 200):
    user = request.user
    return render(request, "enforcement/plan_list.html", {
        "plans": selectors.plans(user), "can_plan": user.can("enforcement.plan"), "error": error,
        "year": timezone.localdate().year, "defaults": InspectionPlan(),
    }, status=status)


@service_view
@require_POST
def plan_new(request):
    try:
        plan = plan_service.create_plan(request.user, request.POST.dict())
    except ServiceError as exc:
        return page_again(request, exc, plan_list)
    messages.success(request, f"已建立“{plan.name}”")
    return redirect("enforcement:plan", pk=plan.pk)


@service_view
def plan_detail(request, pk, error: str = "", status: int = 200):
    user = request.user
    plan = scope.get_visible(InspectionPlan.objects.all(), pk, user, "年度监督检查计划")
    return render(request, "enforcement/plan_detail.html", {
        "plan": plan, "summary": plan_service.plan_summary(plan), "error": error,
        "inspections": plan.inspections.select_related("enterprise", "inspector_a", "inspector_b")[:500],
        "can_plan": user.can("enforcement.plan"), "today": timezone.localdate().isoformat(),
    }, status=status)


@service_view
@require_POST
def plan_act(request, pk):
    user, post = request.user, request.POST
    plan = scope.get_visible(InspectionPlan.objects.all(), pk, user, "年度监督检查计划")
    action = post.get("action", "")
    try:
        if action == "grade":
            done = f"已为 {len(plan_service.grade_enterprises(user, plan.year, plan.division_code))} 家企业建议监管等级"
        elif action == "approve":
            day = service.parse_date(post.get("approved_on"), "批准日期", "approved_on")
            plan_service.approve_plan(user, plan, post.get("approval_document", ""), day)
            done = "计划已批准"
        elif action == "generate":
            done = f"已生成 {len(plan_service.generate_inspections(user, plan, post.get('seed')))} 项检查任务"
        else:
            return plan_detail.__wrapped__(request, pk, error="未知操作", status=400)
    except ServiceError as exc:
        return page_again(request, exc, plan_detail, pk)
    messages.success(request, done)
    return redirect("enforcement:plan", pk=pk)


# --- documents and the public page -------------------------------------------------------------

@service_view
def document_file(request, pk):
    doc = selectors.document(request.user, pk)
    return FileResponse(doc.file.open("rb"), as_attachment=True, filename=f"{doc.title}.docx",
                        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")


@cache_control(max_age=60, public=True)
def public_decisions(request):
    return render(request, "enforcement/public.html", {"cases": selectors.published_decisions()})
