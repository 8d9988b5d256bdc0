"""Reads of the plan registry and the drill board: visible plans, full-text search, the state of
the resources a plan names, filing and evaluation clocks, the alerts that force a revision and
the drill-quota compliance board."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

from django.db.models import Prefetch, Q
from django.utils import timezone

from yingji.core import scope
from yingji.core.db import for_reading
from yingji.core.errors import NotAuthenticated
from yingji.geo import divcodes
from yingji.core.capabilities import enterprise_bound
from yingji.regions.models import Division, Enterprise, Organisation
from yingji.regions.services import name_of
from yingji.resources.stock import stocked_warehouses
from yingji.core import profile as installation
from yingji.rules import drill_quotas as dq
from yingji.rules import plan_lifecycle as pl

from .models import Drill, EmergencyPlan, ImprovementItem, PlanRelation, PlanResource, PlanVersion, RevisionTask
from .plan_text import snippet

HIGH_RISK_INDUSTRIES = frozenset({"hazchem", "coal_mine", "non_coal_mine", "metallurgy", "fireworks", "gas_station",
                                  "construction"})  # 生产安全事故应急条例 第七条 (who must file and drill often)
KEY_SCALES = ("large", "medium")  # 重点企业 on the board: high-risk industry and large or medium size (our reading)


def visible_plans(user):
    return scope.visible(EmergencyPlan.objects.all(), user).select_related("enterprise", "organisation")


def published_plans(prefix: str = "", limit: int = 200):
    """Plans the public may read (the portal, no login): government plans in force, not classified."""
    return (for_reading(EmergencyPlan.objects).filter(state__in=pl.IN_FORCE, kind__in=pl.GOVERNMENT_KINDS | {"township", "village"},
                                         classified=False, enterprise__isnull=True, division_code__startswith=prefix)
            .order_by("-published_at", "name")[:limit])


def get_plan(user, pk) -> EmergencyPlan:
    return scope.get_visible(EmergencyPlan.objects.select_related("enterprise", "electronic"), pk, user, "应急预案")


def search(user, query: str = "", kind: str = "", state: str = ""):
    """Plans matching ``query`` in their name, brief or any version's full text, with a snippet."""
    qs = visible_plans(user)
    if kind:
        qs = qs.filter(kind=kind)
    if state:
        qs = qs.filter(state=state)
    query = (query or "").strip()
    if not query:
        return [(p, "") for p in qs.order_by("division_code", "kind", "name")[:300]]
    qs = qs.filter(Q(name__icontains=query) | Q(brief__icontains=query) | Q(versions__text__icontains=query)).distinct()
    plans = list(qs.order_by("division_code", "kind", "name")[:200])
    # Each plan's newest version holding the query, for all the plans in two queries (one per plan
    # before, each loading the version's uploaded file too).
    newest: dict[int, tuple[int, int]] = {}
    for plan_id, number, pk in PlanVersion.objects.filter(plan__in=[p.pk for p in plans], text__icontains=query) \
            .values_list("plan_id", "number", "pk"):
        if plan_id not in newest or number > newest[plan_id][0]:
            newest[plan_id] = (number, pk)
    texts = dict(PlanVersion.objects.filter(pk__in=[pk for _, pk in newest.values()]).values_list("plan_id", "text"))
    return [(plan, snippet(texts[plan.pk], query) if plan.pk in texts else snippet(plan.brief or plan.name, query))
            for plan in plans]


def filing(plan: EmergencyPlan, now: dt.datetime | None = None) -> pl.FilingStatus:
    return pl.filing_status(plan.published_at, plan.filed_at, now or timezone.now())


def evaluation(plan: EmergencyPlan, today: dt.date | None = None) -> pl.EvaluationStatus:
    published = pl.local_date(plan.published_at) if plan.published_at else None
    return pl.evaluation_status(plan.state, published, plan.last_evaluated_on, today or timezone.localdate())


RESOURCE_JOINS = ("team", "warehouse", "shelter", "organisation")


def with_resources(plans):
    """``plans`` (a queryset) with each plan's named resources and their records prefetched, as
    ``resource_states`` reads them."""
    return plans.prefetch_related(Prefetch("resources", queryset=PlanResource.objects.select_related(*RESOURCE_JOINS)))


def stocked_for(plans) -> set[int]:
    """The warehouses holding stock among those the (prefetched) ``plans`` name, in one query."""
    return stocked_warehouses(link.warehouse_id for plan in plans for link in plan.resources.all() if link.warehouse_id)


