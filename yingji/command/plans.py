"""Digital plans: creation from structured data (one transaction, audited) and matching."""

from __future__ import annotations

from yingji.core import scope
from yingji.core.apps import app_modules
from yingji.core.errors import Forbidden, NotFound, ValidationFailed
from yingji.core.records import check_foreign_keys, create_record, writing_children
from yingji.geo import divcodes
from yingji.rules.incident_types import incident_type
from yingji.core.records import audited_transaction

from .matching import PlanInfo, match_plans
from .models import Plan, PlanAction, PlanLevel, PlanMember


def _check_levels(levels) -> None:
    if not levels:
        raise ValidationFailed("预案至少需要一个响应级别", fields={"levels": ["必填"]})
    seen = set()
    for item in levels:
        level = item.get("level")
        if level not in (1, 2, 3, 4):
            raise ValidationFailed(f"响应级别必须是 1–4（Ⅰ–Ⅳ级），收到：{level}", fields={"levels": ["级别无效"]})
        if level in seen:
            raise ValidationFailed(f"响应级别 {level} 重复", fields={"levels": ["级别重复"]})
        seen.add(level)
        if not (item.get("activation_conditions") or "").strip():
            raise ValidationFailed(f"{level} 级响应缺少启动条件", fields={"levels": ["缺少启动条件"]})
        for grade in item.get("incident_grades", []):
            if grade not in (1, 2, 3, 4):
                raise ValidationFailed(f"事件等级必须是 1–4，收到：{grade}", fields={"levels": ["事件等级无效"]})


def _check_event_types(codes) -> None:
    for code in codes:
        if code.endswith(".*") or code == "*":
            continue
        try:
            incident_type(code)
        except ValueError as exc:
            raise ValidationFailed(str(exc), fields={"event_types": [str(exc)]}) from exc


def create_plan(user, data: dict) -> Plan:
    """Create a plan with its levels, member units and actions from one structured document::

        {"name", "kind", "event_types": [...], "division_code", "headquarters_id", "hq_composition",
         "lead_unit", "document_number", "source", "summary",
         "members": [{"unit_name", "organisation_id", "role", "duties"}],
         "levels": [{"level": 1..4, "incident_grades": [...], "activation_conditions", "commander",
                     "decided_by", "actions": [{"unit_name", "organisation_id", "action", "due_minutes"}]}]}
    """
    data = dict(data)
    levels = data.pop("levels", [])
    members = data.pop("members", [])
    _check_levels(levels)
    _check_event_types(data.get("event_types", []))
    _check_organisations(user, members, levels)
    with audited_transaction():
        plan = create_record(user, Plan, data, note="新建数字化预案")
        with writing_children(user, plan, note="预案结构（级别、成员单位、行动措施）", document=plan_document):
            _write_children(plan, levels, members)
    return plan


def _check_organisations(user, members, levels) -> None:
    """Member units and action units must be organisations the writer may refer to."""
    rows = [*members, *(a for item in levels for a in item.get("actions", []))]
    for row in rows:
        if row.get("organisation_id"):
            check_foreign_keys(user, PlanMember(organisation_id=row["organisation_id"]), ["organisation"])


def _write_children(plan: Plan, levels, members) -> None:
    for i, m in enumerate(members):
        if not (m.get("unit_name") and m.get("duties")):
            raise ValidationFailed("成员单位须填写单位名称和职责", fields={"members": ["缺少单位名称或职责"]})
        PlanMember.objects.create(plan=plan, unit_name=m["unit_name"], organisation_id=m.get("organisation_id"),
                                  role=m.get("role", ""), duties=m["duties"], order=i)
    for item in levels:
        level = PlanLevel.objects.create(plan=plan, level=item["level"], incident_grades=item.get("incident_grades", []),
                                         activation_conditions=item["activation_conditions"],
                                         commander=item.get("commander", ""), decided_by=item.get("decided_by", ""))
        for i, a in enumerate(item.get("actions", [])):
            if not (a.get("unit_name") and a.get("action")):
                raise ValidationFailed("行动措施须填写责任单位和措施内容", fields={"levels": ["行动措施不完整"]})
            PlanAction.objects.create(level=level, order=i, unit_name=a["unit_name"],
                                      organisation_id=a.get("organisation_id"), action=a["action"],
                                      due_minutes=a.get("due_minutes"))


