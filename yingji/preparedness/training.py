"""Writes of training: a session's attendance (hours per trainee, the training file line)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from yingji.core import scope
from yingji.core.errors import Conflict, ValidationFailed
from yingji.core.records import create_record
from yingji.core.records import audited_transaction

from .models import Attendance, Trainee, TrainingSession


def record_attendance(user, session: TrainingSession, trainee_ids, hours=None) -> list[Attendance]:
    """Record that these trainees completed the session (default: the course's hours). All or none."""
    scope.check_can_see(session, user)
    scope.check_can_create(Attendance, user)
    try:
        hours = Decimal(str(hours)) if hours not in (None, "") else session.course.hours
    except InvalidOperation:
        raise ValidationFailed("学时须为数字", fields={"hours": ["须为数字"]}) from None
    if hours < 0 or hours > session.course.hours * 2:
        raise ValidationFailed(f"学时应在 0 到 {session.course.hours * 2} 之间", fields={"hours": ["超出范围"]})
    ids = [int(i) for i in trainee_ids if str(i).strip().isdigit()]
    if not ids:
        raise ValidationFailed("请选择学员", fields={"trainee_ids": ["必选"]})
    rows = []
    with audited_transaction():
        for pk in ids:
            trainee = scope.get_visible(Trainee.objects.all(), pk, user, "培训学员")
            if session.attendance.filter(trainee=trainee).exists():
                raise Conflict(f"学员{trainee.name}已登记本班次的培训记录", code="attendance_exists")
            rows.append(create_record(user, Attendance, {
                "trainee": trainee, "hours": hours, "division_code": trainee.division_code,
                "is_synthetic": trainee.is_synthetic}, server={"session": session}, note=f"培训记录：{session}"))
    return rows