def resource_states(plan: EmergencyPlan, stocked: set[int] | None = None) -> list[dict]:
    """Each named resource with what the registry says about it now. ``stocked`` (the warehouses
    holding stock, ``stocked_warehouses``) may be given by a caller going through many plans, whose
    resources are then read from their prefetch (``with_resources``, ``stocked_for``)."""
    rows = []
    if "resources" in getattr(plan, "_prefetched_objects_cache", {}):
        links = list(plan.resources.all())
    else:
        links = list(plan.resources.select_related(*RESOURCE_JOINS))
    if stocked is None:
        stocked = stocked_warehouses(link.warehouse_id for link in links if link.warehouse_id)
    for link in links:
        problem = ""
        if link.kind == "team":
            if link.team is None:
                problem = "该队伍已从救援队伍台账中撤销（解散）"
            elif link.team.readiness == "unavailable":
                problem = "该队伍当前暂不可用"
        elif link.kind == "warehouse":
            if link.warehouse is None:
                problem = "该储备库已从台账中撤销"
            elif link.warehouse_id not in stocked:
                problem = "该储备库当前库存为空"
        elif link.kind == "shelter" and link.shelter is None:
            problem = "该避难场所已从台账中撤销"
        elif link.kind == "organisation" and link.organisation is None:
            problem = "该单位已从组织机构中撤销"
        rows.append({"link": link, "kind": link.get_kind_display(), "name": link.name, "role": link.role,
                     "problem": problem})
    return rows


def plan_alerts(plan: EmergencyPlan, today: dt.date, stocked: set[int] | None = None) -> list[dict]:
    """Conditions the registry detects by itself that force a revision (each with a stable key).
    ``stocked`` as for ``resource_states``."""
    alerts = []
    status = evaluation(plan, today)
    if status.state == "overdue":
        alerts.append({"key": f"evaluation-overdue-{status.due}", "trigger": "evaluation",
                       "text": f"预案自印发或上次评估起已满3年（应于{status.due:%Y-%m-%d}前评估），请组织评估并视情修订",
                       "days": 30})
    for row in resource_states(plan, stocked):
        if row["problem"]:
            link = row["link"]
            alerts.append({"key": f"resource-{link.kind}-{link.pk}-{'gone' if '撤销' in row['problem'] else 'state'}",
                           "trigger": "resource_change", "text": f"预案所列“{row['name']}”：{row['problem']}", "days": 30})
    return alerts


def open_tasks(user):
    return scope.visible(RevisionTask.objects.filter(state="open"), user).select_related("plan").order_by("due_on")


def graph(user, plan: EmergencyPlan) -> dict:
    """The plan's linkage (both directions, only plans the user may see) and a star layout for
    the plan page's drawing: this plan in the middle, the linked plans around it."""
    visible_ids = set(visible_plans(user).values_list("pk", flat=True))
    edges = []
    for rel in plan.relations.select_related("other"):
        if rel.other_id in visible_ids:
            edges.append({"from": plan, "to": rel.other, "other": rel.other, "kind": rel.get_kind_display(),
                          "note": rel.note, "outgoing": True})
    for rel in PlanRelation.objects.filter(other=plan).select_related("plan"):
        if rel.plan_id in visible_ids:
            edges.append({"from": rel.plan, "to": plan, "other": rel.plan, "kind": rel.get_kind_display(),
                          "note": rel.note, "outgoing": False})
    width, height, cx, cy = 980, 430, 490, 215
    count = max(len(edges), 1)
    for i, edge in enumerate(edges):
        angle = 2 * math.pi * i / count - math.pi / 2
        edge["x"], edge["y"] = round(cx + 375 * math.cos(angle)), round(cy + 180 * math.sin(angle))
        edge["mx"], edge["my"] = round((cx + edge["x"]) / 2), round((cy + edge["y"]) / 2)
        edge["label"] = _short(edge["other"].name)
    return {"edges": edges, "width": width, "height": height, "cx": cx, "cy": cy, "label": _short(plan.name)}


def _short(name: str, size: int = 15) -> str:
    name = name.removesuffix("（示例）")
    return name if len(name) <= size else name[:size - 1] + "…"


# ----------------------------------------------------------------------------- drills
def visible_drills(user):
    return scope.visible(Drill.objects.all(), user).select_related("plan", "enterprise", "organisation")


def get_drill(user, pk) -> Drill:
    return scope.get_visible(Drill.objects.select_related("plan", "enterprise"), pk, user, "应急演练")


def open_improvements(user):
    return scope.visible(ImprovementItem.objects.filter(state="open"), user).select_related("drill").order_by("due_on")


def quotas() -> dict[str, dq.Quota]:
    """The national drill quotas and the local ones of the installation's profile."""
    return {**dq.QUOTAS, **{row["code"]: dq.local_quota(row) for row in installation.current().drill_quotas}}


def _held(drills) -> list[tuple[dt.date, bool]]:
    return [(d.held_on, d.large) for d in drills if d.state == "held"]


