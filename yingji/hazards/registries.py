"""Registries of the hazards app: lists, forms, exports and /api/v1/<key>/ routes."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from yingji.core import capabilities
from yingji.core.errors import Conflict, Forbidden
from yingji.core.registry import Registry

from . import grading, risk
from .models import (Checklist, HazardGrading, HazardRuleSetting, HazardSource, HazardUnit,
                     HiddenHazard, InspectionTask, RiskPoint, UnitChemical)

GROUP = "安全监管"


@dataclass
class HazardsRegistry(Registry):
    """Shows and exports derived fields (grades, states, scores) that forms must not offer
    (``read_only_fields`` and the cached form come from the shared Registry)."""


class GradedContentRegistry(HazardsRegistry):
    """Writes to a hazard source or its contents regrade the source in the same transaction."""

    def _source(self, obj):
        return obj if isinstance(obj, HazardSource) else obj.hazard_source

    def create(self, user, data):
        with transaction.atomic():
            obj = super().create(user, data)
            grading.regrade(self._source(obj), user, f"新增{self.label}“{obj}”")
        return obj

    def update(self, user, obj, data, expected_version=None):
        with transaction.atomic():
            old_source = self._source(obj)
            obj = super().update(user, obj, data, expected_version=expected_version)
            grading.regrade(self._source(obj), user, f"修改{self.label}“{obj}”")
            if old_source.pk != self._source(obj).pk:
                grading.regrade(old_source, user, f"{self.label}“{obj}”移出")
        return obj

    def delete(self, user, obj, expected_version=None):
        with transaction.atomic():
            source = None if isinstance(obj, HazardSource) else self._source(obj)
            super().delete(user, obj, expected_version=expected_version)
            if source is not None:
                grading.regrade(source, user, f"删除{self.label}“{obj}”")


class RuleSettingRegistry(HazardsRegistry):
    """A changed setting regrades every hazard source it governs (the gradings record it)."""

    def create(self, user, data):
        with transaction.atomic():
            obj = super().create(user, data)
            grading.regrade_in(obj.division_code, user, f"分级规则设置“{obj}”生效")
        return obj

    def update(self, user, obj, data, expected_version=None):
        with transaction.atomic():
            obj = super().update(user, obj, data, expected_version=expected_version)
            grading.regrade_in(obj.division_code, user, f"分级规则设置“{obj}”修改")
        return obj


class InspectionRegistry(HazardsRegistry):
    """Enterprise users file self-checks only; supervisors file either kind."""

    def _check_kind(self, user, kind):
        if capabilities.enterprise_bound(user) and (kind or "supervision") != "self_check":
            raise Forbidden("企业用户只能登记企业自查任务（检查类型选“企业自查”）")

    def create(self, user, data):
        self._check_kind(user, data.get("kind"))
        return super().create(user, data)

    def update(self, user, obj, data, expected_version=None):
        self._check_kind(user, data.get("kind", obj.kind))
        return super().update(user, obj, data, expected_version=expected_version)


class HiddenHazardRegistry(HazardsRegistry):
    """The report is editable while 待确认; afterwards only the loop's steps change a hazard."""

    def update(self, user, obj, data, expected_version=None):
        if obj.state != "reported":
            raise Conflict(f"隐患已处于“{obj.get_state_display()}”状态，不能再修改登记内容；请通过处置流程操作")
        return super().update(user, obj, data, expected_version=expected_version)

    def delete(self, user, obj, expected_version=None):
        if obj.state != "reported":
            raise Conflict("已进入处置流程的隐患不能删除（可由监管人员认定不属实）")
        super().delete(user, obj, expected_version=expected_version)


def _grade_summary(source: HazardSource) -> str:
    return f"{source.grade_name}｜{source.enterprise}"


GRADE_BADGES = {1: "一", 2: "二", 3: "三", 4: "四"}


def _grade_states(sources: list[HazardSource]) -> dict[int, dict]:
    """On the one-map, a graded source carries its grade (一级 the most dangerous, in red)."""
    return {s.pk: {"badge": GRADE_BADGES[s.current_grade], "state": s.grade_name,
                   **({"color": "#b71c1c"} if s.current_grade == 1 else {})}
            for s in sources if s.current_grade in GRADE_BADGES}


