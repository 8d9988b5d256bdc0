"""Social emergency forces: the grade a capability's indicators reach (derived on every save),
the bureau's review (approval makes the force a dispatchable rescue team of category 社会应急力量;
suspension makes that team unavailable), and the grade recorded per rescue type."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError

from django.utils import timezone

from yingji.core import capabilities, records, scope
from yingji.core.errors import Conflict, NotFound, ValidationFailed
from yingji.resources.models import RescueTeam
from yingji.rules import social as rules
from yingji.core.records import audited_transaction

from .models import ForceCapability, SocialForce

# YJ/T rescue types -> the rescue-team specialties command filters by
TEAM_SPECIALTY = {"建筑物倒塌搜救": "综合救援", "山地搜救": "综合救援", "水上搜救": "水域", "潜水救援": "水域",
                  "应急医疗救护": "医疗", "其他": "综合救援"}


def capability_of(cap: ForceCapability, members: int | None = None) -> rules.Capability:
    if members is None:
        members = cap.force.members.count() if cap.force_id else 0
    return rules.Capability(range=cap.range, assemble_hours=float(cap.assemble_hours or 0), sites=cap.sites or 0,
                            sustain_hours=cap.sustain_hours or 0, members=members,
                            has_support_teams=cap.has_support_teams)


def derive_capability(cap: ForceCapability) -> None:
    """Registry ``derive``: the division follows the force; the grade the indicators reach."""
    if cap.force_id:
        cap.division_code = cap.force.division_code
        if cap.specialty and cap.specialty not in cap.force.specialties.split("、"):
            raise ValidationError({"specialty": f"“{cap.specialty}”不在该组织登记的救援类别（{cap.force.specialties}）中"})
    if cap.assemble_hours is not None and cap.sustain_hours is not None:
        cap.suggested_grade = rules.highest_grade(capability_of(cap))


def get_force(user, pk) -> SocialForce:
    return scope.get_visible(SocialForce.objects.all(), pk, user, "社会应急力量")


def approval_problems(force: SocialForce, today: dt.date) -> list[str]:
    """What keeps a force from approval: no declared capability, no member, a member without
    valid personal accident insurance (突发事件应对法 2024 第三十九、四十条)."""
    problems = []
    if not force.capabilities.exists():
        problems.append("未登记任何救援类别的能力")
    members = list(force.members.all())
    if not members:
        problems.append("未登记队员")
    uninsured = [m.name for m in members if not m.insured_until or m.insured_until < today]
    if uninsured:
        problems.append(f"队员未投保或保险已过期：{'、'.join(uninsured[:5])}{'等' if len(uninsured) > 5 else ''}")
    return problems


def _team_data(force: SocialForce) -> dict:
    specialties = sorted({TEAM_SPECIALTY[s] for s in force.specialties.split("、") if s in TEAM_SPECIALTY})
    return {"name": force.name, "category": "social", "specialties": "、".join(specialties), "level": "county",
            "headcount": max(force.members.count(), 1), "parent_unit": force.supervisor or "社会组织",
            "leader": force.leader, "leader_phone": force.leader_phone, "duty_phone": force.duty_phone,
            "address": force.address, "division_code": force.division_code, "lon": force.lon, "lat": force.lat}


def review(user, force: SocialForce, decision: str, note: str = "") -> SocialForce:
    """审核: approve (the force becomes a dispatchable team), reject, or suspend/resume calls."""
    capabilities.require(user, "social.forces.review", "只有应急管理部门可以审核社会应急力量")
    scope.check_can_see(force, user)
    note = (note or "").strip()
    allowed = {"approve": ("submitted", "rejected", "suspended"), "reject": ("submitted",), "suspend": ("approved",)}
    if decision not in allowed:
        raise ValidationFailed("审核结论须为通过、不通过或暂停调用", fields={"decision": ["无效"]})
    labels = dict(SocialForce.REVIEW_STATES)
    if force.review_state not in allowed[decision]:
        raise Conflict(f"该组织当前为“{labels[force.review_state]}”，不能执行此操作")
    if decision in ("reject", "suspend") and not note:
        raise ValidationFailed("不通过或暂停调用须写明理由", fields={"note": ["必填"]})
    if decision == "approve":
        problems = approval_problems(force, timezone.localdate())
        if problems:
            raise ValidationFailed("不能审核通过：" + "；".join(problems), code="not_ready",
                                   fields={"decision": problems})
    state = {"approve": "approved", "reject": "rejected", "suspend": "suspended"}[decision]
    with audited_transaction():
        team = force.team
        if decision == "approve":
            if team is None:
                team = records.create_record(user, RescueTeam, _team_data(force),
                                             server={"is_synthetic": force.is_synthetic},
                                             note=f"社会应急力量“{force.name}”审核通过，纳入救援队伍")
            else:
                records.update_record(user, team, {"readiness": "standby", "headcount": max(force.members.count(), 1)},
                                      note="社会应急力量恢复调用")
        elif decision == "suspend" and team is not None:
            records.update_record(user, team, {"readiness": "unavailable"}, note=f"社会应急力量暂停调用：{note}")
        force = records.change(user, force, audit_action="transition", note=f"{labels[state]}" + (f"：{note}" if note else ""),
                               review_state=state, review_note=note[:300], reviewed_at=timezone.now(),
                               reviewer_name=getattr(user, "full_name", "") or user.get_username(), team=team)
    return force


def record_grade(user, cap: ForceCapability, grade, document: str = "", graded_on: dt.date | None = None) -> ForceCapability:
    """Record the grade of one rescue type; refused when the indicators do not reach it, or a
    一级/二级 without the province's document number (应急〔2024〕83号)."""
    capabilities.require(user, "social.forces.review", "只有应急管理部门可以记录测评等级")
    scope.check_can_see(cap, user)
    if cap.force.review_state != "approved":
        raise Conflict("组织审核通过后才能记录测评等级")
    try:
        grade = int(grade)
        rules.check_grade(capability_of(cap), grade, document or "")
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(str(exc) if isinstance(exc, rules.SocialRuleError) else "等级须为 1、2 或 3",
                               code="grade_not_met", fields={"grade": [str(exc)]}) from exc
    return records.change(user, cap, audit_action="transition", note=f"记录测评等级：{rules.GRADES[grade]}",
                          grade=grade, grade_document=(document or "").strip()[:60],
                          graded_on=graded_on or timezone.localdate())


def get_capability(user, pk) -> ForceCapability:
    cap = ForceCapability.objects.select_related("force").filter(pk=pk).first()
    if cap is None:
        raise NotFound(f"救援能力（编号 {pk}）不存在")
    scope.check_can_see(cap, user)
    return cap
