"""Monitoring routes beyond the registries (monitored-objects, sensors):

    GET  /api/v1/readings/?sensor=ID&start=&end=&bucket=       raw or downsampled series
    GET  /api/v1/monitoring/latest?division=&object=&enterprise=&alarming=1
    GET  /api/v1/alarms/?open=1&state=&level=&rule=&sensor=&object=&enterprise=&division=
    GET  /api/v1/alarms/{id}
    POST /api/v1/alarms/{id}/{acknowledge|handle|close|dismiss}   {"note": "...", "version": n}
    POST /api/v1/ingest/                                       device token; {"readings": [...]}
    GET  /api/v1/monitoring/quarantine?reason=
    POST /api/v1/monitoring/device-tokens                      administrators
"""

from __future__ import annotations

from typing import Optional

from django.db.models import Count
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.security import APIKeyHeader, HttpBearer

from yingji.core.api_schemas import RecordId, errors
from yingji.core.pagination import paginate

from . import alarms as alarm_services
from . import selectors
from .schemas import (
    AlarmDetailOut,
    AlarmList,
    DeviceTokenOut,
    IngestOut,
    IngestRejected,
    LatestOut,
    QuarantineList,
    SeriesOut,
    ingest_body,
)


class DeviceBearer(HttpBearer):
    def authenticate(self, request, token):
        return selectors.device_for_token(token)


class DeviceHeader(APIKeyHeader):
    param_name = "X-Device-Token"

    def authenticate(self, request, key):
        return selectors.device_for_token(key)


class AlarmActionIn(Schema):
    note: str = ""
    version: Optional[int] = None


class DeviceTokenIn(Schema):
    name: str
    division_code: str
    enterprise_id: Optional[int] = None


def _alarm_list(request):
    return selectors.alarms_for(request.auth, request.GET)


def mount(api) -> None:
    readings = Router(tags=["监测预警"])

    @readings.get("/", operation_id="readings_series", summary="监测数据（按传感器和时间段，自动降采样）",
                  response={200: SeriesOut, **errors(403, 404)})
    def reading_series(request, sensor: RecordId, start: str = "", end: str = "", bucket: Optional[int] = None):
        """``start``/``end``: ISO 8601 or epoch milliseconds (default: the last 24 hours).
        ``bucket``: seconds per point (0 = raw); omitted = chosen from the range. Raw points are
        ``[t_ms, value]``; buckets are ``[t_ms, min, mean, max, count]``."""
        return selectors.series_for(request.auth, sensor, start, end, bucket)

    api.add_router("/readings/", readings)

    monitoring = Router(tags=["监测预警"])

    @monitoring.get("/latest", operation_id="monitoring_latest", summary="各测点最新值", response={200: LatestOut})
    def latest(request, division: str = "", object: Optional[RecordId] = None, enterprise: Optional[RecordId] = None,
               alarming: bool = False):
        items = selectors.latest_values(request.auth, division=division, object_id=object,
                                        enterprise_id=enterprise, alarming=alarming)
        return {"items": items, "count": len(items), "at": timezone.now().isoformat()}

    @monitoring.get("/quarantine", operation_id="monitoring_quarantine", summary="隔离数据（格式错误、未知设备、异常值）",
                    response={200: QuarantineList, **errors(403)})
    def quarantined(request, reason: str = ""):
        qs = selectors.quarantine_for(request.auth)
        counts = dict(qs.values_list("reason").annotate(n=Count("id")).order_by())
        if reason:
            qs = qs.filter(reason=reason)
        page = paginate(request, qs.values("id", "received_at", "source", "topic", "sensor_code", "division_code",
                                           "reason", "detail", "payload"))
        return {**page, "counts": counts}

    @monitoring.post("/device-tokens", operation_id="monitoring_device_token", summary="签发设备上报令牌",
                     response={201: DeviceTokenOut, **errors(403)})
    def device_token(request, payload: DeviceTokenIn):
        token, record = selectors.issue_device_token(request.auth, payload.name, payload.division_code,
                                                     payload.enterprise_id)
        return Status(201, {"token": token, "id": record.pk, "prefix": record.prefix, "division_code": record.division_code})

    api.add_router("/monitoring/", monitoring)

    alarm_router = Router(tags=["监测预警"])

    @alarm_router.get("/", operation_id="alarms_list", summary="监测报警列表", response={200: AlarmList})
    def alarm_list(request, open: Optional[bool] = None, state: str = "", level: Optional[int] = None,
                   page: int = 1, page_size: int = 50):
        page_data = paginate(request, _alarm_list(request))
        return {"items": [selectors.alarm_json(a) for a in page_data["items"]], "count": page_data["count"]}

    @alarm_router.get("/{int:pk}", operation_id="alarms_detail", summary="监测报警详情", response={200: AlarmDetailOut, **errors(403)})
    def alarm_detail(request, pk: int):
        alarm = alarm_services.get_alarm(request.auth, pk)
        return selectors.alarm_json(alarm, user=request.auth)

    @alarm_router.post("/{int:pk}/{action}", operation_id="alarms_action", summary="报警处置：确认/登记处置/关闭/误报关闭",
                       response={200: AlarmDetailOut, **errors(403, 409)})
    def alarm_action(request, pk: int, action: str, payload: AlarmActionIn):
        alarm = alarm_services.transition(request.auth, pk, action, payload.note, expected_version=payload.version)
        return selectors.alarm_json(alarm, user=request.auth)

    api.add_router("/alarms/", alarm_router)

    ingest = Router(tags=["监测预警"])

    @ingest.post("/", auth=[DeviceBearer(), DeviceHeader()], operation_id="monitoring_ingest",
                 summary="设备批量上报（设备令牌）", response={200: IngestOut, 400: IngestRejected},
                 openapi_extra=ingest_body())
    def ingest_batch(request):
        """Body ``{"readings": [{"s": "<设备编码>", "t": "<ISO 8601 或毫秒>", "v": 1.23, "seq": 1}, ...]}``.
        Readings that fail a check are quarantined with the reason and listed in ``problems``;
        the others are stored. 400 when nothing could be accepted."""
        result = selectors.ingest_http(request.auth, request.body)
        body = {"accepted": result.accepted, "stored": result.stored, "duplicates": result.accepted - result.stored,
                "quarantined": result.quarantined,
                "problems": [{"reason": p.reason, "message": p.detail, "sensor": p.code} for p in result.problems[:100]]}
        if result.accepted == 0 and result.problems:
            first = result.problems[0]
            return Status(400, {"error": {"code": "ingest_rejected", "message": f"数据未被接收：{first.detail}",
                                   "fields": {"readings": [p.detail for p in result.problems[:20]]}}, **body})
        return Status(200, body)

    api.add_router("/ingest/", ingest)