HAZARD_SOURCES = GradedContentRegistry(
    key="hazard-sources", model=HazardSource, label="重大危险源", nav_group=GROUP, icon="危",
    fields=["enterprise", "name", "code", "exposed_people", "filing_status", "filing_number", "filed_on",
            "evaluated_on", "person_main", "person_main_phone", "person_technical", "person_technical_phone",
            "person_operational", "person_operational_phone", "emergency_plan", "notes", "lon", "lat",
            "coord_source", "is_major_hazard", "current_grade", "current_r", "current_s", "evaluation_due_on",
            "graded_at"],
    read_only_fields=["is_major_hazard", "current_grade", "current_r", "current_s", "evaluation_due_on", "graded_at"],
    list_fields=["name", "enterprise", "current_grade", "current_r", "filing_status", "evaluation_due_on",
                 "division_code"],
    search_fields=["name", "code", "enterprise__name", "person_main"],
    filter_fields=["current_grade", "filing_status", "is_major_hazard"],
    ordering=["current_grade", "division_code", "name"], select_related=["enterprise"],
    map_layer=True, map_summary=_grade_summary, map_states=_grade_states, map_color="#d84315",
)
HAZARD_UNITS = GradedContentRegistry(
    key="hazard-units", model=HazardUnit, label="危险源单元", nav_group=GROUP,
    fields=["hazard_source", "name", "kind", "description"],
    list_fields=["name", "hazard_source", "kind", "division_code"],
    search_fields=["name", "hazard_source__name", "description"], filter_fields=["kind", "hazard_source"],
    ordering=["hazard_source", "id"], select_related=["hazard_source"],
)
UNIT_CHEMICALS = GradedContentRegistry(
    key="unit-chemicals", model=UnitChemical, label="单元危险化学品", nav_group=GROUP, derive=grading.check_chemical,
    fields=["unit", "name", "cas", "categories", "design_max_t", "storage_form"],
    list_fields=["name", "cas", "categories", "design_max_t", "unit", "division_code"],
    search_fields=["name", "cas", "unit__name", "hazard_source__name"], filter_fields=["unit", "hazard_source"],
    ordering=["unit", "id"], select_related=["unit__hazard_source", "hazard_source"],
)
HAZARD_GRADINGS = Registry(
    key="hazard-gradings", model=HazardGrading, label="重大危险源分级记录", nav_group=GROUP,
    fields=["hazard_source", "graded_at", "trigger", "exposed_people", "alpha", "s", "r", "grade", "is_major_hazard",
            "governing_unit", "rule_setting", "settings_used"],
    list_fields=["hazard_source", "graded_at", "grade", "r", "s", "alpha", "trigger"],
    search_fields=["hazard_source__name", "trigger"], filter_fields=["grade", "hazard_source"],
    ordering=["-graded_at"], select_related=["hazard_source"],
)
RULE_SETTINGS = RuleSettingRegistry(
    key="hazard-rule-settings", model=HazardRuleSetting, label="分级规则设置", nav_group=GROUP,
    fields=["name", "division_code", "beta_choice", "beta_without_category", "shared_key_policy", "decimal_places",
            "lec_cut_major", "lec_cut_high", "lec_cut_general", "lec_cut_owner", "matrix_cut_major",
            "matrix_cut_high", "matrix_cut_general", "matrix_cut_owner", "notes"],
    list_fields=["name", "division_code", "beta_choice", "shared_key_policy", "lec_cut_owner", "matrix_cut_owner"],
    search_fields=["name", "notes"], ordering=["division_code"],
)
RISK_POINTS = HazardsRegistry(
    key="risk-points", model=RiskPoint, label="风险点（风险清单）", nav_group=GROUP, icon="险", derive=risk.assess_point,
    fields=["enterprise", "kind", "name", "location_text", "hazard_factors", "accident_types", "method", "lec_l",
            "lec_e", "lec_c", "matrix_l", "matrix_s", "control_measures", "control_level", "responsible_person",
            "assessed_on", "lon", "lat", "coord_source", "score", "level", "assessment"],
    read_only_fields=["score", "level", "assessment"],
    list_fields=["name", "enterprise", "method", "score", "level", "control_level", "responsible_person",
                 "division_code"],
    search_fields=["name", "enterprise__name", "location_text", "hazard_factors"],
    filter_fields=["level", "method", "kind", "enterprise", "control_level"],
    ordering=["level", "division_code", "name"], select_related=["enterprise"],
)
CHECKLISTS = Registry(
    key="checklists", model=Checklist, label="检查表", nav_group=GROUP,
    fields=["name", "industry", "enterprise", "items", "division_code"],
    list_fields=["name", "industry", "enterprise", "division_code"], filter_fields=["industry"],
    ordering=["division_code", "name"],
)
INSPECTIONS = InspectionRegistry(
    key="inspections", model=InspectionTask, label="检查任务", nav_group=GROUP,
    fields=["enterprise", "kind", "title", "checklist", "inspectors", "planned_on", "executed_on", "status",
            "summary"],
    list_fields=["title", "enterprise", "kind", "planned_on", "status", "division_code"],
    search_fields=["title", "enterprise__name", "inspectors", "summary"], filter_fields=["kind", "status", "enterprise"],
    ordering=["-planned_on"], select_related=["enterprise"],
)
HIDDEN_HAZARDS = HiddenHazardRegistry(
    key="hidden-hazards", model=HiddenHazard, label="隐患台账", nav_group=GROUP,
    fields=["enterprise", "inspection", "title", "description", "location_text", "clause", "source",
            "proposed_grade", "discovered_on", "lon", "lat", "coord_source", "grade", "state", "measures",
            "responsible_person", "funds_yuan", "deadline", "is_supervised", "supervising_unit", "supervision_number",
            "escalation_level", "closed_at"],
    read_only_fields=["grade", "state", "measures", "responsible_person", "funds_yuan", "deadline", "is_supervised",
                      "supervising_unit", "supervision_number", "escalation_level", "closed_at"],
    list_fields=["title", "enterprise", "grade", "state", "deadline", "discovered_on", "division_code"],
    search_fields=["title", "description", "enterprise__name", "clause", "location_text"],
    filter_fields=["state", "grade", "source", "enterprise", "is_supervised"],
    ordering=["-discovered_on"], select_related=["enterprise"],
)
