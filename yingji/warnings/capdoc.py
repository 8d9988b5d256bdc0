"""A warning as CAP 1.2 (through :mod:`yingji.cap`), its headline and its SMS text."""

from __future__ import annotations

import os

from yingji.cap import (CapReference, InvalidWarningError, WarningArea, WarningMessage, build_cap, make_sender_code,
                        validate_cap, warning_problems)
from yingji.cap.build import chinese_headline
from yingji.geo import divcodes
from yingji.rules.sms import sms_segment_count
from yingji.rules.warning_levels import level_info

from .targeting import area_divisions

# CAP category by 突发事件 sub-type (first match by prefix wins).
_CAP_CATEGORY = (
    ("natural.earthquake", "Geo"), ("natural.geological", "Geo"), ("natural.meteorological", "Met"),
    ("natural.flood", "Met"), ("natural.drought", "Met"), ("natural.forest_grassland_fire", "Fire"),
    ("natural.agricultural", "Env"), ("natural.", "Other"),
    ("accident.hazchem", "CBRNE"), ("accident.fire", "Fire"), ("accident.environmental", "Env"),
    ("accident.road_traffic", "Transport"), ("accident.highway", "Transport"),
    ("accident.grid_blackout", "Infra"), ("accident.utilities", "Infra"), ("accident.communications", "Infra"),
    ("accident.", "Safety"), ("public_health.", "Health"), ("social_safety.", "Security"),
)

# eventCode valueName for the profile's event-type codes (rules/incident_types.py: our own stable
# scheme, since GB/T 35561 codes were not available to us; receivers can map it).
EVENT_CODE_NAME = "Yingji-EventType"

# GB/T 4657 organisation code of the issuing unit (the DDD part of the 发布单位代码).
ORG_CODE_ENV = "YINGJI_CAP_ORG_CODE"


def cap_category_for(event_type: str) -> str:
    for prefix, category in _CAP_CATEGORY:
        if event_type.startswith(prefix):
            return category
    return "Other"


def default_sender_code(division_code: str) -> str:
    """发布单位代码 for a bureau: its 6-digit division code + the configured GB/T 4657 code."""
    org = os.environ.get(ORG_CODE_ENV, "000")
    return make_sender_code(divcodes.normalise(division_code)[:6], org)


def _msg_type(warning) -> str:
    return {"alert": "Alert", "lift": "Cancel"}.get(warning.kind, "Update")


def _areas(warning) -> list[WarningArea]:
    polygons = []
    if warning.area_polygon:
        polygons.append([(float(lon), float(lat)) for lon, lat in warning.area_polygon])
    circles = []
    if warning.circle_radius_km:
        circles.append((warning.circle_lon, warning.circle_lat, warning.circle_radius_km))
    # Geocodes for every area: the chosen divisions plus the counties a drawn polygon or circle
    # intersects, so that receivers that route by area code (12379, CPEAS) also get drawn areas.
    return [WarningArea(desc=warning.area_desc, division_codes=area_divisions(warning),
                        polygons=polygons, circles=circles)]


def references_of(warning) -> list[CapReference]:
    """Every earlier published message of the chain, oldest first (CAP: all it updates)."""
    chain = []
    previous = warning.supersedes
    while previous is not None:
        if previous.identifier:
            chain.append(CapReference(previous.sender_code, previous.identifier, previous.sent))
        previous = previous.supersedes
    return list(reversed(chain))


def _default_headline(warning) -> str | None:
    """Upgrade/downgrade say so (the CAP default would read "更新…预警")."""
    if warning.kind in ("upgrade", "downgrade") and warning.supersedes_id and warning.level:
        verb = "升级" if warning.kind == "upgrade" else "降级"
        color = level_info(warning.level).color
        return f"{warning.sender_name}将{warning.event}预警{verb}为{color}预警"
    return None


def to_message(warning, sent=None) -> WarningMessage:
    sent = sent or warning.sent
    return WarningMessage(
        sender_code=warning.sender_code, sender_name=warning.sender_name,
        category=warning.cap_category or cap_category_for(warning.event_type),
        event=warning.event, level=warning.level, sent=sent, effective=warning.effective,
        onset=warning.onset, expires=warning.expires, areas=_areas(warning),
        description=warning.description, instruction=warning.instruction, msg_type=_msg_type(warning),
        references=references_of(warning), headline=warning.headline or _default_headline(warning), seq=warning.seq,
        status=warning.cap_status, urgency=warning.urgency, certainty=warning.certainty,
        event_codes=[(EVENT_CODE_NAME, warning.event_type)] if warning.event_type else [],
    )


def problems_of(warning, sent) -> list[str]:
    return warning_problems(to_message(warning, sent))


def build_for(warning, sent) -> bytes:
    """CAP XML for publishing at ``sent``; raises ``InvalidWarningError`` with every problem."""
    xml = build_cap(to_message(warning, sent))
    result = validate_cap(xml)
    if not result.valid:
        raise InvalidWarningError(result.errors)
    return xml


def headline_of(warning) -> str:
    try:
        return chinese_headline(to_message(warning, warning.sent))
    except (KeyError, ValueError, TypeError):
        return warning.headline or warning.event or "预警"


def sms_text_of(warning, signature: str = "") -> str:
    """The SMS: signature + headline + area + the first part of the instruction."""
    if warning.sms_text:
        body = warning.sms_text
    elif warning.kind == "lift":
        body = f"{headline_of(warning)}。{warning.description}"
    else:
        body = f"{headline_of(warning)}：{warning.area_desc}。{warning.instruction}"
    return f"{signature}{body}"


def sms_segments_of(warning, signature: str = "") -> int:
    return sms_segment_count(sms_text_of(warning, signature))
