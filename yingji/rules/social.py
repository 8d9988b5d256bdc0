"""Social mobilisation rules: grading of social emergency forces, volunteer hours served and the
coverage of villages by grassroots disaster information officers. Pure: no Django.

Sources (docs/rules.md §"社会动员"):

* Grading — 应急管理部《社会应急力量分类分级测评实施办法（试行）》应急〔2024〕83号 (2024-10-11)
  [confirmed]: specialities 建筑物倒塌搜救 / 山地搜救 / 水上搜救 / 潜水救援 / 应急医疗救护 / 其他, each graded
  一级 / 二级 / 三级 from highest to lowest; MEM reviews 一级 results, the province organises 一级
  and 二级 assessments (so a city or county bureau records them with the province's document
  number, and assesses 三级 itself where the province delegates it). The standard set is
  《社会应急力量建设基础规范》YJ/T 1.1–1.6—2022.
* Indicators — the 建筑物倒塌搜救 example table [partly confirmed, a garbled reproduction]:
  一级 operates in its own and neighbouring provinces, assembles within 6 h locally, works 2 sites
  for 48 h, has an advance team and a rear support team, about 75 members; 二级 own province,
  1 site for 48 h; 三级 local area, assembles within 4 h, 1 site for 12 h. The same indicators
  are applied to the other specialities and the member minimums of 二级 (40) and 三级 (15) and
  the assembly time of 二级 (6 h) are **our assumption** until YJ/T 1.2–1.6 are read.
* Information officers — 应急〔2020〕11号 and the provincial practice: at least one 灾害信息员
  per village and community [partly confirmed]; an A post and a B post (two people) in
  disaster-prone villages [partly confirmed].
* Volunteers — 志愿服务条例 (2017) art. 19 (service time recorded) [confirmed]; hours served are
  the time between check-in and check-out (our rule for rounding: down to 0.1 h).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

GRADING_SOURCE = "应急〔2024〕83号；YJ/T 1.1—2022"
SPECIALTIES = ("建筑物倒塌搜救", "山地搜救", "水上搜救", "潜水救援", "应急医疗救护", "其他")
GRADES = {1: "一级", 2: "二级", 3: "三级"}
RANGES = {"local": "本地（市县）", "province": "本省", "region": "本省及周边省份"}
_RANGE_ORDER = {"local": 0, "province": 1, "region": 2}


@dataclass(frozen=True)
class GradeRequirement:
    grade: int
    range: str
    max_assemble_hours: float
    sites: int
    sustain_hours: int
    min_members: int
    needs_support_teams: bool  # advance team and rear support team


REQUIREMENTS = (
    GradeRequirement(1, "region", 6, 2, 48, 75, True),
    GradeRequirement(2, "province", 6, 1, 48, 40, False),  # assemble time and members: our assumption
    GradeRequirement(3, "local", 4, 1, 12, 15, False),  # members: our assumption
)


class SocialRuleError(ValueError):
    """Invalid input to a social-mobilisation rule, with a Chinese message."""


@dataclass(frozen=True)
class Capability:
    """What a force declares (and the bureau verifies) for one speciality."""

    range: str
    assemble_hours: float
    sites: int
    sustain_hours: int
    members: int
    has_support_teams: bool


def shortfalls(capability: Capability, requirement: GradeRequirement) -> list[str]:
    """The indicators of ``requirement`` that ``capability`` does not meet, in Chinese."""
    if capability.range not in _RANGE_ORDER:
        raise SocialRuleError(f"未知的作业范围：{capability.range}")
    missing = []
    if _RANGE_ORDER[capability.range] < _RANGE_ORDER[requirement.range]:
        missing.append(f"作业范围须达到“{RANGES[requirement.range]}”")
    if capability.assemble_hours > requirement.max_assemble_hours:
        missing.append(f"集结时间须在 {requirement.max_assemble_hours:g} 小时以内")
    if capability.sites < requirement.sites or capability.sustain_hours < requirement.sustain_hours:
        missing.append(f"须能在 {requirement.sites} 个作业点连续作业 {requirement.sustain_hours} 小时")
    if capability.members < requirement.min_members:
        missing.append(f"在册队员须不少于 {requirement.min_members} 人")
    if requirement.needs_support_teams and not capability.has_support_teams:
        missing.append("须设前突分队和后方保障分队")
    return missing


def highest_grade(capability: Capability) -> int | None:
    """The highest grade (1 highest) whose every indicator the capability meets, or None."""
    for requirement in REQUIREMENTS:
        if not shortfalls(capability, requirement):
            return requirement.grade
    return None


def check_grade(capability: Capability, grade: int, document: str = "") -> None:
    """Refuse a grade the capability does not reach, or a 一级/二级 without the province's document
    number (those are assessed by the province, 一级 reviewed by MEM: 应急〔2024〕83号)."""
    if grade not in GRADES:
        raise SocialRuleError(f"等级须为一级、二级或三级，收到：{grade}")
    requirement = next(r for r in REQUIREMENTS if r.grade == grade)
    missing = shortfalls(capability, requirement)
    if missing:
        raise SocialRuleError(f"不满足{GRADES[grade]}测评指标：" + "；".join(missing))
    if grade in (1, 2) and not document.strip():
        raise SocialRuleError(f"{GRADES[grade]}由省级组织测评（一级报应急管理部复核），须填写测评结果文号")


# ----------------------------------------------------------------------------- volunteers
def served_hours(check_in: datetime, check_out: datetime) -> float:
    """Hours between check-in and check-out, rounded down to 0.1 h."""
    if check_out <= check_in:
        raise SocialRuleError("签退时间须晚于签到时间")
    seconds = (check_out - check_in).total_seconds()
    if seconds > 72 * 3600:
        raise SocialRuleError("单次服务时长超过 72 小时，请核对签到签退时间")
    return math.floor(seconds / 360) / 10


# ----------------------------------------------------------------------------- information officers
MIN_OFFICERS = 1
MIN_OFFICERS_DISASTER_PRONE = 2  # A post and B post


def required_officers(disaster_prone: bool) -> int:
    return MIN_OFFICERS_DISASTER_PRONE if disaster_prone else MIN_OFFICERS


def coverage_gap(officers: int, disaster_prone: bool) -> str:
    """"" when the village is covered, else what is missing in Chinese."""
    needed = required_officers(disaster_prone)
    if officers >= needed:
        return ""
    if officers == 0:
        return "未配备灾害信息员"
    return f"灾害易发村（社区）须设 A、B 岗（至少 {needed} 人），现有 {officers} 人"
