"""Topic scheme and payload format (see docs/monitoring.md), parsed without Django.

Topics::

    yingji/<division6>/<sensor_code>/reading        {"t": ..., "v": 12.3, "seq": 17}
    yingji/<division6>/<sensor_code>/batch          [{"t": ..., "v": ..., "seq": ...}, ...]
    yingji/<division6>/gateway/<gateway_id>/batch   {"readings": [{"s": "<sensor_code>", "t": ..., "v": ..., "seq": ...}, ...]}

``t`` is an ISO 8601 time with an offset (``2026-05-01T08:00:00+08:00``; without an offset it
is read as Beijing time) or integer epoch milliseconds. ``seq`` is optional. The HTTP ingest
body is the gateway form ``{"readings": [...]}``.

Every problem yields a :class:`Problem` with a reason code from
``QuarantinedMessage.REASONS``; good readings of the same message are still accepted.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
from dataclasses import dataclass

BEIJING = dt.timezone(dt.timedelta(hours=8))
MAX_FUTURE_MS = 5 * 60 * 1000          # a device clock may run ahead by at most 5 minutes
MAX_PAST_MS = 366 * 24 * 3600 * 1000   # buffered readings older than a year are refused
MAX_BATCH = 10000


@dataclass(slots=True)
class RawReading:
    code: str
    t: int        # epoch ms
    value: float
    seq: int | None
    division6: str = ""   # from the topic ("" for HTTP)


@dataclass(slots=True)
class Problem:
    reason: str
    detail: str
    code: str = ""
    division6: str = ""
    payload: str = ""


class TopicError(ValueError):
    pass


# The first topic level (default ``yingji``): ``YINGJI_MQTT_TOPIC_ROOT`` lets two installations
# (or test runs) share one broker without seeing each other's readings.
TOPIC_ROOT = os.environ.get("YINGJI_MQTT_TOPIC_ROOT", "yingji") or "yingji"
if any(ch in TOPIC_ROOT for ch in "/+#$"):
    raise ValueError(f"YINGJI_MQTT_TOPIC_ROOT“{TOPIC_ROOT}”无效：不能包含 / + # $")


def parse_topic(topic: str) -> tuple[str, str | None, str]:
    """Return (division6, sensor_code or None for a gateway batch, kind 'reading'|'batch')."""
    parts = topic.split("/")
    if len(parts) == 4 and parts[0] == TOPIC_ROOT and parts[3] in ("reading", "batch") and parts[2] != "gateway":
        division, code, kind = parts[1], parts[2], parts[3]
    elif len(parts) == 5 and parts[0] == TOPIC_ROOT and parts[2] == "gateway" and parts[4] == "batch":
        division, code, kind = parts[1], None, "batch"
    else:
        raise TopicError(f"主题“{topic[:120]}”不符合 {TOPIC_ROOT}/<区划6位>/<设备编码>/reading|batch 或 "
                         f"{TOPIC_ROOT}/<区划6位>/gateway/<网关>/batch")
    if len(division) != 6 or not division.isdigit():
        raise TopicError(f"主题中的区划代码“{division[:20]}”不是 6 位数字")
    return division, code, kind


def parse_time(raw, now_ms: int) -> int:
    """Epoch milliseconds from an ISO 8601 string or an integer of epoch ms."""
    if isinstance(raw, bool) or raw is None:
        raise ValueError("缺少时间 t")
    if isinstance(raw, (int, float)):
        if not math.isfinite(raw):
            raise ValueError("时间 t 不是有限数")
        t = int(raw)
        if t < 10**11:  # seconds were sent, not milliseconds
            raise ValueError("时间 t 须为毫秒级时间戳（13 位）或 ISO 8601 字符串")
    elif isinstance(raw, str):
        try:
            when = dt.datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"时间“{raw[:40]}”不是 ISO 8601 格式") from None
        if when.tzinfo is None:
            when = when.replace(tzinfo=BEIJING)
        t = int(when.timestamp() * 1000)
    else:
        raise ValueError("时间 t 须为毫秒时间戳或 ISO 8601 字符串")
    if t > now_ms + MAX_FUTURE_MS:
        raise ValueError("时间 t 晚于当前时间超过 5 分钟（设备时钟错误？）")
    if t < now_ms - MAX_PAST_MS:
        raise ValueError("时间 t 早于一年前")
    return t


def _value(raw) -> float:
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        raise ValueError("数值 v 必须是数字")
    value = float(raw)
    if not math.isfinite(value):
        raise ValueError("数值 v 必须是有限数")
    return value


def _seq(raw) -> int | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
        raise ValueError("序号 seq 必须是非负整数")
    return raw


def _item(item, code: str | None, division6: str, now_ms: int, readings: list, problems: list) -> None:
    if not isinstance(item, dict):
        problems.append(Problem("bad_shape", "每条读数须为 JSON 对象", code or "", division6, _dump(item)))
        return
    sensor = code if code is not None else item.get("s", item.get("sensor"))
    if not isinstance(sensor, str) or not sensor:
        problems.append(Problem("bad_shape", "网关批量读数须带设备编码 s", "", division6, _dump(item)))
        return
    try:
        t = parse_time(item.get("t"), now_ms)
    except ValueError as exc:
        problems.append(Problem("bad_time", str(exc), sensor, division6, _dump(item)))
        return
    try:
        value = _value(item.get("v"))
        seq = _seq(item.get("seq"))
    except ValueError as exc:
        problems.append(Problem("bad_value", str(exc), sensor, division6, _dump(item)))
        return
    readings.append(RawReading(sensor, t, value, seq, division6))


def _dump(item) -> str:
    try:
        return json.dumps(item, ensure_ascii=False)[:2000]
    except (TypeError, ValueError):
        return repr(item)[:2000]


def parse_items(items, code: str | None, division6: str, now_ms: int) -> tuple[list[RawReading], list[Problem]]:
    readings: list[RawReading] = []
    problems: list[Problem] = []
    if len(items) > MAX_BATCH:
        return readings, [Problem("bad_shape", f"一批最多 {MAX_BATCH} 条读数", code or "", division6, "")]
    for item in items:
        _item(item, code, division6, now_ms, readings, problems)
    return readings, problems


def parse_mqtt(topic: str, payload: bytes, now_ms: int) -> tuple[list[RawReading], list[Problem]]:
    text = payload.decode("utf-8", errors="replace")[:2000]
    try:
        division6, code, kind = parse_topic(topic)
    except TopicError as exc:
        return [], [Problem("bad_topic", str(exc), "", "", text)]
    try:
        body = json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        return [], [Problem("bad_json", "报文不是有效的 UTF-8 JSON", code or "", division6, text)]
    if kind == "reading":
        if not isinstance(body, dict):
            return [], [Problem("bad_shape", "单条读数须为 JSON 对象 {t, v, seq}", code or "", division6, text)]
        return parse_items([body], code, division6, now_ms)
    if code is None:
        items = body.get("readings") if isinstance(body, dict) else None
    else:
        items = body if isinstance(body, list) else (body.get("readings") if isinstance(body, dict) else None)
    if not isinstance(items, list):
        return [], [Problem("bad_shape", "批量报文须为读数数组（或 {\"readings\": [...]}）", code or "", division6, text)]
    return parse_items(items, code, division6, now_ms)


def parse_http(body: bytes, now_ms: int) -> tuple[list[RawReading], list[Problem]]:
    text = body.decode("utf-8", errors="replace")[:2000]
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return [], [Problem("bad_json", "请求体不是有效的 UTF-8 JSON", "", "", text)]
    items = data.get("readings") if isinstance(data, dict) else None
    if not isinstance(items, list):
        return [], [Problem("bad_shape", "请求体须为 {\"readings\": [{\"s\", \"t\", \"v\", \"seq\"}, ...]}", "", "", text)]
    return parse_items(items, None, "", now_ms)


def reading_topic(division6: str, code: str) -> str:
    return f"{TOPIC_ROOT}/{division6}/{code}/reading"


def gateway_topic(division6: str, gateway: str) -> str:
    return f"{TOPIC_ROOT}/{division6}/gateway/{gateway}/batch"
