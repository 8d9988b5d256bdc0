"""Credit pages: the query by name or code with the credit record, the list and its procedure,
the enterprise's own status with its repair application, the public list. Thin."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from yingji.audit.services import history_of
from yingji.core import scope
from yingji.core.capabilities import enterprise_bound
from yingji.core.errors import ServiceError
from yingji.core.views import page_again, service_view
from yingji.enforcement.models import Case
from yingji.regions.models import Enterprise
from yingji.rules import credit as rules

from . import selectors, services
from .models import Listing

STEP_INPUTS = {
    "object": [("objection", "异议内容", "textarea"), ("objection_on", "提出日期", "date")],
    "accept_objection": [("reply", "复核意见", "textarea")],
    "decide": [("decision_number", "列入决定书文号", "text"), ("decided_on", "决定日期", "date"),
               ("reply", "异议复核意见（有异议时必填）", "textarea")],
    "drop": [("reply", "理由", "textarea")],
    "publish": [("published_on", "公示日期", "date")],
    "apply_repair": [("repair_statement", "申请说明", "textarea"), ("applied_on", "申请日期", "date"),
                     *[(key, label, "check") for key, label in rules.REPAIR_CONDITIONS]],
    "approve_repair": [("removed_on", "移出日期", "date"), ("reply", "审核意见", "textarea")],
    "reject_repair": [("reply", "不同意的理由", "textarea")],
    "revoke_repair": [("reply", "隐瞒或虚构的事实", "textarea")],
}


@service_view
def index(request, error: str = "", status: int = 200):
    user = request.user
    q = request.GET.get("q", "")
    own = None
    if enterprise_bound(user) and user.enterprise_id:
        own = Enterprise.objects.get(pk=user.enterprise_id)
    found = list(selectors.search(user, q)) if q else ([own] if own else [])
    may = user.can("credit.manage")
    return render(request, "credit/index.html", {
        "q": q, "results": [(e, selectors.status_of(e), selectors.profile(e)) for e in found], "error": error,
        "listings": selectors.listings(user)[:200], "may": may, "conditions": Listing.CONDITIONS,
        "enterprises": scope.visible(Enterprise.objects.all(), user).order_by("name") if may else [],
        "cases": scope.visible(Case.objects.filter(decided_on__isnull=False), user) if may else [],
        "today": timezone.localdate().isoformat(),
    }, status=status)


@service_view
@require_POST
def propose(request):
    user, post = request.user, request.POST
    try:
        data = {k: post.get(k) for k in ("condition", "penalty_reference", "persons", "facts", "notice_on")}
        if post.get("enterprise"):
            data["enterprise"] = scope.get_visible(Enterprise.objects.all(), post["enterprise"], user, "企业")
        if post.get("case"):
            data["case"] = scope.get_visible(Case.objects.all(), post["case"], user, "行政处罚案件")
        listing = services.propose(user, data)
    except ServiceError as exc:
        return page_again(request, exc, index)
    messages.success(request, f"已告知“{listing.enterprise}”拟列入严重失信主体名单")
    return redirect("credit:listing", pk=listing.pk)


@service_view
def listing_detail(request, pk, error: str = "", status: int = 200):
    user = request.user
    listing = services.get_listing(user, pk)
    dates = listing.dates()
    return render(request, "credit/listing.html", {
        "listing": listing, "error": error, "dates": dates, "condition_text": rules.CONDITIONS[listing.condition][0],
        "actions": [(t.action, t.label, STEP_INPUTS[t.action]) for t in services.offered_actions(listing, user)
                    if t.action in STEP_INPUTS],
        "steps": [(s, label, s == listing.state) for s, label in rules.STATES.items()],
        "today": timezone.localdate().isoformat(), "timeline": history_of(listing),
    }, status=status)


@service_view
@require_POST
def listing_act(request, pk):
    post = request.POST
    fields = {k: v for k, v in post.dict().items() if k not in ("action", "version", "csrfmiddlewaretoken")}
    try:
        listing = services.step(request.user, pk, post.get("action", ""), fields,
                                expected_version=post.get("version") or None)
    except ServiceError as exc:
        return page_again(request, exc, listing_detail, pk)
    messages.success(request, f"当前状态：{listing.get_state_display()}")
    return redirect("credit:listing", pk=pk)


@cache_control(max_age=60, public=True)
def public_list(request):
    return render(request, "credit/public.html", {"listings": selectors.public_list()})
