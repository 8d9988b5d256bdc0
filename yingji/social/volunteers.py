"""Volunteers: self-registration on the public portal (waits for the bureau's confirmation),
call-ups for an incident or a drill, the volunteer's answer (nobody is forced to serve:
志愿服务条例 第二十五条), check-in and check-out, and the hours served (第十九条)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from yingji.core import capabilities, records, scope
from yingji.core.errors import Conflict, NotFound, ValidationFailed
from yingji.geo import divcodes
from yingji.resources.fields import split_labels
from yingji.rules import social as rules
from yingji.core.records import audited_transaction

from .models import Callup, CallupResponse, Volunteer

MANAGE = "social.volunteers.manage"


def register_from_portal(data: dict) -> Volunteer:
    """A member of the public registers (no login): the record waits (待审核) for the bureau.
    Written by the system actor, audited as a portal registration."""
    name, phone = (data.get("name") or "").strip(), (data.get("phone") or "").strip()
    errors = {}
    if not name:
        errors["name"] = ["请填写姓名"]
    if not phone:
        errors["phone"] = ["请填写手机号"]
    if not data.get("consent"):
        errors["consent"] = ["须同意登记的个人信息仅用于应急志愿服务"]
    code = (data.get("division_code") or "").strip()
    try:
        code = divcodes.normalise(code) if code else ""
    except divcodes.DivisionCodeError:
        code = ""
    if not code:
        errors["division_code"] = ["请选择所在县区"]
    if errors:
        raise ValidationFailed("登记信息不完整：" + "；".join(v[0] for v in errors.values()), fields=errors)
    if Volunteer.objects.filter(phone=phone, state__in=("pending", "active")).exists():
        raise Conflict("该手机号已登记为志愿者，无需重复登记；如需修改信息请联系当地应急管理局")
    return records.create_record(records.SYSTEM, Volunteer, {
        "name": name[:40], "phone": phone, "skills": data.get("skills") or "", "availability": data.get("availability") or "weekend",
        "division_code": code, "notes": (data.get("notes") or "")[:200]},
        server={"source": "portal", "state": "pending"}, note="公众门户自助登记")


def confirm(user, volunteer: Volunteer, active: bool = True) -> Volunteer:
    capabilities.require(user, MANAGE)
    scope.check_can_see(volunteer, user)
    state = "active" if active else "inactive"
    if volunteer.state == state:
        raise Conflict(f"该志愿者已是“{volunteer.get_state_display()}”")
    return records.change(user, volunteer, audit_action="transition", note="确认登记" if active else "退出登记", state=state)


def get_callup(user, pk) -> Callup:
    return scope.get_visible(Callup.objects.all(), pk, user, "志愿者召集")


def _fresh(row: CallupResponse) -> CallupResponse:
    """The row as stored now (the caller's copy may predate another answer or check-in)."""
    return CallupResponse.objects.select_related("callup", "volunteer").get(pk=row.pk)


def get_response(user, pk) -> CallupResponse:
    row = CallupResponse.objects.select_related("callup", "volunteer").filter(pk=pk).first()
    if row is None:
        raise NotFound(f"召集响应（编号 {pk}）不存在")
    scope.check_can_see(row, user)
    return row


def matching_volunteers(user, callup: Callup):
    """Active volunteers within the call-up's division with at least one of the skills it needs
    (any active volunteer when it names none), not yet invited."""
    qs = scope.visible(Volunteer.objects.filter(state="active"), user).filter(
        division_code__startswith=divcodes.scope_prefix(callup.division_code[:6].ljust(12, "0")))
    skills = split_labels(callup.skills)
    invited = callup.responses.values_list("volunteer_id", flat=True)
    rows = [v for v in qs.exclude(pk__in=invited) if not skills or set(split_labels(v.skills)) & set(skills)]
    return rows


def invite(user, callup: Callup, volunteer_ids=None) -> list[CallupResponse]:
    """Invite the given volunteers, or every matching one."""
    capabilities.require(user, MANAGE)
    scope.check_can_see(callup, user)
    if callup.state != "open":
        raise Conflict("召集已结束，不能再邀请")
    if volunteer_ids:
        volunteers = [scope.get_visible(Volunteer.objects.all(), pk, user, "志愿者") for pk in volunteer_ids]
        inactive = [v.name for v in volunteers if v.state != "active"]
        if inactive:
            raise ValidationFailed(f"只能邀请在册志愿者：{'、'.join(inactive)}尚未确认登记", fields={"volunteers": inactive})
    else:
        volunteers = matching_volunteers(user, callup)
    existing = set(callup.responses.values_list("volunteer_id", flat=True))
    rows = [{"volunteer": v} for v in volunteers if v.pk not in existing]
    if not rows:
        raise ValidationFailed("没有可邀请的志愿者（在册、技能匹配且尚未邀请）", fields={"volunteers": ["无"]})
    return records.create_rows(user, CallupResponse, rows, parent=callup,
                               server={"callup": callup, "division_code": callup.division_code,
                                       "is_synthetic": callup.is_synthetic},
                               note=f"邀请参加：{callup.title}")


def answer(user, row: CallupResponse, accept: bool, at: dt.datetime | None = None) -> CallupResponse:
    """The volunteer's answer, recorded by staff (phone, message) — accepting or declining is theirs."""
    capabilities.require(user, MANAGE)
    row = _fresh(row)
    scope.check_can_see(row, user)
    if row.callup.state != "open":
        raise Conflict("召集已结束")
    if row.checked_in_at:
        raise Conflict("已签到，不能再更改答复")
    value = "accepted" if accept else "declined"
    if row.answer == value:
        raise Conflict(f"答复已是“{row.get_answer_display()}”")
    return records.change(user, row, audit_action="transition", note=f"{row.volunteer}：{dict(CallupResponse.ANSWERS)[value]}",
                          answer=value, answered_at=at or timezone.now())


def check_in(user, row: CallupResponse, at: dt.datetime | None = None) -> CallupResponse:
    capabilities.require(user, MANAGE)
    row = _fresh(row)
    scope.check_can_see(row, user)
    if row.answer != "accepted":
        raise Conflict(f"{row.volunteer}未接受召集，不能签到")
    if row.checked_in_at:
        raise Conflict(f"{row.volunteer}已于 {timezone.localtime(row.checked_in_at):%Y-%m-%d %H:%M} 签到")
    return records.change(user, row, audit_action="transition", note=f"{row.volunteer}签到", checked_in_at=at or timezone.now())


def check_out(user, row: CallupResponse, at: dt.datetime | None = None) -> CallupResponse:
    """Sign out: the hours served (rules.social.served_hours) are added to the volunteer's total."""
    capabilities.require(user, MANAGE)
    row = _fresh(row)
    scope.check_can_see(row, user)
    if not row.checked_in_at:
        raise Conflict(f"{row.volunteer}尚未签到")
    if row.checked_out_at:
        raise Conflict(f"{row.volunteer}已签退")
    at = at or timezone.now()
    try:
        hours = Decimal(str(rules.served_hours(row.checked_in_at, at)))
    except rules.SocialRuleError as exc:
        raise ValidationFailed(str(exc), fields={"checked_out_at": [str(exc)]}) from exc
    with audited_transaction():
        row = records.change(user, row, audit_action="transition", note=f"{row.volunteer}签退，服务 {hours} 小时",
                             checked_out_at=at, hours=hours)
        volunteer = Volunteer.objects.select_for_update().get(pk=row.volunteer_id)
        records.change(user, volunteer, lock=False, note=f"累计服务时长增加 {hours} 小时（{row.callup}）",
                       hours_served=volunteer.hours_served + hours)
    return row


def close(user, callup: Callup) -> Callup:
    capabilities.require(user, MANAGE)
    scope.check_can_see(callup, user)
    if callup.state != "open":
        raise Conflict("召集已结束")
    if callup.responses.filter(checked_in_at__isnull=False, checked_out_at__isnull=True).exists():
        raise Conflict("还有已签到未签退的志愿者，请先签退")
    return records.change(user, callup, audit_action="transition", note="结束召集", state="closed")


def summary(callup: Callup) -> dict:
    rows = list(callup.responses.all())
    return {"invited": len(rows), "accepted": sum(r.answer == "accepted" for r in rows),
            "declined": sum(r.answer == "declined" for r in rows),
            "present": sum(bool(r.checked_in_at) and not r.checked_out_at for r in rows),
            "hours": sum((r.hours for r in rows), Decimal("0"))}
