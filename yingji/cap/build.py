"""Build CAP 1.2 messages for Chinese public warnings.

The output follows the conventions of the national 12379 system, as seen in its real message
(Baoding Meteorological Observatory, 2024-07-12) and in GB/T 35965.1-2018:

* ``identifier`` ``ZZZZZZDDDUUUXX_YYYYMMDDhhmmss_N`` and ``sender`` = the 14-digit 发布单位代码;
* every time in Beijing time, ``+08:00``, whole seconds;
* a ``zh-CN`` info block (and optionally an ``en-US`` one) whose headline ends with the level
  suffix ``[Ⅲ级/较重]``;
* ``severity`` from the level (Ⅲ/黄色 → Moderate), urgency/certainty ``Unknown`` by default;
* areas as ``geocode`` with valueName ``CPEAS Geographic Code`` and the 12-digit division code,
  plus ``polygon`` (``"lat,lon ..."``, closed ring) and ``circle`` (``"lat,lon radius_km"``);
* ``msgType`` Alert / Update / Cancel, the last two with ``references``
  (``"sender,identifier,sent"`` entries separated by spaces).

:class:`WarningMessage` carries what 突发事件应对法 第六十四条 requires a warning to state:
预警类别 (category/event), 级别 (level), 起始时间 (effective/onset/expires), 可能影响的范围
(areas), 警示事项 (description), 应当采取的措施 (instruction), 发布单位 (sender_code,
sender_name) and 发布时间 (sent).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree

from yingji.rules.warning_levels import (
    DEFAULT_CAP_CERTAINTY,
    DEFAULT_CAP_URGENCY,
    headline_suffix,
    headline_suffix_en,
    level_info,
)

from .identifier import check_sender_code, check_seq, identifier_from_sender_code
from .model import CAP12_NS, CapAlert, CapReference, LonLat
from .times import format_beijing_time, format_cap_time

CPEAS_GEOCODE_NAME = "CPEAS Geographic Code"

CAP_CATEGORIES = ("Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env",
                  "Transport", "Infra", "CBRNE", "Other")
BUILDABLE_MSG_TYPES = ("Alert", "Update", "Cancel")
CAP_STATUSES = ("Actual", "Exercise", "System", "Test", "Draft")
CAP_SCOPES = ("Public", "Restricted", "Private")
CAP_URGENCIES = ("Immediate", "Expected", "Future", "Past", "Unknown")
CAP_CERTAINTIES = ("Observed", "Likely", "Possible", "Unlikely", "Unknown")

_XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
_ACTION_ZH = {"Alert": "发布", "Update": "更新", "Cancel": "解除"}
_ACTION_EN = {"Alert": "issues", "Update": "updates", "Cancel": "cancels"}


class InvalidWarningError(ValueError):
    """The warning cannot be turned into CAP; ``problems`` lists every reason (Chinese)."""

    def __init__(self, problems: list[str]):
        super().__init__("；".join(problems))
        self.problems = problems


@dataclass
class WarningArea:
    """One affected area (可能影响的范围). Coordinates are ``(lon, lat)`` in WGS-84."""

    desc: str
    division_codes: list[str] = field(default_factory=list)  # 6, 9 or 12 digits
    polygons: list[list[LonLat]] = field(default_factory=list)
    circles: list[tuple[float, float, float]] = field(default_factory=list)  # (lon, lat, radius_km)


@dataclass
class EnglishText:
    """Optional English info block. The headline is generated when absent; area names fall back
    to the Chinese ones; description/instruction are left out when absent."""

    event: str
    sender_name: str
    headline: str | None = None
    description: str | None = None
    instruction: str | None = None
    area_descs: list[str] | None = None  # one per WarningArea, same order


@dataclass
class WarningMessage:
    sender_code: str  # 发布单位代码, 14 digits ZZZZZZDDDUUUXX
    sender_name: str  # 发布单位
    category: str  # CAP category, e.g. "Met", "Geo", "Safety"
    event: str  # 预警类别 as text, e.g. "暴雨"
    level: int  # 1..4, 1 = 一级/红色
    sent: datetime  # 发布时间 (aware)
    effective: datetime
    expires: datetime
    areas: list[WarningArea]
    description: str  # 警示事项
    instruction: str  # 应当采取的措施
    msg_type: str = "Alert"
    references: list[CapReference] = field(default_factory=list)
    onset: datetime | None = None
    headline: str | None = None  # generated when None; the level suffix is always ensured
    seq: int = 0  # identifier sequence 0–9 within the same second
    status: str = "Actual"
    scope: str = "Public"
    restriction: str | None = None  # required when scope is Restricted
    addresses: str | None = None  # required when scope is Private
    urgency: str = DEFAULT_CAP_URGENCY
    certainty: str = DEFAULT_CAP_CERTAINTY
    event_codes: list[tuple[str, str]] = field(default_factory=list)
    note: str | None = None
    english: EnglishText | None = None


# --- checks ----------------------------------------------------------------------------------


def _is_aware(value: object) -> bool:
    return isinstance(value, datetime) and value.utcoffset() is not None


def _time_problems(warning: WarningMessage) -> list[str]:
    problems = []
    for label, value in (("发布时间 sent", warning.sent), ("生效时间 effective", warning.effective),
                         ("失效时间 expires", warning.expires)):
        if not _is_aware(value):
            problems.append(f"{label} 必须是带时区的时间")
    if warning.onset is not None and not _is_aware(warning.onset):
        problems.append("开始时间 onset 必须是带时区的时间")
    if problems:
        return problems
    if warning.expires <= warning.effective:
        problems.append("失效时间必须晚于生效时间")
    if warning.onset is not None and warning.onset >= warning.expires:
        problems.append("开始时间必须早于失效时间")
    return problems


def _enum_problems(warning: WarningMessage) -> list[str]:
    checks = (
        ("类别 category", warning.category, CAP_CATEGORIES),
        ("消息类型 msgType", warning.msg_type, BUILDABLE_MSG_TYPES),
        ("状态 status", warning.status, CAP_STATUSES),
        ("范围 scope", warning.scope, CAP_SCOPES),
        ("紧迫程度 urgency", warning.urgency, CAP_URGENCIES),
        ("确定程度 certainty", warning.certainty, CAP_CERTAINTIES),
    )
    return [f"{label} 的值 {value!r} 无效，应为 {'/'.join(allowed)} 之一"
            for label, value, allowed in checks if value not in allowed]


def _is_cap_token(text: str) -> bool:
    return bool(text) and not any(ch.isspace() or ch in ",<&" for ch in text)


def _reference_problems(warning: WarningMessage) -> list[str]:
    if warning.msg_type == "Alert" and warning.references:
        return ["首次发布（Alert）不应带 references"]
    if warning.msg_type in ("Update", "Cancel") and not warning.references:
        return [f"{warning.msg_type} 消息必须引用被更新或解除的原预警（references）"]
    problems = []
    for ref in warning.references:
        if not (_is_cap_token(ref.sender) and _is_cap_token(ref.identifier) and _is_aware(ref.sent)):
            problems.append(f"references 条目无效：{ref!r}（发送者和标识不得含空格或逗号，时间须带时区）")
    return problems


def _scope_problems(warning: WarningMessage) -> list[str]:
    if warning.scope == "Restricted" and not warning.restriction:
        return ["scope 为 Restricted 时必须填写 restriction"]
    if warning.scope == "Private" and not warning.addresses:
        return ["scope 为 Private 时必须填写 addresses"]
    return []


def _point_problem(lon: float, lat: float) -> str | None:
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return f"坐标超出范围：经度 {lon}，纬度 {lat}"
    return None


def _area_problems(area: WarningArea, number: int) -> list[str]:
    where = f"第{number}个区域"
    problems = []
    if not (area.desc or "").strip():
        problems.append(f"{where}缺少区域描述")
    if not (area.division_codes or area.polygons or area.circles):
        problems.append(f"{where}至少需要行政区划代码、多边形或圆形之一")
    for code in area.division_codes:
        if not (code.isascii() and code.isdigit() and len(code) in (6, 9, 12)):
            problems.append(f"{where}的行政区划代码应为 6、9 或 12 位数字：{code!r}")
    for polygon in area.polygons:
        if len(set(map(tuple, polygon))) < 3:
            problems.append(f"{where}的多边形至少需要 3 个不同的顶点")
        problems.extend(p for p in (_point_problem(lon, lat) for lon, lat in polygon) if p)
    for lon, lat, radius_km in area.circles:
        problem = _point_problem(lon, lat)
        if problem:
            problems.append(problem)
        if radius_km < 0:
            problems.append(f"{where}的圆形半径不能为负：{radius_km}")
    return problems


def warning_problems(warning: WarningMessage) -> list[str]:
    """Every reason the warning cannot be published as CAP (empty list when it can)."""
    problems: list[str] = []
    try:
        level_info(warning.level)
    except ValueError as exc:
        problems.append(str(exc))
    for check, value in ((check_sender_code, warning.sender_code), (check_seq, warning.seq)):
        try:
            check(value)
        except ValueError as exc:
            problems.append(str(exc))
    for label, value in (("发布单位名称", warning.sender_name), ("预警事件 event", warning.event),
                         ("警示事项 description", warning.description)):
        if not (value or "").strip():
            problems.append(f"缺少{label}")
    if warning.msg_type != "Cancel" and not (warning.instruction or "").strip():
        problems.append("缺少应当采取的措施 instruction")
    if not warning.areas:
        problems.append("缺少影响范围（至少一个区域）")
    problems += _enum_problems(warning) + _time_problems(warning)
    problems += _reference_problems(warning) + _scope_problems(warning)
    for number, area in enumerate(warning.areas, start=1):
        problems += _area_problems(area, number)
    english = warning.english
    if english is not None and english.area_descs is not None and len(english.area_descs) != len(warning.areas):
        problems.append("英文区域描述的个数必须与区域个数相同")
    return problems


# --- text and geometry formatting ------------------------------------------------------------


def twelve_digit_code(code: str) -> str:
    """6-digit county / 9-digit township codes padded to the 12-digit form used in warnings."""
    return code.ljust(12, "0")


def _coordinate(value: float) -> str:
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_point(lon: float, lat: float) -> str:
    """CAP point text: ``"lat,lon"``."""
    return f"{_coordinate(lat)},{_coordinate(lon)}"


def format_polygon(points: list[LonLat]) -> str:
    """CAP polygon text ``"lat,lon lat,lon ..."``; the ring is closed if it is not already."""
    ring = [tuple(point) for point in points]
    if ring[0] != ring[-1]:
        ring.append(ring[0])
    return " ".join(format_point(lon, lat) for lon, lat in ring)


def format_circle(lon: float, lat: float, radius_km: float) -> str:
    """CAP circle text ``"lat,lon radius_km"``."""
    return f"{format_point(lon, lat)} {_coordinate(radius_km)}"


def format_references(references: list[CapReference]) -> str:
    """CAP references text: ``"sender,identifier,sent"`` entries separated by spaces."""
    return " ".join(f"{ref.sender},{ref.identifier},{format_cap_time(ref.sent)}" for ref in references)


def reference_to(alert: CapAlert) -> CapReference:
    """The reference an Update or Cancel uses to point at ``alert``."""
    return CapReference(alert.sender, alert.identifier, alert.sent)


def chinese_headline(warning: WarningMessage) -> str:
    suffix = headline_suffix(warning.level)
    if warning.headline:
        return warning.headline if warning.headline.endswith(suffix) else warning.headline + suffix
    color = level_info(warning.level).color
    return f"{warning.sender_name}{_ACTION_ZH[warning.msg_type]}{warning.event}{color}预警{suffix}"


def english_headline(warning: WarningMessage, english: EnglishText) -> str:
    suffix = headline_suffix_en(warning.level)
    if english.headline:
        return english.headline if english.headline.endswith(suffix) else f"{english.headline} {suffix}"
    color = level_info(warning.level).color_en.lower()
    action = _ACTION_EN[warning.msg_type]
    return f"{english.sender_name} {action} {english.event} {color} warning {suffix}"


def message_identifier(warning: WarningMessage) -> str:
    return identifier_from_sender_code(warning.sender_code, warning.sent, warning.seq)


# --- XML ---------------------------------------------------------------------------------------


def _add(parent: etree._Element, name: str, text: str | None) -> etree._Element | None:
    if text is None:
        return None
    child = etree.SubElement(parent, f"{{{CAP12_NS}}}{name}")
    child.text = text
    return child


def _add_pair(parent: etree._Element, name: str, value_name: str, value: str) -> None:
    pair = etree.SubElement(parent, f"{{{CAP12_NS}}}{name}")
    _add(pair, "valueName", value_name)
    _add(pair, "value", value)


def _add_area(info: etree._Element, area: WarningArea, desc: str) -> None:
    element = etree.SubElement(info, f"{{{CAP12_NS}}}area")
    _add(element, "areaDesc", desc)
    for polygon in area.polygons:
        _add(element, "polygon", format_polygon(polygon))
    for lon, lat, radius_km in area.circles:
        _add(element, "circle", format_circle(lon, lat, radius_km))
    for code in area.division_codes:
        _add_pair(element, "geocode", CPEAS_GEOCODE_NAME, twelve_digit_code(code))


@dataclass
class _InfoText:
    language: str
    event: str
    sender_name: str
    headline: str
    description: str | None
    instruction: str | None
    area_descs: list[str]


def _chinese_text(warning: WarningMessage) -> _InfoText:
    return _InfoText("zh-CN", warning.event, warning.sender_name, chinese_headline(warning),
                     warning.description, warning.instruction or None,
                     [area.desc for area in warning.areas])


def _english_text(warning: WarningMessage, english: EnglishText) -> _InfoText:
    descs = english.area_descs or [area.desc for area in warning.areas]
    return _InfoText("en-US", english.event, english.sender_name, english_headline(warning, english),
                     english.description, english.instruction, descs)


def _add_info(alert: etree._Element, warning: WarningMessage, text: _InfoText) -> None:
    info = etree.SubElement(alert, f"{{{CAP12_NS}}}info")
    _add(info, "language", text.language)
    _add(info, "category", warning.category)
    _add(info, "event", text.event)
    _add(info, "urgency", warning.urgency)
    _add(info, "severity", level_info(warning.level).cap_severity)
    _add(info, "certainty", warning.certainty)
    for value_name, value in warning.event_codes:
        _add_pair(info, "eventCode", value_name, value)
    _add(info, "effective", format_beijing_time(warning.effective))
    if warning.onset is not None:
        _add(info, "onset", format_beijing_time(warning.onset))
    _add(info, "expires", format_beijing_time(warning.expires))
    _add(info, "senderName", text.sender_name)
    _add(info, "headline", text.headline)
    _add(info, "description", text.description)
    _add(info, "instruction", text.instruction)
    for area, desc in zip(warning.areas, text.area_descs, strict=True):
        _add_area(info, area, desc)


def build_cap(warning: WarningMessage) -> bytes:
    """CAP 1.2 XML (UTF-8 bytes) for the warning; raises :class:`InvalidWarningError`."""
    problems = warning_problems(warning)
    if problems:
        raise InvalidWarningError(problems)
    alert = etree.Element(f"{{{CAP12_NS}}}alert", nsmap={None: CAP12_NS})
    _add(alert, "identifier", message_identifier(warning))
    _add(alert, "sender", warning.sender_code)
    _add(alert, "sent", format_beijing_time(warning.sent))
    _add(alert, "status", warning.status)
    _add(alert, "msgType", warning.msg_type)
    _add(alert, "scope", warning.scope)
    _add(alert, "restriction", warning.restriction)
    _add(alert, "addresses", warning.addresses)
    _add(alert, "note", warning.note)
    if warning.references:
        _add(alert, "references", format_references(warning.references))
    _add_info(alert, warning, _chinese_text(warning))
    if warning.english is not None:
        _add_info(alert, warning, _english_text(warning, warning.english))
    return _XML_DECLARATION + etree.tostring(alert, encoding="UTF-8", pretty_print=True)
