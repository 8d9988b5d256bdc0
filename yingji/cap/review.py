"""Decide what to do with an incoming CAP document: accept, accept with a note, or reject.

Policy (each reason and note is Chinese, for the duty officer who reads the import log):

* not XML, hostile XML (DTD/entities/oversize), not CAP (wrong namespace, CAP 1.0, other root)
  → **reject**;
* a required CAP element missing or unreadable (e.g. no ``scope``), or a value outside the CAP
  enumerations → **reject**, naming the element and line;
* valid CAP 1.2 (XSD) → **accept**;
* CAP 1.1 (checked structurally), an EDXL-DE envelope, the non-standard ``<alerts>`` wrapper, a
  CAP 1.2 message that fails the XSD only in ways the reader tolerates (e.g. element order, as
  published by SMHI) → **accept with a note** saying so;
* an alert without any ``info`` block has nothing to show: a Cancel is still accepted with a note
  (it withdraws the messages it references); any other such alert is dropped, and the document
  is rejected when nothing is left;
* ``status`` other than Actual (Test, Exercise, ...) → accepted with a note.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .cap11_structure import ENUMERATIONS_11
from .errors import CapXMLError
from .model import CapAlert
from .parse import parse_cap
from .safe_xml import DEFAULT_MAX_BYTES
from .validate import ValidationResult, validate_cap

ACCEPT = "accept"
ACCEPT_WITH_NOTE = "accept_with_note"
REJECT = "reject"

_ENUMERATIONS_12 = {
    **ENUMERATIONS_11,
    "responseType": ENUMERATIONS_11["responseType"] | {"Avoid", "AllClear"},
    "certainty": ENUMERATIONS_11["certainty"] - {"Very Likely"},
}
_STATUS_ZH = {"Exercise": "演练", "System": "系统消息", "Test": "测试", "Draft": "草稿"}


@dataclass
class IncomingReview:
    decision: str  # ACCEPT, ACCEPT_WITH_NOTE or REJECT
    alerts: list[CapAlert] = field(default_factory=list)  # the alerts to keep (empty on reject)
    notes: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)  # why it was rejected
    validation: ValidationResult | None = None


def _enumeration_problems(alert: CapAlert) -> list[str]:
    allowed = _ENUMERATIONS_12 if alert.version == "1.2" else ENUMERATIONS_11
    values = [("status", alert.status), ("msgType", alert.msg_type), ("scope", alert.scope)]
    for info in alert.infos:
        values += [("category", category) for category in info.categories]
        values += [("urgency", info.urgency), ("severity", info.severity), ("certainty", info.certainty)]
    return [
        f"警报 {alert.identifier}：<{name}> 的值 {value!r} 不是 CAP {alert.version} 允许的值"
        for name, value in values
        if value not in allowed[name]
    ]


def _alert_notes(alert: CapAlert) -> list[str]:
    notes = []
    if alert.status != "Actual":
        notes.append(f"警报 {alert.identifier} 的状态为 {alert.status}（{_STATUS_ZH.get(alert.status, '')}），不是实际预警")
    if not alert.infos:
        targets = "、".join(ref.identifier for ref in alert.references)
        notes.append(f"警报 {alert.identifier} 没有 info 块，没有可展示的内容；它取消所引用的消息：{targets}")
    return notes


def _is_showable_or_cancel(alert: CapAlert) -> bool:
    return bool(alert.infos) or (alert.msg_type == "Cancel" and bool(alert.references))


def _rejected(reasons: list[str], validation: ValidationResult) -> IncomingReview:
    return IncomingReview(REJECT, reasons=reasons, validation=validation)


def review_incoming(xml_bytes: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> IncomingReview:
    """Read an incoming CAP document and decide what the platform does with it."""
    validation = validate_cap(xml_bytes, max_bytes=max_bytes)
    if validation.container is None:
        return _rejected(list(validation.errors), validation)
    try:
        alerts = parse_cap(xml_bytes, max_bytes=max_bytes)
    except CapXMLError as exc:
        return _rejected([str(exc)] + validation.errors, validation)
    problems = [problem for alert in alerts for problem in _enumeration_problems(alert)]
    problems += [f"警报 {alert.identifier} 的 msgType 为 {alert.msg_type}，但 <references> 为空：无法确定它更新或取消的是哪条消息"
                 for alert in alerts if alert.references_empty and alert.msg_type in ("Update", "Cancel")]
    if problems:
        return _rejected(problems + validation.errors, validation)

    notes = list(validation.notes)
    if not validation.valid:
        notes.append("按原样接收，但不完全符合 CAP 规范：" + "；".join(validation.errors))
    kept = []
    for alert in alerts:
        if _is_showable_or_cancel(alert):
            kept.append(alert)
            notes.extend(_alert_notes(alert))
        else:
            notes.append(f"警报 {alert.identifier} 没有 info 块，没有可展示的内容，已忽略")
    if not kept:
        return _rejected(["没有可展示的内容：消息不含 info 块，也不是对已有消息的取消"], validation)
    return IncomingReview(ACCEPT_WITH_NOTE if notes else ACCEPT, alerts=kept, notes=notes, validation=validation)
