"""The ``plan_registry`` hook: what the plan registry says about the electronic plans (数字化预案)
command matches and starts, so command uses the registry without importing it (preparedness
builds on command's electronic plans; the dependency runs one way), and ``published_plans``
for the public portal."""

from __future__ import annotations

from django.utils import timezone

from yingji.rules import plan_lifecycle as pl

from .models import EmergencyPlan
from .selectors import plan_alerts, stocked_for, with_resources

_ORDER = {pl.FILED: 0, pl.PUBLISHED: 1}


def standing(electronic_ids) -> dict:
    """``{electronic plan id: {registry_id, name, document_number, state, state_label, in_force,
    warnings}}`` for the electronic plans the registry links; an electronic plan with several
    registry records is judged by the one in force (else the latest revision)."""
    today = timezone.localdate()
    best: dict = {}
    linked = with_resources(EmergencyPlan.objects.filter(electronic_id__in=list(electronic_ids)))
    for plan in linked.order_by("-revision", "-pk"):
        current = best.get(plan.electronic_id)
        if current is None or _ORDER.get(plan.state, 9) < _ORDER.get(current.state, 9):
            best[plan.electronic_id] = plan
    stocked = stocked_for(best.values())
    return {eid: {"registry_id": plan.pk, "name": plan.name, "document_number": plan.document_number,
                  "state": plan.state, "state_label": plan.get_state_display(), "in_force": plan.state in pl.IN_FORCE,
                  "warnings": [a["text"] for a in plan_alerts(plan, today, stocked)] if plan.state in pl.IN_FORCE else []}
            for eid, plan in best.items()}


def published_plans(division_prefix: str = ""):
    """Plans the public may read (公开): in force and not classified, newest first. For the
    public portal; no login, so nothing scoped or internal is returned beyond the plan itself."""
    qs = EmergencyPlan.objects.filter(state__in=pl.IN_FORCE, classified=False)
    if division_prefix:
        qs = qs.filter(division_code__startswith=division_prefix)
    return qs.select_related("enterprise").order_by("-published_at", "pk")
