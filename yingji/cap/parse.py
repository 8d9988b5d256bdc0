"""Read CAP 1.2 / 1.1 messages (bare, in an EDXL-DE envelope or an ``<alerts>`` wrapper) into
:class:`~yingji.cap.model.CapAlert` objects.

Parsing is tolerant of element order (some real feeds publish out-of-order elements) but
strict about what CAP requires: a missing required element or an unreadable time raises
:class:`CapParseError` with the line number and a Chinese reason.
"""

from __future__ import annotations

from lxml import etree

from .envelope import cap_version_of, locate_alerts
from .errors import CapParseError
from .model import CapAlert, CapArea, CapCircle, CapInfo, CapReference, LonLat
from .safe_xml import DEFAULT_MAX_BYTES, safe_parse
from .times import parse_cap_time


def parse_cap(xml_bytes: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> list[CapAlert]:
    """Parse untrusted bytes into the CAP alerts they carry (one or several).

    Raises ``HostileXMLError``/``MalformedXMLError`` (from :func:`safe_parse`) or
    :class:`CapParseError`; all are subclasses of ``CapXMLError`` (a ``ValueError``).
    """
    root = safe_parse(xml_bytes, max_bytes=max_bytes).getroot()
    return [alert_from_element(element) for element in locate_alerts(root).alerts]


def alert_documents(xml_bytes: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> list[bytes]:
    """Each CAP ``<alert>`` of a document as a document of its own, in document order. A plain
    CAP document is returned byte for byte; an alert inside an EDXL-DE envelope or an
    ``<alerts>`` wrapper is serialised on its own (with the namespaces it uses)."""
    root = safe_parse(xml_bytes, max_bytes=max_bytes).getroot()
    located = locate_alerts(root).alerts
    if len(located) == 1 and located[0] is root:
        return [xml_bytes]
    return [etree.tostring(element, xml_declaration=True, encoding="UTF-8") for element in located]


# --- element helpers ---------------------------------------------------------------------------


def _children(parent: etree._Element, name: str) -> list[etree._Element]:
    namespace = etree.QName(parent).namespace
    return parent.findall(f"{{{namespace}}}{name}")


def _text(element: etree._Element) -> str | None:
    value = "".join(element.itertext()).strip()
    return value or None


def _optional(parent: etree._Element, name: str) -> str | None:
    found = _children(parent, name)
    return _text(found[0]) if found else None


def _all_texts(parent: etree._Element, name: str) -> list[str]:
    return [value for value in (_text(child) for child in _children(parent, name)) if value]


def _where(element: etree._Element) -> str:
    return f"第{element.sourceline}行 <{etree.QName(element).localname}>"


def _required(parent: etree._Element, name: str) -> str:
    value = _optional(parent, name)
    if value is None:
        raise CapParseError(f"{_where(parent)} 缺少必填元素 <{name}>")
    return value


def _time(parent: etree._Element, name: str, required: bool = False):
    text = _required(parent, name) if required else _optional(parent, name)
    if text is None:
        return None
    try:
        return parse_cap_time(text)
    except ValueError as exc:
        raise CapParseError(f"{_where(parent)} 的 <{name}>：{exc}") from exc


def _number(parent: etree._Element, name: str) -> float | None:
    text = _optional(parent, name)
    if text is None:
        return None
    try:
        return float(text)
    except ValueError as exc:
        raise CapParseError(f"{_where(parent)} 的 <{name}> 不是数字：{text!r}") from exc


def _value_pairs(parent: etree._Element, name: str) -> list[tuple[str, str]]:
    pairs = []
    for child in _children(parent, name):
        value_name = _optional(child, "valueName") or ""
        value = _optional(child, "value") or ""
        pairs.append((value_name, value))
    return pairs


# --- geometry ------------------------------------------------------------------------------


def parse_lat_lon(pair: str) -> LonLat:
    """CAP writes a point as ``"lat,lon"``; return it as ``(lon, lat)``."""
    parts = pair.split(",")
    if len(parts) != 2:
        raise ValueError(f"坐标点格式错误：{pair!r}（应为“纬度,经度”）")
    lat, lon = float(parts[0]), float(parts[1])
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(f"坐标超出范围：{pair!r}（纬度 -90..90，经度 -180..180）")
    return lon, lat


def parse_polygon(text: str) -> list[LonLat]:
    """``"lat,lon lat,lon ..."`` → ``[(lon, lat), ...]`` (whitespace of any kind separates)."""
    return [parse_lat_lon(pair) for pair in text.split()]


def parse_circle(text: str) -> CapCircle:
    """``"lat,lon radius_km"`` → ``CapCircle(lon, lat, radius_km)``."""
    parts = text.split()
    if len(parts) != 2:
        raise ValueError(f"圆形区域格式错误：{text!r}（应为“纬度,经度 半径公里”）")
    lon, lat = parse_lat_lon(parts[0])
    return CapCircle(lon, lat, float(parts[1]))


def _geometry(element: etree._Element, parser):
    try:
        return parser(_text(element) or "")
    except ValueError as exc:
        raise CapParseError(f"{_where(element)}：{exc}") from exc


# --- blocks ----------------------------------------------------------------------------------


def parse_references(text: str | None) -> list[CapReference]:
    """``"sender,identifier,sent sender,identifier,sent"`` → list of :class:`CapReference`."""
    if not text:
        return []
    references = []
    for entry in text.split():
        parts = entry.split(",")
        if len(parts) != 3:
            raise ValueError(f"references 条目格式错误：{entry!r}（应为“sender,identifier,sent”）")
        sender, identifier, sent = parts
        references.append(CapReference(sender, identifier, parse_cap_time(sent)))
    return references


def area_from_element(element: etree._Element) -> CapArea:
    polygons = [
        _geometry(polygon, parse_polygon)
        for polygon in _children(element, "polygon")
        if _text(polygon)
    ]
    circles = [
        _geometry(circle, parse_circle) for circle in _children(element, "circle") if _text(circle)
    ]
    return CapArea(
        area_desc=_required(element, "areaDesc"),
        polygons=polygons,
        circles=circles,
        geocodes=_value_pairs(element, "geocode"),
        altitude=_number(element, "altitude"),
        ceiling=_number(element, "ceiling"),
    )


def info_from_element(element: etree._Element) -> CapInfo:
    categories = _all_texts(element, "category")
    if not categories:
        raise CapParseError(f"{_where(element)} 缺少必填元素 <category>")
    return CapInfo(
        language=_optional(element, "language") or "en-US",
        categories=categories,
        event=_required(element, "event"),
        urgency=_required(element, "urgency"),
        severity=_required(element, "severity"),
        certainty=_required(element, "certainty"),
        headline=_optional(element, "headline"),
        description=_optional(element, "description"),
        instruction=_optional(element, "instruction"),
        effective=_time(element, "effective"),
        onset=_time(element, "onset"),
        expires=_time(element, "expires"),
        sender_name=_optional(element, "senderName"),
        response_types=_all_texts(element, "responseType"),
        event_codes=_value_pairs(element, "eventCode"),
        parameters=_value_pairs(element, "parameter"),
        web=_optional(element, "web"),
        contact=_optional(element, "contact"),
        areas=[area_from_element(area) for area in _children(element, "area")],
        resources=[{name: value for name in ("resourceDesc", "mimeType", "size", "uri", "digest")
                    if (value := _optional(resource, name))} for resource in _children(element, "resource")],
    )


def _references_of(element: etree._Element) -> list[CapReference]:
    try:
        return parse_references(_optional(element, "references"))
    except ValueError as exc:
        raise CapParseError(f"{_where(element)} 的 <references>：{exc}") from exc


def alert_from_element(element: etree._Element) -> CapAlert:
    """Build a :class:`CapAlert` from an lxml CAP ``alert`` element (1.1 or 1.2)."""
    version = cap_version_of(element)
    if version is None:
        raise CapParseError(f"{_where(element)} 不是 CAP 1.1/1.2 的 <alert>")
    return CapAlert(
        version=version,
        identifier=_required(element, "identifier"),
        sender=_required(element, "sender"),
        sent=_time(element, "sent", required=True),
        status=_required(element, "status"),
        msg_type=_required(element, "msgType"),
        scope=_required(element, "scope"),
        references=_references_of(element),
        references_empty=bool(_children(element, "references")) and not (_optional(element, "references") or "").strip(),
        infos=[info_from_element(info) for info in _children(element, "info")],
        source=_optional(element, "source"),
        restriction=_optional(element, "restriction"),
        addresses=_optional(element, "addresses"),
        codes=_all_texts(element, "code"),
        note=_optional(element, "note"),
        incidents=_optional(element, "incidents"),
    )
