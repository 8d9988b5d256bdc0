"""Reads of the enforcement app: visible inspections, plans and cases, the public decisions."""

from __future__ import annotations

from django.utils import timezone

from yingji.core import scope
from yingji.core.db import for_reading
from yingji.regions.models import Enterprise

from .models import (Case, CaseDocument, CoerciveMeasure, Evidence, Inspection, InspectionPlan, Inspector, OnSpotPenalty,
                     SupervisionGrade)
from .plans import SUPERVISED_INDUSTRIES


def inspections(user, state: str = "", source: str = "", enterprise_id=None):
    qs = scope.visible(Inspection.objects.select_related("enterprise", "inspector_a", "inspector_b"), user)
    if state:
        qs = qs.filter(state=state)
    if source:
        qs = qs.filter(source=source)
    if enterprise_id:
        qs = qs.filter(enterprise_id=enterprise_id)
    return qs


def plans(user):
    return scope.visible(InspectionPlan.objects.all(), user)


def cases(user, state: str = "", enterprise_id=None):
    qs = scope.visible(Case.objects.select_related("enterprise"), user)
    if state:
        qs = qs.filter(state=state)
    if enterprise_id:
        qs = qs.filter(enterprise_id=enterprise_id)
    return qs


def inspectors(user, on=None):
    """Inspectors a user may assign: those of the user's area and of the levels above it."""
    on = on or timezone.localdate()
    code = user.region_code or ""
    prefixes = {code[:n].ljust(12, "0") for n in (2, 4, 6)} | {code}
    qs = Inspector.objects.filter(active=True, valid_until__gte=on)
    return [i for i in qs.order_by("division_code", "name")
            if i.division_code in prefixes or scope.is_visible(i, user)]


def supervised_enterprises(user):
    return scope.visible(Enterprise.objects.filter(industry__in=SUPERVISED_INDUSTRIES), user).order_by("division_code", "name")


def grades_of(enterprise):
    return SupervisionGrade.objects.filter(enterprise=enterprise).order_by("-year")


def documents_of(owner):
    """The archived documents of a case or inspection the caller has already been allowed to see
    (an enterprise user sees those issued to its own enterprise)."""
    field = {Case: "case", OnSpotPenalty: "on_spot", CoerciveMeasure: "measure"}.get(type(owner), "inspection")
    return CaseDocument.objects.filter(**{field: owner}).order_by("pk")


def evidence_of(case, user):
    return scope.visible(Evidence.objects.filter(case=case), user)


def document(user, pk) -> CaseDocument:
    doc = CaseDocument.objects.select_related("case", "inspection", "on_spot", "measure").filter(pk=pk).first()
    owner = doc and (doc.case or doc.inspection or doc.on_spot or doc.measure)
    if owner is not None:
        scope.check_can_see(owner, user)  # 404/403 as for the owner
        return doc
    return scope.get_visible(CaseDocument.objects.all(), pk, user, "执法文书")


def published_decisions(limit: int = 200):
    """公示: decisions published by the bureaus (no login)."""
    return (for_reading(Case.objects).filter(published_on__isnull=False).exclude(state="withdrawn")
            .select_related("enterprise").order_by("-published_on", "-pk")[:limit])


def on_spot_penalties(user):
    return scope.visible(OnSpotPenalty.objects.select_related("enterprise"), user).order_by("-decided_on", "-pk")


def measures(user, state: str = ""):
    qs = scope.visible(CoerciveMeasure.objects.select_related("enterprise", "case"), user)
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-started_on", "-pk")


def measures_of(case, user):
    return scope.visible(CoerciveMeasure.objects.filter(case=case), user)
