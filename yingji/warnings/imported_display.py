"""An imported CAP alert as a duty officer reads it: every info block (each language), with the
CAP codes in Chinese (the code itself on hover) and times in Beijing time with the original
text kept beside them."""

from __future__ import annotations

from datetime import datetime

from yingji.cap import labels
from yingji.cap.times import BEIJING


def local_time(text: str | None) -> dict | None:
    if not text:
        return None
    value = datetime.fromisoformat(text)
    return {"local": value.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M"), "original": text}


def _coded(table: dict, code: str | None) -> dict:
    return {"label": labels.label(table, code), "code": code or ""}


def info_view(info: dict) -> dict:
    return {
        "language": {"label": labels.language(info.get("language")), "code": info.get("language") or ""}
        if info.get("language") else "",
        "categories": [_coded(labels.CATEGORY, c) for c in info.get("categories") or []],
        "event": info.get("event") or "",
        "response_types": [_coded(labels.RESPONSE_TYPE, r) for r in info.get("response_types") or []],
        "urgency": _coded(labels.URGENCY, info.get("urgency")),
        "severity": _coded(labels.SEVERITY, info.get("severity")),
        "certainty": _coded(labels.CERTAINTY, info.get("certainty")),
        "event_codes": info.get("event_codes") or [],
        "times": [(name, local_time(info.get(key))) for name, key in
                  (("生效", "effective"), ("开始", "onset"), ("失效", "expires")) if info.get(key)],
        "sender_name": info.get("sender_name") or "",
        "headline": info.get("headline") or "",
        "description": info.get("description") or "",
        "instruction": info.get("instruction") or "",
        "web": info.get("web") or "",
        "contact": info.get("contact") or "",
        "parameters": info.get("parameters") or [],
        "resources": info.get("resources") or [],
        "areas": info.get("areas") or [],
    }


def alert_view(alert) -> dict:
    return {
        "status": _coded(labels.STATUS, alert.status),
        "msg_type": _coded(labels.MSG_TYPE, alert.msg_type),
        "scope": _coded(labels.SCOPE, alert.scope),
        "infos": [info_view(info) for info in alert.infos or []],
    }