def plan_document(plan: Plan) -> dict:
    """The whole plan as structured data (API detail, audit snapshot, export)."""
    return {
        "id": plan.pk, "name": plan.name, "kind": plan.kind, "kind_label": plan.get_kind_display(),
        "event_types": plan.event_types, "division_code": plan.division_code,
        "headquarters_id": plan.headquarters_id, "headquarters": str(plan.headquarters) if plan.headquarters_id else "",
        "hq_composition": plan.hq_composition, "lead_unit": plan.lead_unit, "document_number": plan.document_number,
        "source": plan.source, "summary": plan.summary, "is_active": plan.is_active, "is_synthetic": plan.is_synthetic,
        "members": [{"unit_name": m.unit_name, "organisation_id": m.organisation_id, "role": m.role, "duties": m.duties}
                    for m in plan.members.all()],
        "levels": [{"level": lv.level, "incident_grades": lv.incident_grades,
                    "activation_conditions": lv.activation_conditions, "commander": lv.commander,
                    "decided_by": lv.decided_by,
                    "actions": [{"id": a.pk, "unit_name": a.unit_name, "organisation_id": a.organisation_id,
                                 "action": a.action, "due_minutes": a.due_minutes} for a in lv.actions.all()]}
                   for lv in plan.levels.all()],
    }


def visible_plans(user):
    return scope.visible(Plan.objects.filter(is_active=True), user)


def get_plan(user, pk) -> Plan:
    plan = Plan.objects.filter(pk=pk).first()
    if plan is None:
        raise NotFound(f"预案（编号 {pk}）不存在")
    scope.check_can_see(plan, user)
    return plan


def plan_infos(qs) -> list[PlanInfo]:
    infos = []
    for plan in qs.prefetch_related("levels"):
        infos.append(PlanInfo(plan.pk, plan.name, plan.kind, plan.division_code, tuple(plan.event_types or ()),
                              {lv.level: tuple(lv.incident_grades or ()) for lv in plan.levels.all()}))
    return infos


def propose(user, type_code: str, grade: int | None, division_code: str) -> list[dict]:
    """Applicable plans for an incident, best first, with the proposed level and reasons.

    Plans of the incident's division and of its parents are considered (a county user still
    sees the city plan that covers their county)."""
    try:
        incident_type(type_code)
    except ValueError as exc:
        raise ValidationFailed(str(exc), fields={"type_code": [str(exc)]}) from exc
    if grade is not None and grade not in (1, 2, 3, 4):
        raise ValidationFailed("事件等级必须是 1–4", fields={"grade": ["1–4"]})
    try:
        division_code = divcodes.normalise(division_code)
    except divcodes.DivisionCodeError as exc:
        raise ValidationFailed(f"区划代码无效：{exc}", fields={"division_code": [str(exc)]}) from exc
    if not divcodes.is_within(division_code, user.region_code):
        raise Forbidden(f"区划 {division_code[:6]} 不在您的管辖范围内，不能为其匹配预案",
                        fields={"division_code": ["不在您的管辖范围内"]})
    # Only the plans of the division and those above it can cover it (``matching.covers_division``):
    # every active plan of a province, with the registry's alerts for each, is read otherwise.
    infos = plan_infos(Plan.objects.filter(is_active=True, division_code__in=divcodes.ancestors(division_code)))
    standing = registry_standing([i.id for i in infos])
    # The plan registry has the last word: a plan it records as not in force (draft, under
    # revision, abolished) is not proposed.
    infos = [i for i in infos if standing.get(i.id, {}).get("in_force", True)]
    proposals = match_plans(infos, type_code, grade, division_code)
    for proposal in proposals:
        entry = standing.get(proposal.plan_id)
        if entry is None:
            proposal.reasons.append("该数字化预案未关联预案库中的预案")
            continue
        number = f"（{entry['document_number']}）" if entry["document_number"] else ""
        proposal.reasons.append(f"预案库：《{entry['name']}》{number}{entry['state_label']}")
        proposal.reasons.extend(f"预案库提示：{w}" for w in entry["warnings"])
    return [p.to_json() for p in proposals]


def registry_standing(plan_ids) -> dict:
    """The plan registry's word on these electronic plans, through the ``plan_registry`` hook."""
    standing: dict = {}
    for _, module in app_modules("plan_registry"):
        standing.update(module.standing(plan_ids))
    return standing