def board(user, today: dt.date | None = None) -> list[dict]:
    """The compliance board: one row per subject (plan, division, department, key enterprise)
    and quota, with its state (已满足 / 待完成 / 已逾期). A statistics page: read on the replica when
    one is configured (core.db)."""
    if user is None or not getattr(user, "is_authenticated", False):
        raise NotAuthenticated("请先登录")
    today = today or timezone.localdate()
    bound = enterprise_bound(user)
    return _board_rows(
        list(for_reading(visible_drills(user).filter(held_on__lte=today))), for_reading(visible_plans(user)),
        None if bound else user.scope_prefix,
        Organisation.objects.none() if bound else for_reading(scope.visible(Organisation.objects.filter(kind="department"), user)),
        for_reading(scope.visible(Enterprise.objects.filter(industry__in=HIGH_RISK_INDUSTRIES, scale__in=KEY_SCALES), user)),
        today)


def unit_compliance(unit_prefix: str | None = None, organisation_id: int | None = None,
                    today: dt.date | None = None) -> dict:
    """Drill-quota compliance of one assessed unit (a division by its code prefix, or one
    department), for the annual assessment: rows satisfied or not yet due, of all rows."""
    today = today or timezone.localdate()
    drills = Drill.objects.filter(held_on__lte=today).select_related("plan")
    plans = EmergencyPlan.objects.select_related("enterprise")
    if organisation_id is not None:
        rows = _board_rows(list(drills.filter(organisation_id=organisation_id)),
                           plans.filter(organisation_id=organisation_id), None,
                           Organisation.objects.filter(pk=organisation_id), Enterprise.objects.none(), today)
    else:
        prefix = unit_prefix or ""
        rows = _board_rows(list(drills.filter(division_code__startswith=prefix)),
                           plans.filter(division_code__startswith=prefix), prefix,
                           Organisation.objects.filter(kind="department", division_code__startswith=prefix),
                           Enterprise.objects.filter(industry__in=HIGH_RISK_INDUSTRIES, scale__in=KEY_SCALES,
                                                     division_code__startswith=prefix), today)
    kept = sum(1 for r in rows if r["state"] != "overdue")
    return {"drills_kept": kept, "drills_quotas": len(rows),
            "drills_overdue": [f"{r['subject']}（{r['quota_label']}）" for r in rows if r["state"] == "overdue"][:20]}


def _board_rows(drills, plans, prefix, organisations, enterprises, today) -> list[dict]:
    rows = []

    table = quotas()

    def add(group, subject, quota_code, subject_drills, since=None, url_plan=None):
        if quota_code not in table:
            return  # no such quota in this installation's profile (local quotas are the profile's)
        result = dq.compliance(table[quota_code], _held(subject_drills), today, since)
        rows.append({"group": group, "subject": subject, "plan": url_plan, **result.to_json(), "result": result})

    # Each subject's drills, grouped in one pass: a province's board (a thousand plans and key
    # enterprises, twenty thousand drills) took 55-59 s of CPU when each subject scanned every drill
    # (bench/bench_drill_board.py).
    by_plan, by_org, by_enterprise, by_division = {}, {}, {}, {}
    for d in drills:
        if d.plan_id is not None:
            by_plan.setdefault(d.plan_id, []).append(d)
        if d.organisation_id is not None:
            by_org.setdefault(d.organisation_id, []).append(d)
        if d.enterprise_id is not None:
            by_enterprise.setdefault(d.enterprise_id, []).append(d)
        else:  # a division's own drills: not an enterprise's
            by_division.setdefault(d.division_code, []).append(d)
    for plan in plans.filter(state__in=pl.IN_FORCE):
        high = bool(plan.enterprise and plan.enterprise.industry in HIGH_RISK_INDUSTRIES)
        code = dq.plan_quota(plan.kind, high)
        if code:
            add("预案", plan.name, code, by_plan.get(plan.pk, []),
                since=pl.local_date(plan.published_at) if plan.published_at else None, url_plan=plan)
    if prefix is not None:
        city = prefix.ljust(12, "0") if len(prefix) == 4 else None
        if city:
            add("区划", name_of(city), "city_large", by_division.get(city, []))
        counties = sorted(set(_counties(prefix)))
        within: dict[str, list] = {county: [] for county in counties}
        counties_of_code = divcodes.WithinIndex(counties)
        for code, held in by_division.items():
            for county in counties_of_code.containing(code):
                within[county] += held
        for county in counties:
            add("区划", name_of(county), "county", within[county])
    for org in organisations:
        add("部门", org.name, "department_large", by_org.get(org.pk, []))
    for ent in enterprises:
        add("重点企业", ent.name, "key_enterprise", by_enterprise.get(ent.pk, []))
    order = {"overdue": 0, "due": 1, "satisfied": 2}
    rows.sort(key=lambda r: (order[r["state"]], r["group"], r["subject"]))
    return rows


def _counties(prefix: str) -> list[str]:
    if len(prefix) >= 6:
        return [divcodes.normalise(prefix[:6])]
    return list(Division.objects.filter(level="county", code__startswith=prefix).values_list("code", flat=True))


def board_summary(rows: list[dict]) -> dict:
    return {state: sum(1 for r in rows if r["state"] == state) for state in dq.STATES} | {"total": len(rows)}


def percent(part, whole) -> Decimal:
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1")) if whole else Decimal(0)
