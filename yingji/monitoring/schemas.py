"""Typed answers of the monitoring API (the dicts ``selectors`` and ``alarms.event_data`` build)."""

from __future__ import annotations

import datetime as dt
from typing import Optional, Union

from ninja import Schema

from yingji.core.api_schemas import ErrorInfo, page_of

Number = Union[int, float]


class SensorBrief(Schema):
    id: int
    code: str
    name: str
    kind: str
    unit: str
    object: str
    object_id: int
    interval_s: int
    upper: dict[int, float]
    lower: dict[int, float]
    division_code: str


class SeriesOut(Schema):
    """Raw points ``[t_ms, value]`` (``bucket_s`` 0) or buckets ``[t_ms, min, mean, max, count]``."""

    sensor: SensorBrief
    start: int
    end: int
    bucket_s: int
    points: list[list[Number]]


class LatestValueOut(Schema):
    id: int
    code: str
    name: str
    object: str
    object_id: int
    kind: str
    unit: str
    value: Optional[float]
    t: Optional[int]
    stale: bool
    alarm_level: Optional[int]
    upper: dict[int, float]
    lower: dict[int, float]


class LatestOut(Schema):
    items: list[LatestValueOut]
    count: int
    at: str


class QuarantinedOut(Schema):
    id: int
    received_at: dt.datetime
    source: str
    topic: str
    sensor_code: str
    division_code: str
    reason: str
    detail: str
    payload: str


class QuarantineList(Schema):
    items: list[QuarantinedOut]
    count: int
    counts: dict[str, int]


class DeviceTokenOut(Schema):
    token: str
    id: int
    prefix: str
    division_code: str


class AlarmStepOut(Schema):
    step: str
    at: str
    at_local: str
    by: str
    note: str


class AlarmActionOut(Schema):
    action: str
    label: str


class AlarmOut(Schema):
    alarm_id: int
    level: int
    level_name: str
    color: str
    rule: str
    rule_name: str
    state: str
    state_name: str
    is_open: bool
    sensor_id: int
    sensor: str
    sensor_code: str
    object: str
    object_id: int
    enterprise_id: Optional[int]
    value: Optional[float]
    unit: str
    text: str
    raised_at: str
    lon: Optional[float]
    lat: Optional[float]
    division_code: str
    url: str
    id: int
    version: int
    condition_active: bool
    first_value: Optional[float]
    peak_value: Optional[float]
    occurrences: int
    last_triggered_at: str
    cleared_at: Optional[str]
    threshold: Optional[float]
    escalation_tier: int
    escalation_target: str
    incident_url: str
    dismissed: bool
    timeline: list[AlarmStepOut]


class AlarmDetailOut(AlarmOut):
    actions: list[AlarmActionOut]


AlarmList = page_of(AlarmOut, "AlarmList")


class IngestProblem(Schema):
    reason: str
    message: str
    sensor: str


class IngestOut(Schema):
    accepted: int
    stored: int
    duplicates: int
    quarantined: int
    problems: list[IngestProblem]


class IngestRejected(Schema):
    """Nothing was accepted: the error shape, with the counts and problems beside it once the
    readings were read (a request refused before that, e.g. for a NUL character by
    ``core.middleware.NulCharacterMiddleware``, carries the error alone)."""

    error: ErrorInfo
    accepted: int = 0
    stored: int = 0
    duplicates: int = 0
    quarantined: int = 0
    problems: list[IngestProblem] = []


class ReadingIn(Schema):
    """One reading: device code ``s``, time ``t`` (epoch milliseconds or ISO 8601), value ``v``,
    the device's sequence number ``seq``."""

    s: str
    t: Union[int, str]
    v: float
    seq: Optional[int] = None


def ingest_body() -> dict:
    """``openapi_extra`` documenting the ingest body. It is not parsed by django-ninja: a body that
    does not fit is quarantined reading by reading with the reason, not refused as a whole."""
    batch = {"type": "object", "required": ["readings"],
             "properties": {"readings": {"type": "array", "items": ReadingIn.model_json_schema()}}}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": batch}}}}
