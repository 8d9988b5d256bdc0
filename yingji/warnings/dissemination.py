"""Queueing deliveries for a published warning — set-based SQL, never per-row ORM — and
cancelling what is not yet sent.

Recipients:
* ``public``   — :class:`~yingji.warnings.models.Subscriber` (SMS);
* ``official`` — platform users (``accounts.User``) with a phone (SMS), an e-mail address (e-mail),
  and every matched user gets an in-app notice;
* ``officer``  — information officers (信息员) of the resources app, when it provides a model
  ``resources.InformationOfficer`` with ``phone`` and ``division_code`` (see :func:`officer_table`);
* ``endpoint`` — one row for the emergency-broadcast platform and one for the public web/feed.
"""

from __future__ import annotations

import logging

import numpy as np
from django.apps import apps
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from yingji.accounts.models import User

from . import targeting
from .models import ChannelConfig, Delivery, Subscriber

log = logging.getLogger(__name__)
ID_CHUNK = 5000
DELIVERY_COLUMNS = ("warning_id, channel, recipient_kind, recipient_id, address, division_code, status, attempts, "
                    "next_attempt_at, sent_at, delivered_at, external_id, last_error, created_at")


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _insert_select(warning, channel: str, kind: str, source: str, id_col: str, address_col: str, division_col: str,
                   where: str, params: list, status: str = "queued") -> int:
    now = timezone.now()
    delivered = now if status == "delivered" else None
    sql = (f"INSERT INTO {_table(Delivery)} ({DELIVERY_COLUMNS}) "
           f"SELECT %s, %s, %s, {id_col}, {address_col}, {division_col}, %s, 0, %s, %s, %s, '', '', %s "
           f"FROM {source} WHERE {where} ON CONFLICT DO NOTHING")
    with connection.cursor() as cursor:
        cursor.execute(sql, [warning.pk, channel, kind, status, now, delivered, delivered, now, *params])
        return max(cursor.rowcount, 0)


# --- conditions --------------------------------------------------------------------------------


def _division_condition(column: str, codes: list[str]) -> tuple[str, list]:
    parts, params = [], []
    for code in codes:
        low, high = targeting.code_range(code)
        parts.append(f"({column} BETWEEN %s AND %s)")
        params += [low, high]
    return " OR ".join(parts) or "1=0", params


def _official_condition(codes: list[str]) -> tuple[str, list]:
    inside, params = _division_condition("region_code", codes)
    above = sorted({a for code in codes for a in targeting.ancestors(code)})
    if above:
        inside += f" OR region_code IN ({', '.join(['%s'] * len(above))})"
        params += above
    return inside, params


def _subscribers_in_drawn_area(geometry) -> np.ndarray:
    """Ids of located subscribers inside the drawn area: bbox in SQL, then contains_xy."""
    minx, miny, maxx, maxy = geometry.bounds
    sql = (f"SELECT id, lon, lat FROM {_table(Subscriber)} WHERE active AND lon BETWEEN %s AND %s "
           f"AND lat BETWEEN %s AND %s")
    with connection.cursor() as cursor:
        cursor.execute(sql, [minx, maxx, miny, maxy])
        rows = cursor.fetchall()
    if not rows:
        return np.empty(0, dtype=np.int64)
    data = np.array(rows, dtype=np.float64)
    return targeting.points_inside(geometry, data[:, 0].astype(np.int64), data[:, 1], data[:, 2])


def _queue_public(warning, geometry) -> int:
    count = 0
    if warning.area_codes:
        where, params = _division_condition("division_code", warning.area_codes)
        count += _insert_select(warning, "sms", "public", _table(Subscriber), "id", "phone", "division_code",
                                f"active AND ({where})", params)
    if geometry is None:
        return count
    ids = _subscribers_in_drawn_area(geometry)
    for start in range(0, len(ids), ID_CHUNK):
        chunk = [int(i) for i in ids[start:start + ID_CHUNK]]
        count += _insert_select(warning, "sms", "public", _table(Subscriber), "id", "phone", "division_code",
                                f"id IN ({', '.join(['%s'] * len(chunk))})", chunk)
    touched = targeting.divisions_touched(geometry)
    towns, counties = [c[:9] for c in touched["township"]], touched["county"]
    if towns or counties:
        parts, params = [], []
        if towns:
            parts.append(f"substr(division_code, 1, 9) IN ({', '.join(['%s'] * len(towns))})")
            params += towns
        if counties:
            parts.append(f"division_code IN ({', '.join(['%s'] * len(counties))})")
            params += counties
        count += _insert_select(warning, "sms", "public", _table(Subscriber), "id", "phone", "division_code",
                                f"active AND lon IS NULL AND ({' OR '.join(parts)})", params)
    return count


