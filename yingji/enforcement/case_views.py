"""Enforcement case pages: the list, 立案, and the case page with its steps, clocks, evidence,
法制审核, 公示 and archived documents. Thin: ``cases`` writes, ``selectors`` reads."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from yingji.audit.services import history_of
from yingji.core import scope
from yingji.core.errors import ServiceError
from yingji.core.views import page_again, service_view
from yingji.regions.models import Enterprise
from yingji.rules import enforcement as rules

from yingji.rules import enforcement_measures as em

from . import cases as service
from . import measures as measure_service
from . import selectors
from .inspections import get_inspection
from .models import Case, Evidence, Inspector

STEP_INPUTS = {
    "investigate": [],
    "submit_review": [("facts", "违法事实", "textarea"), ("legal_basis", "处罚依据", "textarea")],
    "return_investigation": [("note", "退回理由", "textarea")],
    "notify": [("penalty", "拟作出的处罚", "penalty"), ("fine_yuan", "罚款金额（元）", "number"),
               ("legal_basis", "处罚依据", "textarea"), ("notified_on", "告知日期", "date")],
    "request_hearing": [("requested_on", "申请日期", "date"), ("hearing_on", "拟举行听证日期", "date")],
    "decide": [("decided_on", "决定日期", "date")],
    "serve": [("served_on", "送达日期", "date")],
    "execute": [("executed_on", "执行完毕日期", "date"), ("paid_on", "缴纳罚款日期", "date")],
    "close": [("closed_on", "结案日期", "date")],
    "withdraw": [("note", "撤销理由", "textarea")],
}



@service_view
def case_list(request, error: str = "", status: int = 200):
    user = request.user
    state = request.GET.get("state", "")
    may = user.can("enforcement.case")
    inspection = None
    if request.GET.get("inspection"):
        inspection = get_inspection(user, request.GET["inspection"])
    return render(request, "enforcement/case_list.html", {
        "cases": selectors.cases(user, state)[:300], "states": rules.CASE_STATES, "state": state, "error": error,
        "may": may, "enterprises": selectors.supervised_enterprises(user) if may else [],
        "inspectors": selectors.inspectors(user) if may else [], "inspection": inspection,
        "today": timezone.localdate().isoformat(), "party_kinds": Case.PARTY_KINDS,
    }, status=status)


@service_view
@require_POST
def case_new(request):
    user, post = request.user, request.POST
    try:
        data = {k: post.get(k) for k in ("cause", "party_kind", "party_name", "filed_on")}
        data.update({k: post.get(k) == "on" for k in ("major_public_interest", "complex_case", "other_law")})
        if post.get("enterprise"):
            data["enterprise"] = scope.get_visible(Enterprise.objects.all(), post["enterprise"], user, "企业")
        if post.get("inspection"):
            data["inspection"] = get_inspection(user, post["inspection"])
        for key in ("handler_a", "handler_b"):
            if post.get(key):
                data[key] = Inspector.objects.filter(pk=post[key]).first()
        case = service.open_case(user, data)
    except ServiceError as exc:
        return page_again(request, exc, case_list)
    messages.success(request, f"已立案：{case.number}")
    return redirect("enforcement:case", pk=case.pk)


@service_view
def case_detail(request, pk, error: str = "", status: int = 200):
    user = request.user
    case = service.get_case(user, pk)
    today = timezone.localdate()
    may = user.can("enforcement.case")
    actions = [(t.action, t.label, STEP_INPUTS[t.action]) for t in service.offered_actions(case, user)]
    return render(request, "enforcement/case_detail.html", {
        "case": case, "error": error, "actions": actions, "penalties": rules.PENALTY_KINDS,
        "clocks": [(c, rules.CLOCK_STATES[c.state(today)], c.overdue(today)) for c in case.clocks()],
        "steps": [(s, rules.CASE_STATES[s], s == case.state) for s in rules.CASE_ORDER],
        "evidence": [(e, service.evidence_intact(e)) for e in selectors.evidence_of(case, user)],
        "evidence_kinds": Evidence.KINDS, "documents": selectors.documents_of(case), "may": may,
        "can_add_evidence": may and case.state in service.EVIDENCE_STATES,
        "can_review": user.can("enforcement.law_review") and case.state in ("reviewing", "notified", "hearing"),
        "can_waive": may and case.state == "notified" and not case.waived,
        "can_hear": may and case.state == "hearing" and not case.hearing_held,
        "can_publish": may and case.decided_on and not case.published_on and case.state != "withdrawn",
        "statement_ends": service.statement_ends(case), "today": today.isoformat(),
        "timeline": history_of(case), "measures": selectors.measures_of(case, user),
        "extensions": [(k, v) for k, v in em.DECISION_EXTENSIONS.items()
                       if k and em.extension_problem(case.filed_on, case.decision_extension, k, today) is None],
        "can_extend": user.can("enforcement.decide") and case.state in rules.CASE_OPEN and not case.decided_on,
    }, status=status)


@service_view
@require_POST
def case_act(request, pk):
    user, post = request.user, request.POST
    action = post.get("action", "")
    try:
        if action == "evidence":
            service.add_evidence(user, pk, request.FILES.get("file"), post.get("kind", ""), post.get("description", ""),
                                 post.get("collected_on"))
            done = "已登记证据"
        elif action == "law_review":
            service.law_review(user, pk, post.get("result") == "passed", post.get("opinion", ""), post.get("reviewed_on"))
            done = "已记录法制审核意见"
        elif action == "waive":
            service.record_waiver(user, pk)
            done = "已登记当事人放弃陈述申辩和听证"
        elif action == "hearing_held":
            service.record_hearing(user, pk, post.get("held_on"), post.get("note", ""))
            done = "已登记听证"
        elif action == "extend_decision":
            measure_service.extend_decision(user, pk, post.get("extension", ""), post.get("reason", ""),
                                            post.get("extended_on"))
            done = "已批准延长办案期限"
        elif action == "publish":
            service.publish(user, pk, post.get("published_on"))
            done = "处罚决定已公示"
        else:
            fields = {k: v for k, v in post.dict().items() if k not in ("action", "version", "csrfmiddlewaretoken")}
            case = service.step(user, pk, action, fields, expected_version=post.get("version") or None)
            done = f"当前状态：{case.get_state_display()}"
    except ServiceError as exc:
        return page_again(request, exc, case_detail, pk)
    messages.success(request, done)
    return redirect("enforcement:case", pk=pk)


@service_view
def evidence_file(request, pk):
    evidence = scope.get_visible(Evidence.objects.all(), pk, request.user, "证据")
    return FileResponse(evidence.file.open("rb"), as_attachment=True,
                        filename=evidence.original_name or f"证据{evidence.pk}")
