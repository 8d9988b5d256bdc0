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
from typing import Callable

import numpy as np
from django.apps import apps
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from yingji.accounts.models import User

from . import batches, sql, targeting
from .models import ChannelConfig, Delivery, Subscriber

log = logging.getLogger(__name__)
Step = tuple[str, Callable[[], int]]
ID_CHUNK = 5000


def _table(model) -> str:
    return sql.table(model)


def _insert_select(warning, channel: str, kind: str, source: str, id_col: str, address_col: str, division_col: str,
                   where: str, params: list, status: str = "queued") -> int:
    return sql.insert_deliveries(warning.pk, channel, kind, source, id_col, address_col, division_col, where, params,
                                 status)


# --- conditions --------------------------------------------------------------------------------
_division_condition = sql.division_condition


def _official_condition(codes: list[str]) -> tuple[str, list]:
    inside, params = _division_condition("region_code", codes)
    above = sorted({a for code in codes for a in targeting.ancestors(code)})
    if above:
        inside += f" OR region_code IN ({', '.join(['%s'] * len(above))})"
        params += above
    return inside, params


_subscriber_id_ranges = sql.subscriber_id_ranges


def _public_steps(warning, geometry, chunk: int | None) -> list[Step]:
    """The public subscribers' steps: one delivery row per recipient (in the request), or — for a
    background run (``chunk``) — batches of recipients turned into rows when sent (:mod:`.batches`)."""
    if chunk:
        return batches.public_steps(warning, geometry, chunk)
    sub = _table(Subscriber)
    steps: list[Step] = []
    if warning.area_codes:
        where, params = _division_condition("division_code", warning.area_codes)
        for low, high in _subscriber_id_ranges(chunk):
            steps.append(("public", lambda low=low, high=high: _insert_select(
                warning, "sms", "public", sub, "id", "phone", "division_code",
                f"active AND id BETWEEN %s AND %s AND ({where})", [low, high, *params])))
    if geometry is None:
        return steps
    ids, _ = sql.drawn_subscribers(geometry)
    for start in range(0, len(ids), ID_CHUNK):  # bounded parameter lists per statement
        part_ids = [int(i) for i in ids[start:start + ID_CHUNK]]
        steps.append(("public", lambda part_ids=part_ids: _insert_select(
            warning, "sms", "public", sub, "id", "phone", "division_code",
            f"id IN ({', '.join(['%s'] * len(part_ids))})", part_ids)))
    towns = sql.unlocated_touched_condition(geometry)
    if towns is not None:
        steps.append(("public", lambda: _insert_select(
            warning, "sms", "public", sub, "id", "phone", "division_code", towns[0], towns[1])))
    return steps


def estimate_public(warning) -> int:
    """An upper bound of the public SMS recipients (cheap counts: divisions by code range, a drawn
    area by its bounding box) — decides whether targeting runs in the request or in the background."""
    channels, _ = usable_channels(warning)
    if "sms" not in channels or "public" not in (warning.audiences or []) or warning.cap_status != "Actual":
        return 0
    total = 0
    if warning.area_codes:
        where, params = _division_condition("division_code", warning.area_codes)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {_table(Subscriber)} WHERE active AND ({where})", params)
            total += cursor.fetchone()[0]
    geometry = targeting.drawn_geometry(warning)
    if geometry is not None:
        minx, miny, maxx, maxy = geometry.bounds
        total += Subscriber.objects.filter(active=True, lon__range=(minx, maxx), lat__range=(miny, maxy)).count()
    return total


def _official_steps(warning, channels: set[str], codes: list[str]) -> list[Step]:
    where, params = _official_condition(codes)
    where = f"is_active AND ({where})"
    users = _table(User)
    steps: list[Step] = []
    if "sms" in channels:
        steps.append(("official", lambda: _insert_select(warning, "sms", "official", users, "id", "phone", "region_code",
                                                         f"{where} AND phone <> ''", params)))
    if "email" in channels:
        steps.append(("official", lambda: _insert_select(warning, "email", "official", users, "id", "email", "region_code",
                                                         f"{where} AND email <> ''", params)))
    if "inapp" in channels:
        steps.append(("official", lambda: _insert_select(warning, "inapp", "official", users, "id", "username",
                                                         "region_code", where, params, status="delivered")))
    return steps


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


def _officer_steps(warning, codes: list[str]) -> list[Step]:
    model = officer_table()
    if model is None:
        return []
    where, params = _division_condition("division_code", codes)
    return [("officer", lambda: _insert_select(warning, "sms", "officer", _table(model), "id", "phone", "division_code",
                                               f"phone <> '' AND ({where})", params))]


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


def channel_problem(channel: str, configs: dict) -> str:
    """Why a channel cannot send now ("" when it can): web and in-app always can; SMS and
    broadcast need an enabled configuration with an endpoint, e-mail one with an SMTP host."""
    if channel in ("web", "inapp"):
        return ""
    config = configs.get(channel)
    if config is None:
        return "未配置发送网关"
    if not config.enabled:
        return "渠道已停用"
    needs = "smtp_host" if channel == "email" else "endpoint"
    if not getattr(config, needs):
        return "未配置发送网关"
    return ""


def usable_channels(warning) -> tuple[set[str], dict]:
    """The warning's channels that can send, and every channel configuration by channel."""
    configs = {c.channel: c for c in ChannelConfig.objects.all()}
    return {c for c in warning.channels or [] if not channel_problem(c, configs)}, configs


def skipped_channels(warning) -> dict[str, str]:
    """The warning's channels that cannot send, with the reason (recorded when publishing and
    shown to the publisher as an error, never as a channel that "succeeded" with nothing sent)."""
    configs = {c.channel: c for c in ChannelConfig.objects.all()}
    return {c: problem for c in warning.channels or [] if (problem := channel_problem(c, configs))}


def steps_for(warning, chunk: int | None = None) -> list[Step]:
    """The INSERT … SELECT statements that queue every delivery of a published warning, as
    (recipient group, run) steps; ``chunk`` splits the public subscribers by id ranges of that
    size so that a background run can report progress (and resume: every step is idempotent)."""
    channels, configs = usable_channels(warning)
    audiences = set(warning.audiences or [])
    geometry = targeting.drawn_geometry(warning)
    codes = targeting.area_divisions(warning)
    steps: list[Step] = []
    if "sms" in channels and "public" in audiences and warning.cap_status == "Actual":
        steps += _public_steps(warning, geometry, chunk)
    if "officials" in audiences and codes:
        steps += _official_steps(warning, channels, codes)
    if "sms" in channels and "officers" in audiences and codes:
        steps += _officer_steps(warning, codes)
    if warning.cap_status == "Actual":
        steps.append(("endpoint", lambda: _queue_endpoints(warning, channels, configs)))
    return steps


def queue_for(warning) -> dict[str, int]:
    """Queue every delivery of a published warning now. Returns counts by recipient group."""
    counts = {"public": 0, "official": 0, "officer": 0, "endpoint": 0}
    for group, run in steps_for(warning):
        counts[group] += run()
    return counts


def cancel_pending(warning) -> int:
    """Cancel what is not yet sent (queued, including retries waiting for their next attempt, and
    the batches of recipients not yet handed to a sender). Returns the recipients cancelled."""
    listed = batches.cancel(warning)
    return listed + Delivery.objects.filter(warning=warning, status="queued").update(
        status="cancelled", last_error="预警已更新、解除或停止发送，未发送的消息已取消")
