"""Reads of the credit app: search by name or unified social credit code, the credit profile of
an enterprise (enforcement decisions, accidents, hidden-hazard performance, listings), the
list (名单) as other departments query it for joint punishment (联合惩戒)."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from yingji.core import scope
from yingji.core.db import for_reading
from yingji.enforcement.models import Case
from yingji.hazards.models import HiddenHazard
from yingji.incidents.models import Incident
from yingji.regions.models import Enterprise
from yingji.rules import credit as rules
from yingji.rules import hidden_hazard as hh

from .models import Listing


def search(user, text: str):
    text = (text or "").strip()
    qs = scope.visible(Enterprise.objects.all(), user)
    if not text:
        return qs.none()
    return qs.filter(Q(name__icontains=text) | Q(uscc__iexact=text.upper())).order_by("name")[:50]


def listings(user, state: str = ""):
    qs = scope.visible(Listing.objects.select_related("enterprise"), user)
    return qs.filter(state=state) if state else qs


def status_of(enterprise) -> dict:
    """Whether the enterprise is on the list now, with the listing that puts it there."""
    current = (Listing.objects.filter(enterprise=enterprise, state__in=rules.ON_LIST).order_by("-decided_on").first())
    pending = Listing.objects.filter(enterprise=enterprise, state__in=("proposed", "objection")).first()
    return {"on_list": current is not None, "listing": current, "pending": pending,
            "label": "严重失信主体（名单内）" if current else ("拟列入（程序中）" if pending else "未列入严重失信主体名单")}


def profile(enterprise) -> list[dict]:
    """The credit record of an enterprise, newest first: penalty decisions, accidents, overdue
    or open major hidden hazards, list entries and removals."""
    today = timezone.localdate()
    rows = []
    for case in Case.objects.filter(enterprise=enterprise, decided_on__isnull=False).exclude(state="withdrawn"):
        penalty = case.get_penalty_display() + (f" {case.fine_yuan} 元" if case.fine_yuan else "")
        rows.append({"day": case.decided_on, "kind": "行政处罚", "text": f"{case.decision_number}：{case.cause}，{penalty}"})
    for incident in Incident.objects.filter(enterprise=enterprise, type_code__startswith="accident"):
        rows.append({"day": timezone.localtime(incident.received_at).date(), "kind": "生产安全事故", "text": incident.title})
    hazards = HiddenHazard.objects.filter(enterprise=enterprise).exclude(state__in=hh.TERMINAL_STATES)
    overdue = [h for h in hazards if h.is_overdue(today)]
    for hazard in overdue:
        rows.append({"day": hazard.deadline, "kind": "隐患逾期未整改", "text": f"{hazard.title}（{hazard.get_grade_display()}）"})
    for listing in Listing.objects.filter(enterprise=enterprise).exclude(state__in=("proposed", "objection", "dropped")):
        rows.append({"day": listing.decided_on, "kind": "列入严重失信主体名单",
                     "text": f"{listing.decision_number}（{listing.get_condition_display()}）"})
        if listing.removed_on:
            rows.append({"day": listing.removed_on, "kind": "移出名单", "text": listing.get_state_display()})
    return sorted(rows, key=lambda r: r["day"] or today, reverse=True)


def public_list():
    """The published list (no login): entries in 公示中 or under a repair application."""
    return for_reading(Listing.objects).filter(state__in=("listed", "repair_requested")).select_related("enterprise") \
        .order_by("-published_on")