def _queue_officials(warning, channels: set[str], codes: list[str]) -> int:
    where, params = _official_condition(codes)
    where = f"is_active AND ({where})"
    count = 0
    if "sms" in channels:
        count += _insert_select(warning, "sms", "official", _table(User), "id", "phone", "region_code",
                                f"{where} AND phone <> ''", params)
    if "email" in channels:
        count += _insert_select(warning, "email", "official", _table(User), "id", "email", "region_code",
                                f"{where} AND email <> ''", params)
    if "inapp" in channels:
        count += _insert_select(warning, "inapp", "official", _table(User), "id", "username", "region_code", where, params,
                                status="delivered")
    return count


def officer_table():
    """The information officers' model of the resources app (issue 3), when it exists with the
    fields targeting needs (``phone``, ``division_code``); None otherwise."""
    try:
        model = apps.get_model("resources", "InformationOfficer")
    except LookupError:
        return None
    names = {f.name for f in model._meta.get_fields()}
    if not {"phone", "division_code"} <= names:
        log.warning("resources.InformationOfficer lacks phone/division_code: officers are not targeted")
        return None
    return model


def _queue_officers(warning, codes: list[str]) -> int:
    model = officer_table()
    if model is None:
        return 0
    where, params = _division_condition("division_code", codes)
    return _insert_select(warning, "sms", "officer", _table(model), "id", "phone", "division_code",
                          f"phone <> '' AND ({where})", params)


def _queue_endpoints(warning, channels: set[str], configs: dict) -> int:
    count = 0
    if "broadcast" in channels:
        config = configs["broadcast"]
        count += _insert_select(warning, "broadcast", "endpoint", _table(ChannelConfig), "id", "endpoint",
                                "division_code", "id = %s", [config.pk])
    if "web" in channels:
        Delivery.objects.get_or_create(
            warning=warning, channel="web", recipient_kind="endpoint", recipient_id=0,
            defaults={"address": reverse("warnings:public"), "division_code": warning.division_code, "status": "delivered",
                      "next_attempt_at": timezone.now(), "sent_at": timezone.now(), "delivered_at": timezone.now()})
        count += 1
    return count


def usable_channels(warning) -> tuple[set[str], dict]:
    """The warning's channels that can send: web and in-app always; the others need an
    enabled configuration (with an endpoint / SMTP host)."""
    configs = {c.channel: c for c in ChannelConfig.objects.filter(enabled=True)}
    usable = set()
    for channel in warning.channels or []:
        config = configs.get(channel)
        if channel in ("web", "inapp"):
            usable.add(channel)
        elif channel in ("sms", "broadcast") and config and config.endpoint:
            usable.add(channel)
        elif channel == "email" and config and config.smtp_host:
            usable.add(channel)
    return usable, configs


def queue_for(warning) -> dict[str, int]:
    """Queue every delivery of a published warning. Returns counts by recipient group."""
    channels, configs = usable_channels(warning)
    audiences = set(warning.audiences or [])
    geometry = targeting.drawn_geometry(warning)
    codes = targeting.area_divisions(warning)
    counts = {"public": 0, "official": 0, "officer": 0, "endpoint": 0}
    if "sms" in channels and "public" in audiences and warning.cap_status == "Actual":
        counts["public"] = _queue_public(warning, geometry)
    if "officials" in audiences and codes:
        counts["official"] = _queue_officials(warning, channels, codes)
    if "sms" in channels and "officers" in audiences and codes:
        counts["officer"] = _queue_officers(warning, codes)
    if warning.cap_status == "Actual":
        counts["endpoint"] = _queue_endpoints(warning, channels, configs)
    return counts


def cancel_pending(warning) -> int:
    """Cancel what is not yet sent (queued, including retries waiting for their next attempt)."""
    return Delivery.objects.filter(warning=warning, status="queued").update(
        status="cancelled", last_error="预警已更新、解除或停止发送，未发送的消息已取消")
