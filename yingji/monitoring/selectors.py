"""Reads for the API and the console (scoped to the user), plus the HTTP ingest entry and
device tokens."""

from __future__ import annotations

import datetime as dt
import time

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from yingji.core import capabilities, records, scope
from yingji.core.errors import NotAuthenticated, ValidationFailed
from yingji.core.links import api_url
from yingji.geo import divcodes
from yingji.rules import alarm_lifecycle as lifecycle
from yingji.rules import monitoring as rules

from . import alarms as alarm_services
from . import series
from .ingest import Scope, now_ms, pipeline
from .models import Alarm, DeviceToken, LatestValue, QuarantinedMessage, Sensor
from .payloads import parse_http

LOCAL = dt.timezone(dt.timedelta(hours=8))
ALARM_FILTERS = {"state": "state", "level": "level", "rule": "rule", "sensor": "sensor_id",
                 "object": "monitored_object_id", "enterprise": "enterprise_id"}


def parse_when(raw: str, name: str) -> int | None:
    """ISO 8601 (local time when no offset) or epoch milliseconds → epoch ms."""
    raw = (raw or "").strip()
    if not raw:
        return None
    if raw.isdigit():
        return int(raw)
    try:
        when = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationFailed(f"{name} 时间格式无效：{raw}（应为 ISO 8601 或毫秒时间戳）", fields={name: ["时间格式无效"]}) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=LOCAL)
    return int(when.timestamp() * 1000)


def visible_sensor(user, sensor_id) -> Sensor:
    return scope.get_visible(Sensor.objects.select_related("monitored_object"), sensor_id, user, "传感器")


def series_for(user, sensor_id, start: str, end: str, bucket: int | None) -> dict:
    sensor = visible_sensor(user, sensor_id)
    end_ms = parse_when(end, "end") or int(time.time() * 1000) + 1
    start_ms = parse_when(start, "start") or end_ms - 24 * 3600 * 1000
    data = series.series(sensor.pk, start_ms, end_ms, bucket)
    return {"sensor": sensor_json(sensor), "start": start_ms, "end": end_ms, **data}


def sensor_json(sensor: Sensor) -> dict:
    return {"id": sensor.pk, "code": sensor.code, "name": sensor.name, "kind": sensor.get_kind_display(),
            "unit": sensor.unit, "object": sensor.monitored_object.name, "object_id": sensor.monitored_object_id,
            "interval_s": sensor.interval_s, "upper": sensor.upper(), "lower": sensor.lower(),
            "division_code": sensor.division_code}


def latest_values(user, *, division: str = "", object_id=None, enterprise_id=None, alarming: bool = False) -> list[dict]:
    sensors = scope.visible(Sensor.objects.filter(enabled=True), user).select_related("monitored_object")
    if division:
        try:
            sensors = sensors.filter(division_code__startswith=divcodes.scope_prefix(division))
        except divcodes.DivisionCodeError as exc:
            raise ValidationFailed(str(exc), fields={"division": [str(exc)]}) from exc
    if object_id:
        sensors = sensors.filter(monitored_object_id=object_id)
    if enterprise_id:
        sensors = sensors.filter(enterprise_id=enterprise_id)
    open_levels: dict[int, int] = {}
    for sensor_id, level in Alarm.objects.filter(is_open=True, sensor__in=sensors).values_list("sensor_id", "level"):
        open_levels[sensor_id] = min(level, open_levels.get(sensor_id, 9))
    if alarming:
        sensors = sensors.filter(pk__in=list(open_levels))
    latest = dict((row[0], row[1:]) for row in LatestValue.objects.filter(sensor__in=sensors).values_list("sensor_id", "t", "value"))
    now = time.time()
    items = []
    for s in sensors.order_by("division_code", "code")[:3000]:
        t, value = latest.get(s.pk, (None, None))
        items.append({
            "id": s.pk, "code": s.code, "name": s.name, "object": s.monitored_object.name, "object_id": s.monitored_object_id,
            "kind": s.get_kind_display(), "unit": s.unit, "value": value, "t": t,
            "stale": rules.is_stale(None if t is None else t / 1000, s.interval_s, s.stale_after, now),
            "alarm_level": open_levels.get(s.pk), "upper": s.upper(), "lower": s.lower(),
        })
    return items


