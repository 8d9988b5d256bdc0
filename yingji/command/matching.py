"""Which plan and which response level fit an incident (pure; no Django).

Rules (written down in docs/command.md):

* A plan applies to an incident filed in its own division or below it (a city plan covers
  the whole city, a county plan its county).
* A special or departmental plan applies when the incident's type code is in its
  ``event_types`` (``"natural.*"`` covers a whole category); a general plan applies to every
  type unless it lists types.
* Ranking: plans whose levels name the incident's grade first; then special → departmental →
  general; then, per Fuxin's plan (市应急指挥部指挥处置较大、重大级别的突发事件, 县区负责本
  行政区域), the city plan for 特别重大/重大/较大 (grades 1–3) and the county plan for 一般
  (grade 4).
* The proposed level is the plan level whose ``incident_grades`` contain the grade, else the
  level with the grade's number; an ungraded incident gets the plan's lowest level (Ⅳ first).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from yingji.rules.incident_types import incident_type

KIND_RANK = {"special": 0, "department": 1, "general": 2}
NUMERALS = {1: "Ⅰ", 2: "Ⅱ", 3: "Ⅲ", 4: "Ⅳ"}
GRADE_NAMES = {1: "特别重大", 2: "重大", 3: "较大", 4: "一般"}


@dataclass(frozen=True)
class PlanInfo:
    id: object
    name: str
    kind: str
    division_code: str  # 12 digits
    event_types: tuple[str, ...] = ()
    levels: dict = field(default_factory=dict)  # level -> tuple of incident grades


@dataclass
class Proposal:
    plan_id: object
    plan_name: str
    level: int | None
    reasons: list[str]

    def to_json(self) -> dict:
        return {"plan_id": self.plan_id, "plan_name": self.plan_name, "level": self.level,
                "level_label": f"{NUMERALS[self.level]}级响应" if self.level else "", "reasons": list(self.reasons)}


def scope_prefix(code: str) -> str:
    code = code.ljust(12, "0")
    for size in (2, 4, 6, 9):
        if code[size:] == "0" * (12 - size):
            return code[:size]
    return code


def covers_division(plan_division: str, incident_division: str) -> bool:
    return incident_division.ljust(12, "0").startswith(scope_prefix(plan_division))


def covers_type(plan: PlanInfo, type_code: str) -> bool:
    if not plan.event_types:
        return plan.kind == "general"
    category = type_code.split(".")[0]
    return any(t == type_code or t == f"{category}.*" or t == "*" for t in plan.event_types)


def level_for(plan: PlanInfo, grade: int | None) -> tuple[int | None, str]:
    if not plan.levels:
        return None, "预案未设置响应级别"
    if grade is None:
        lowest = max(plan.levels)
        return lowest, f"事件尚未定级，建议先启动{NUMERALS[lowest]}级响应，定级后再调整"
    for level in sorted(plan.levels):
        if grade in plan.levels[level]:
            return level, f"事件等级为{GRADE_NAMES.get(grade, grade)}，对应预案{NUMERALS[level]}级响应启动条件"
    if grade in plan.levels:
        return grade, f"事件等级为{GRADE_NAMES.get(grade, grade)}，按等级对应{NUMERALS[grade]}级响应"
    lowest = max(plan.levels)
    return lowest, f"预案未列出{GRADE_NAMES.get(grade, grade)}事件的响应级别，建议启动最低的{NUMERALS[lowest]}级响应"


def match_plans(plans: list[PlanInfo], type_code: str, grade: int | None, division_code: str) -> list[Proposal]:
    """All applicable plans, best first, each with its proposed level and reasons."""
    division_code = division_code.ljust(12, "0")
    ranked = []
    for plan in plans:
        if not covers_division(plan.division_code, division_code) or not covers_type(plan, type_code):
            continue
        level, why = level_for(plan, grade)
        names_grade = grade is not None and any(grade in g for g in plan.levels.values())
        is_city = len(scope_prefix(plan.division_code)) <= 4
        prefers_city = grade is None or grade <= 3
        tier = 0 if is_city == prefers_city else 1
        reasons = [_type_reason(plan, type_code), why]
        if tier == 0:
            reasons.append("市级指挥部指挥处置较大及以上事件" if is_city else "一般事件由县区指挥部处置")
        ranked.append(((0 if names_grade else 1, KIND_RANK.get(plan.kind, 3), tier, str(plan.id)),
                       Proposal(plan.id, plan.name, level, reasons)))
    ranked.sort(key=lambda item: item[0])
    return [p for _, p in ranked]


def _type_reason(plan: PlanInfo, type_code: str) -> str:
    if plan.kind == "general" and not plan.event_types:
        return "总体预案适用于各类突发事件"
    try:
        name = incident_type(type_code).name
    except ValueError:
        name = type_code
    return f"预案适用事件类型包含“{name}”"
