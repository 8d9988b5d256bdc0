"""Alarm services: record evaluator changes (dedup, level escalation), the lifecycle
(acknowledge → handle → close, dismiss) with scope checks and audit, escalation by time.

The rules live in :mod:`yingji.rules.monitoring` and :mod:`yingji.rules.alarm_lifecycle`;
this module only stores their decisions and tells the console (``live.publish``).
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable

from django.urls import reverse
from django.utils import timezone

from yingji.core import capabilities, records, scope
from yingji.core.errors import Forbidden, ValidationFailed
from yingji.live.services import publish
from yingji.rules import alarm_lifecycle as lifecycle
from yingji.rules import monitoring as rules
from yingji.core.records import audited_transaction

from .models import Alarm, Sensor

RULE_NAMES = dict(Alarm.RULES)
COLORS = {1: "#c62828", 2: "#ef6c00", 3: "#f9a825", 4: "#1565c0"}
COLOR_NAMES = {1: "red", 2: "orange", 3: "yellow", 4: "blue"}


def _utc(epoch_s: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch_s, tz=dt.timezone.utc)


def threshold_of(sensor: Sensor, alarm: Alarm) -> float | None:
    if alarm.rule != rules.RULE_THRESHOLD:
        return None
    prefix = "lower" if alarm.side == rules.LOWER else "upper"
    return getattr(sensor, f"{prefix}_{alarm.level}", None)


def describe(alarm: Alarm) -> str:
    """One line as the duty officer reads it."""
    sensor = alarm.sensor
    level = rules.LEVEL_NAMES[alarm.level]
    if alarm.rule == rules.RULE_STALE:
        return f"{alarm.monitored_object.name} · {sensor.name} 数据中断（超过 {sensor.stale_after} 个上报周期无数据）{level}"
    if alarm.rule == rules.RULE_GAP:
        return f"{alarm.monitored_object.name} · {sensor.name} 数据缺失：{alarm.detail}（{level}）"
    # The reading that brought the alarm to its level, against the threshold in force then — not
    # the latest reading (which may be back to normal) nor today's threshold.
    reading = alarm.trigger_value if alarm.trigger_value is not None else alarm.last_value
    value = "" if reading is None else f" {_num(reading)}{sensor.unit}"
    if alarm.rule == rules.RULE_RATE:
        return f"{alarm.monitored_object.name} · {sensor.name} 变化过快{value}（{level}）"
    side = "低于" if alarm.side == rules.LOWER else "超过"
    limit = alarm.trigger_threshold if alarm.trigger_threshold is not None else threshold_of(sensor, alarm)
    limit_text = "" if limit is None else f"{side}{level}阈值 {_num(limit)}{sensor.unit}"
    return f"{alarm.monitored_object.name} · {sensor.name}{value}，{limit_text}"


def _num(value: float) -> str:
    """A reading as staff write it: at most 3 decimals, no trailing zeros."""
    return f"{round(value, 3):g}"


def event_data(alarm: Alarm, sound: bool = False, **extra) -> dict:
    obj = alarm.monitored_object
    return {
        "alarm_id": alarm.pk, "sound": sound, "level": alarm.level, "level_name": rules.LEVEL_NAMES[alarm.level],
        "color": COLORS[alarm.level], "rule": alarm.rule, "rule_name": RULE_NAMES[alarm.rule],
        "state": alarm.state, "state_name": lifecycle.STATES[alarm.state], "is_open": alarm.is_open,
        "sensor_id": alarm.sensor_id, "sensor": alarm.sensor.name, "sensor_code": alarm.sensor.code,
        "object": obj.name, "object_id": obj.pk, "enterprise_id": alarm.enterprise_id,
        "value": alarm.last_value, "unit": alarm.sensor.unit, "text": describe(alarm),
        "raised_at": alarm.raised_at.isoformat(), "lon": obj.lon, "lat": obj.lat,
        "division_code": alarm.division_code, "url": reverse("monitoring-alarm", args=[alarm.pk]), **extra,
    }


def _publish(alarm: Alarm, kind: str, sound: bool = False, **extra) -> None:
    publish("alarms", kind, event_data(alarm, sound=sound, **extra), division_code=alarm.division_code)


# --- recording evaluator changes ---------------------------------------------------------

def record_changes(changes: Iterable[rules.AlarmChange]) -> list[Alarm]:
    """Store the changes of one evaluated batch (call inside the batch's transaction)."""
    changes = list(changes)
    if not changes:
        return []
    sensors = {s.pk: s for s in Sensor.objects.select_related("monitored_object").filter(
        pk__in={c.sensor_id for c in changes})}
    open_alarms = {(a.sensor_id, a.rule): a for a in Alarm.objects.select_for_update().filter(
        is_open=True, sensor_id__in=list(sensors))}
    touched = []
    for change in changes:
        sensor = sensors.get(change.sensor_id)
        if sensor is None:
            continue
        key = lifecycle.dedup_key(change.sensor_id, change.rule_id)
        alarm = open_alarms.get(key)
        if change.level is None:
            if alarm is not None:
                _cleared(alarm, change)
                touched.append(alarm)
            continue
        decision = lifecycle.on_trigger(alarm.state if alarm else None, alarm.level if alarm else None, change.level)
        if decision.action == "create":
            alarm = _create(sensor, change)
            open_alarms[key] = alarm
        else:
            _repeat(alarm, change, decision)
        if change.rule_id == rules.RULE_GAP:
            _gap_noted(alarm, change)
        touched.append(alarm)
    return touched


def _gap_noted(alarm: Alarm, change: rules.AlarmChange) -> None:
    """A gap is a moment, not a lasting condition: the alarm says which readings are missing
    (the latest range; earlier ones stay in its audit history) and waits to be acknowledged."""
    records.change(records.SYSTEM, alarm, lock=False, only_changed=True, bump=False, note="数据缺失：" + change.detail[:200],
                   detail=change.detail[:300], condition_active=False, cleared_at=_utc(change.time))


def _create(sensor: Sensor, change: rules.AlarmChange) -> Alarm:
    when = _utc(change.time)
    probe = Alarm(rule=change.rule_id, side=change.side or "", level=change.level)
    alarm = records.create_record(records.SYSTEM, Alarm, {}, validate=False, note="监测报警（系统自动产生）", server=dict(
        sensor=sensor, monitored_object=sensor.monitored_object, enterprise_id=sensor.enterprise_id,
        division_code=sensor.division_code, is_synthetic=sensor.is_synthetic, rule=change.rule_id,
        level=change.level, side=change.side or "", first_value=change.value, last_value=change.value,
        peak_value=change.value, raised_at=when, level_changed_at=when, last_triggered_at=when,
        detail=change.detail[:300], trigger_value=change.value, trigger_threshold=threshold_of(sensor, probe),
    ))
    _publish(alarm, "raised", sound=True)
    return alarm


def _further(alarm: Alarm, value: float | None) -> bool:
    if value is None or alarm.peak_value is None:
        return value is not None
    return value < alarm.peak_value if alarm.side == rules.LOWER else value > alarm.peak_value


def _repeat(alarm: Alarm, change: rules.AlarmChange, decision: lifecycle.TriggerDecision) -> None:
    when = _utc(change.time)
    alarm.occurrences += 1
    alarm.last_value = change.value
    alarm.last_triggered_at = when
    alarm.condition_active = True
    alarm.cleared_at = None
    if _further(alarm, change.value):
        alarm.peak_value = change.value
    if decision.escalated:
        changes = {"level": decision.level, "level_changed_at": when, "escalation_tier": 0}
        if change.side:
            changes["side"] = change.side
        probe = Alarm(rule=alarm.rule, side=changes.get("side", alarm.side), level=decision.level)
        changes["trigger_value"] = change.value
        changes["trigger_threshold"] = threshold_of(alarm.sensor, probe)
        if decision.new_state:
            changes["state"] = decision.new_state
        records.change(records.SYSTEM, alarm, lock=False, audit_action="transition",
                       note=f"报警级别升至{rules.LEVEL_NAMES[decision.level]}", **changes)
        _publish(alarm, "level_raised", sound=True)
        return
    alarm.save(update_fields=["occurrences", "last_value", "last_triggered_at", "condition_active",
                              "cleared_at", "peak_value", "updated_at"])
    _publish(alarm, "updated")


def _cleared(alarm: Alarm, change: rules.AlarmChange) -> None:
    alarm.condition_active = False
    alarm.cleared_at = _utc(change.time)
    if change.value is not None:
        alarm.last_value = change.value
    alarm.save(update_fields=["condition_active", "cleared_at", "last_value", "updated_at"])
    _publish(alarm, "condition_cleared")


# --- lifecycle -----------------------------------------------------------------------------

ACTION_FIELDS = {
    "acknowledge": ("acknowledged_at", "acknowledged_by", "acknowledge_note"),
    "handle": ("handled_at", "handled_by", "handling_note"),
    "close": ("closed_at", "closed_by", "close_note"),
    "dismiss": ("closed_at", "closed_by", "close_note"),
}


def get_alarm(user, pk) -> Alarm:
    return scope.get_visible(Alarm.objects.select_related("sensor", "monitored_object"), pk, user, "报警")


def is_own(user, alarm: Alarm) -> bool:
    return not capabilities.enterprise_bound(user) or (alarm.enterprise_id is not None and alarm.enterprise_id == user.enterprise_id)


def available_actions(user, alarm: Alarm) -> list[tuple[str, str]]:
    if not alarm.is_open:
        return []
    return [(t.action, t.label) for t in lifecycle.allowed_actions(alarm.state, {user.role}, is_own(user, alarm))
            if t.action != "raise_level"]


def transition(user, alarm_id, action: str, note: str = "", *, expected_version: int | None = None) -> Alarm:
    """Take a lifecycle action (acknowledge, handle, close, dismiss) with who, when and a note."""
    if action not in ACTION_FIELDS:
        raise ValidationFailed(f"未知操作：{action}", fields={"action": ["可选：acknowledge、handle、close、dismiss"]})
    note = (note or "").strip()
    at_field, by_field, note_field = ACTION_FIELDS[action]
    label = lifecycle.ALARM_MACHINE.transitions[action].label

    def context(alarm: Alarm) -> dict:
        return {"is_own": is_own(user, alarm), "handling_note": note, "reason": note,
                "still_active": alarm.condition_active, "actor_roles": frozenset({user.role})}

    def apply(alarm: Alarm, move, source: str) -> None:
        alarm.is_open = move.target in lifecycle.OPEN_STATES

    with audited_transaction():
        alarm = get_alarm(user, alarm_id)
        alarm = records.transition(
            user, alarm, lifecycle.ALARM_MACHINE, action, context=context, apply=apply, errors=_lifecycle_error,
            expected_version=expected_version, conflict_message="该报警已被他人处理，请刷新后重试",
            note=f"{label}：{note}" if note else label,
            **{at_field: timezone.now(), by_field: user, note_field: note[:300] if note_field != "handling_note" else note},
            dismissed=action == "dismiss")
        _publish(alarm, action, by=user.display_name())
    return alarm


def _lifecycle_error(exc: lifecycle.TransitionError):
    if exc.code == "forbidden_role" or "企业用户" in exc.message:
        return Forbidden(exc.message, code=exc.code)
    return ValidationFailed(exc.message, code=exc.code, fields={"note": [exc.message]})


def link_incident(user, alarm_id, url: str) -> Alarm:
    """Remember the incident an alarm was turned into (called after the intake is filed)."""
    with audited_transaction():
        alarm = get_alarm(user, alarm_id)
        scope.check_can_write(Alarm, user, alarm.division_code, alarm)
        alarm = records.change(user, alarm, note="报警转为事件", only_changed=True, incident_url=url[:200])
    return alarm


# --- escalation --------------------------------------------------------------------------

def escalate_due(now: dt.datetime | None = None) -> int:
    """Escalate unacknowledged alarms whose time is up; returns how many moved a tier."""
    now = now or timezone.now()
    moved = 0
    for alarm in Alarm.objects.select_related("sensor", "monitored_object").filter(is_open=True, state="raised"):
        tier = lifecycle.escalation_due(alarm.level_changed_at, alarm.level, None, now)
        if tier is None or tier <= alarm.escalation_tier:
            continue
        target = lifecycle.ESCALATION_TIERS[tier]
        with audited_transaction():
            if not records.claim(records.SYSTEM, alarm, {"escalation_tier": alarm.escalation_tier, "state": "raised"},
                                 note=f"超时未确认，升级通知{target}", escalation_tier=tier, escalated_at=now):
                continue  # another process escalated it, or it was acknowledged meanwhile
            extra = {"tier": tier, "tier_name": target}
            # Published under the alarm's division: visible to that bureau and every level above.
            _publish(alarm, "escalated", sound=True, **extra)
        moved += 1
    return moved
