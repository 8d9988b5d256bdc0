"""分类分级 and the annual plan: suggested grades for the enterprises of a bureau's area, the
plan with its work-day formula, and the 双随机 draws (enterprises and inspector pairs) that
turn it into planned inspections — every draw recorded with its seed and candidates."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from yingji.core import scope
from yingji.core.capabilities import require
from yingji.core.errors import Conflict, ValidationFailed
from yingji.core.records import change, create_record
from yingji.geo import divcodes
from yingji.hazards.selectors import enterprise_risk_facts
from yingji.regions.models import Enterprise
from yingji.rules import enforcement as rules
from yingji.rules import workdays
from yingji.core.records import audited_transaction

from .models import Inspection, InspectionPlan, Inspector, RandomDraw, SupervisionGrade

SUPERVISED_INDUSTRIES = ("hazchem", "non_coal_mine", "coal_mine", "metallurgy", "fireworks", "gas_station")


def _in_area(queryset, code: str):
    prefix = divcodes.scope_prefix(code)
    return queryset.filter(division_code__startswith=prefix)


def grade_enterprises(user, year: int, division_code: str | None = None,
                      industries=SUPERVISED_INDUSTRIES) -> list[SupervisionGrade]:
    """Give every enterprise of the area without a grade for ``year`` the suggested grade
    (the bureau may change it afterwards, with its reason)."""
    require(user, "enforcement.plan")
    code = divcodes.normalise(division_code or user.region_code)
    enterprises = _in_area(scope.visible(Enterprise.objects.filter(industry__in=industries), user), code)
    graded = set(SupervisionGrade.objects.filter(year=year).values_list("enterprise_id", flat=True))
    todo = [e for e in enterprises.order_by("pk") if e.pk not in graded]
    facts = enterprise_risk_facts([e.pk for e in todo])
    created = []
    with audited_transaction():
        for enterprise in todo:
            fact = facts.get(enterprise.pk, {})
            grade, reason = rules.suggested_grade(enterprise.industry, fact.get("major_grade"),
                                                  fact.get("open_major_hazards", 0), 0)
            created.append(create_record(user, SupervisionGrade, {"enterprise": enterprise, "year": year, "grade": grade,
                                                                  "reason": f"系统建议：{reason}"},
                                         server={"suggested_grade": grade}))
    return created


PLAN_FIELDS = ("year", "name", "national_workdays", "inspectors_count", "other_enforcement_days",
               "non_enforcement_days", "key_days", "ratio_b", "ratio_c", "division_code", "is_synthetic")


def create_plan(user, data: dict) -> InspectionPlan:
    require(user, "enforcement.plan")
    data = {k: v for k, v in data.items() if k in PLAN_FIELDS and v not in (None, "")}
    data.setdefault("division_code", user.region_code)
    year = data.get("year")
    if InspectionPlan.objects.filter(division_code=divcodes.normalise(data["division_code"]), year=year).exists():
        raise Conflict(f"本单位 {year} 年度监督检查计划已存在")
    return create_record(user, InspectionPlan, data)


def approve_plan(user, plan: InspectionPlan, document: str, approved_on: dt.date | None = None) -> InspectionPlan:
    require(user, "enforcement.plan")
    scope.check_can_see(plan, user)
    scope.check_can_write(InspectionPlan, user, plan.division_code)
    if plan.state == "approved":
        raise Conflict("该计划已批准")
    if not (document or "").strip():
        raise ValidationFailed("请填写批准文号（本级人民政府或安委会批准）", fields={"approval_document": ["必填"]})
    return change(user, plan, note=f"计划批准：{document}", audit_action="transition", state="approved",
                  approval_document=document.strip(), approved_on=approved_on or timezone.localdate())


def _record_draw(user, plan, kind: str, label: str, candidates: list[str], count: int, seed: str) -> RandomDraw:
    result = rules.draw(candidates, count, seed)
    return create_record(user, RandomDraw, {"plan": plan, "kind": kind, "label": label, "seed": seed,
                                            "candidates": sorted(set(candidates)), "count": count, "result": result},
                         parent=plan, server={"division_code": plan.division_code, "drawn_at": timezone.now()})


def _dates(year: int, count: int) -> list[dt.date]:
    """Planned dates spread over the working days of the year (the 2nd–20th of each month; public
    holidays are not working days: rules.workdays)."""
    if count == 0:
        return []
    days = [dt.date(year, month, day) for month in range(1, 13) for day in range(2, 21)
            if workdays.is_working_day(dt.date(year, month, day))]
    step = len(days) / count
    return [days[int(i * step)] for i in range(count)]


def generate_inspections(user, plan: InspectionPlan, seed: str | None = None) -> list[Inspection]:
    """Turn the approved plan into inspections: every A-grade enterprise (重点), a random draw of
    the B and C pools at the plan's ratios (双随机: enterprises), and for each inspection a pair
    of inspectors drawn from the plan area's certified inspectors (双随机: inspectors). Every
    draw is stored with its seed; the same seed and candidates give the same result."""
    require(user, "enforcement.plan")
    scope.check_can_see(plan, user)
    plan = InspectionPlan.objects.get(pk=plan.pk)
    if plan.state != "approved":
        raise Conflict("计划尚未批准，不能生成检查任务")
    if plan.inspections.exists():
        raise Conflict("该计划已生成检查任务")
    seed = (seed or "").strip() or rules.new_seed()
    grades = SupervisionGrade.objects.filter(year=plan.year, division_code__startswith=divcodes.scope_prefix(plan.division_code))
    by_grade: dict[str, list[str]] = {}
    for grade in grades:
        by_grade.setdefault(grade.grade, []).append(str(grade.enterprise_id))
    if not by_grade:
        raise ValidationFailed(f"{plan.year} 年度尚未对企业分级，请先完成分类分级")
    # The area's own inspectors and those of the bureaus above it (a city's 执法支队 inspects in the counties).
    inspectors = [i for i in Inspector.objects.order_by("pk")
                  if divcodes.is_within(i.division_code, plan.division_code)
                  or divcodes.is_within(plan.division_code, i.division_code)]
    ratios = {"B": plan.ratio_b, "C": plan.ratio_c}
    with audited_transaction():
        chosen: list[tuple[str, str]] = [(pk, "key") for pk in sorted(by_grade.get(rules.KEY_GRADE, []), key=int)]
        for grade in ("B", "C"):
            pool = by_grade.get(grade, [])
            count = rules.random_count(len(pool), ratios[grade])
            if count:
                draw = _record_draw(user, plan, "enterprises", f"{rules.GRADES[grade]}企业随机抽取（{count}/{len(pool)}）",
                                    pool, count, f"{seed}:{grade}")
                chosen += [(pk, "random") for pk in draw.result]
        created = []
        for (enterprise_pk, source), day in zip(chosen, _dates(plan.year, len(chosen))):
            enterprise = Enterprise.objects.get(pk=int(enterprise_pk))
            # Candidates: the area's inspectors whose certificate is valid on the planned day.
            pool = [str(i.pk) for i in inspectors if rules.certificate_problem(i.fact(), day) is None]
            if len(pool) < 2:
                raise ValidationFailed(f"{day.isoformat()} 本计划区域内持有效执法证的执法人员不足两名，不能安排检查")
            pair = _record_draw(user, plan, "inspectors", f"{enterprise.name}检查人员随机抽取", pool, 2,
                                f"{seed}:{enterprise_pk}")
            a, b = (Inspector.objects.get(pk=int(pk)) for pk in pair.result)
            created.append(create_record(user, Inspection, {
                "plan": plan, "enterprise": enterprise, "source": source, "planned_on": day,
                "inspector_a": a, "inspector_b": b, "is_synthetic": plan.is_synthetic,
            }))
    return created


def plan_summary(plan: InspectionPlan) -> dict:
    grades = SupervisionGrade.objects.filter(year=plan.year,
                                             division_code__startswith=divcodes.scope_prefix(plan.division_code))
    counts = {code: grades.filter(grade=code).count() for code in rules.GRADES}
    states = {}
    for inspection in plan.inspections.all():
        states[inspection.get_state_display()] = states.get(inspection.get_state_display(), 0) + 1
    try:
        capacity = plan.capacity().formula()
    except ValueError as exc:
        capacity = str(exc)
    return {"grade_counts": [(rules.GRADES[c], n) for c, n in counts.items()], "states": states,
            "capacity": capacity, "draws": list(plan.draws.all())}