def alarms_for(user, params) -> "QuerySet[Alarm]":
    # The people of each alarm's timeline too (alarm_json): two user queries per alarm on a console of 200.
    qs = scope.visible(Alarm.objects.all(), user).select_related("sensor", "monitored_object", "acknowledged_by",
                                                                 "handled_by", "closed_by")
    open_flag = params.get("open")
    if open_flag in ("1", "true", "True"):
        qs = qs.filter(is_open=True)
    elif open_flag in ("0", "false", "False"):
        qs = qs.filter(is_open=False)
    for param, field in ALARM_FILTERS.items():
        value = params.get(param)
        if value not in (None, ""):
            qs = qs.filter(**{field: value})
    division = (params.get("division") or "").strip()
    if division:
        try:
            qs = qs.filter(division_code__startswith=divcodes.scope_prefix(division))
        except divcodes.DivisionCodeError as exc:
            raise ValidationFailed(str(exc), fields={"division": [str(exc)]}) from exc
    return qs.order_by("level", "-raised_at") if open_flag in ("1", "true") else qs.order_by("-raised_at")


def _person(user) -> str:
    return user.display_name() if user is not None else ""


def alarm_json(alarm: Alarm, user=None) -> dict:
    data = alarm_services.event_data(alarm)
    data.pop("sound", None)
    data.update({
        "id": alarm.pk, "version": alarm.version, "condition_active": alarm.condition_active,
        "first_value": alarm.first_value, "peak_value": alarm.peak_value, "occurrences": alarm.occurrences,
        "last_triggered_at": alarm.last_triggered_at.isoformat(),
        "cleared_at": alarm.cleared_at.isoformat() if alarm.cleared_at else None,
        "threshold": alarm_services.threshold_of(alarm.sensor, alarm), "escalation_tier": alarm.escalation_tier,
        "escalation_target": lifecycle.ESCALATION_TIERS.get(alarm.escalation_tier, ""),
        "incident_url": alarm.incident_url, "dismissed": alarm.dismissed,
        "timeline": [
            {"step": label, "at": at.isoformat(), "at_local": timezone.localtime(at).strftime("%Y-%m-%d %H:%M"),
             "by": _person(by), "note": note}
            for label, at, by, note in (
                ("确认", alarm.acknowledged_at, alarm.acknowledged_by, alarm.acknowledge_note),
                ("处置", alarm.handled_at, alarm.handled_by, alarm.handling_note),
                ("误报关闭" if alarm.dismissed else "关闭", alarm.closed_at, alarm.closed_by, alarm.close_note),
            ) if at
        ],
    })
    if user is not None:
        data["actions"] = [{"action": a, "label": label} for a, label in alarm_services.available_actions(user, alarm)]
    return data


def quarantine_for(user):
    """Quarantine is for bureau staff: rows of their division, plus unattributable rows for
    city-level (or wider) users."""
    if user is None or not user.is_authenticated:
        raise NotAuthenticated("请先登录")
    capabilities.require(user, "monitoring.quarantine", "您的角色无权查看隔离数据")
    prefix = user.scope_prefix
    cond = Q(division_code__startswith=prefix)
    if len(prefix) <= 4:
        cond |= Q(division_code="")
    return QuarantinedMessage.objects.filter(cond)


# --- device tokens and HTTP ingest ------------------------------------------------------

def device_for_token(token: str) -> DeviceToken | None:
    if not token:
        return None
    record = DeviceToken.objects.filter(digest=DeviceToken.digest_of(token), revoked=False).first()
    if record is not None:
        now = timezone.now()
        if record.last_used_at is None or now - record.last_used_at > dt.timedelta(minutes=1):
            DeviceToken.objects.filter(pk=record.pk).update(last_used_at=now)
    return record


def issue_device_token(user, name: str, division_code: str, enterprise_id: int | None = None) -> tuple[str, DeviceToken]:
    """A new device token for ``division_code`` (shown once). Administrators of that division only."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("请填写令牌名称（如网关或设备名）", fields={"name": ["必填"]})
    try:
        division = divcodes.normalise(division_code)
    except divcodes.DivisionCodeError as exc:
        raise ValidationFailed(str(exc), fields={"division_code": [str(exc)]}) from exc
    scope.check_can_write(DeviceToken, user, division)
    token = DeviceToken.new_token()
    with transaction.atomic():
        record = records.create_record(user, DeviceToken, {"name": name[:60], "enterprise_id": enterprise_id or None},
                                       server={"division_code": division, "digest": DeviceToken.digest_of(token),
                                               "prefix": token[:10]}, validate=False, note="签发设备上报令牌")
    return token, record


def ingest_http(device: DeviceToken, body: bytes):
    readings, problems = parse_http(body, now_ms())
    device_scope = Scope(divcodes.scope_prefix(device.division_code), device.enterprise_id)
    return pipeline().ingest(readings, problems, source="http", topic=api_url("ingest/"), scope=device_scope)
