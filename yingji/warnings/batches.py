"""Public recipients of a large warning listed in batches, and turned into deliveries when sent.

A city-wide warning reaches 1.2 M subscribers. Writing one :class:`Delivery` row per subscriber
while targeting costs about 12 µs a row on PostgreSQL (the row, its indexes and its foreign key:
14 s for the city on this project's machine; docs/warnings.md) although the SMS gateway takes a
few hundred messages a second at best. So a background targeting run (``warnings.bulk``) lists
the public subscribers as :class:`DeliveryBatch` rows — the subscribers of one bucket of
:data:`BATCH` consecutive ids each, about 2,400 rows for the city, with set-based SQL (``GROUP BY``
id bucket, the ids aggregated into a JSON array and the count per county into a JSON object, for
coverage by county) — and the channel sender turns a batch into its queued
delivery rows when it needs more to send (:func:`expand`, called by ``dispatch.claim``). From
then on a recipient is an ordinary delivery: sent, retried, receipted, counted.

* Who is in a warning's batches is fixed when they are listed; the rows take each subscriber's
  phone when the batch is expanded, and a subscriber who unsubscribed meanwhile is left out.
* Listing is idempotent: every batch has a key (step kind, step, id bucket) unique per
  warning, so a resumed run lists nobody twice; the three kinds of step (the warning's divisions,
  located subscribers inside the drawn area, subscribers without a location in a township the
  area touches) exclude each other, so the counts are exact.
* Stopping, updating or lifting a warning cancels its pending batches with its queued deliveries.
* Coverage and the targeting summary count a pending batch's subscribers as waiting (排队).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Callable

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from . import sql
from .models import DeliveryBatch, Subscriber

BATCH = 500  # subscribers per batch: a request or a few to the SMS gateway
Step = tuple[str, Callable[[], int]]
COLUMNS = "warning_id, channel, recipient_kind, key, ids, size, counties, status, created_at"


def _aggregates() -> tuple[str, str]:
    """The ids of a group as a JSON array, and ``county → count`` pairs as a JSON object."""
    if connection.vendor == "postgresql":
        return "jsonb_agg(id ORDER BY id)", "jsonb_object_agg(county, n)"
    return "json_group_array(id)", "json_group_object(county, n)"


def _list_by_sql(warning_id: int, key: str, where: str, params: list) -> int:
    """One batch per id bucket of the subscribers matching ``where``, with its count per county;
    returns the subscribers listed (0 for batches listed before)."""
    ids_agg, counties_agg = _aggregates()
    subscribers = sql.table(Subscriber)
    statement = (
        f"INSERT INTO {sql.table(DeliveryBatch)} ({COLUMNS}) "
        f"SELECT %s, 'sms', 'public', '{key}' || CAST(a.bucket AS TEXT), a.ids, a.n, c.counties, 'pending', %s "
        f"FROM (SELECT id / {BATCH} AS bucket, {ids_agg} AS ids, COUNT(*) AS n FROM {subscribers} WHERE {where} "
        f"GROUP BY id / {BATCH}) a "
        f"JOIN (SELECT bucket, {counties_agg} AS counties FROM (SELECT id / {BATCH} AS bucket, "
        f"substr(division_code, 1, 6) AS county, COUNT(*) AS n FROM {subscribers} WHERE {where} "
        f"GROUP BY id / {BATCH}, substr(division_code, 1, 6)) x GROUP BY bucket) c ON c.bucket = a.bucket "
        f"WHERE a.n > 0 ON CONFLICT DO NOTHING RETURNING size")
    with connection.cursor() as cursor:
        cursor.execute(statement, [warning_id, sql.stored_time(timezone.now()), *params, *params])
        return sum(row[0] for row in cursor.fetchall())


def _list_ids(warning_id: int, key: str, ids, codes) -> int:
    """Batches of the given subscriber ids (ascending) by id bucket."""
    groups: dict[int, list[int]] = defaultdict(list)
    counties: dict[int, Counter] = defaultdict(Counter)
    for subscriber, code in zip(ids.tolist(), codes.tolist()):
        groups[subscriber // BATCH].append(subscriber)
        counties[subscriber // BATCH][code[:6]] += 1
    now = timezone.now()
    rows = [DeliveryBatch(warning_id=warning_id, channel="sms", recipient_kind="public", key=f"{key}{bucket}",
                          ids=members, size=len(members), counties=dict(counties[bucket]), created_at=now)
            for bucket, members in groups.items()]
    DeliveryBatch.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return len(ids)


def public_steps(warning, geometry, chunk: int) -> list[Step]:
    """The steps of a background run that list the warning's public subscribers in batches."""
    steps: list[Step] = []
    divisions = sql.division_condition("division_code", warning.area_codes or [])
    if warning.area_codes:
        for low, high in sql.subscriber_id_ranges(chunk):
            steps.append(("public", lambda low=low, high=high, where=divisions[0], params=divisions[1]: _list_by_sql(
                warning.pk, f"d{low}-", f"active AND id BETWEEN %s AND %s AND ({where})", [low, high, *params])))
    if geometry is None:
        return steps
    exclude = divisions if warning.area_codes else ("", [])
    ids, codes = sql.drawn_subscribers(geometry, exclude)
    step = max(chunk, BATCH)
    for start in range(0, len(ids), step):
        steps.append(("public", lambda start=start: _list_ids(
            warning.pk, f"p{start}-", ids[start:start + step], codes[start:start + step])))
    towns = sql.unlocated_touched_condition(geometry)
    if towns is not None:
        if warning.area_codes:
            towns = (f"{towns[0]} AND NOT ({divisions[0]})", towns[1] + divisions[1])
        steps.append(("public", lambda towns=towns: _list_by_sql(warning.pk, "t", *towns)))
    return steps


def expand(channel: str, wanted: int, now=None) -> int:
    """Turn the oldest pending batches of ``channel`` into queued deliveries until at least
    ``wanted`` rows were queued or none is left; returns the rows queued. Several senders may
    call it at once: a batch is taken under ``SELECT … FOR UPDATE SKIP LOCKED``."""
    now = now or timezone.now()
    queued = 0
    while queued < wanted:
        with transaction.atomic():
            batch = (DeliveryBatch.objects.select_for_update(skip_locked=True)
                     .filter(channel=channel, status="pending").order_by("id").first())
            if batch is None:
                break
            ids = [int(i) for i in batch.ids]
            queued += sql.insert_deliveries(batch.warning_id, batch.channel, batch.recipient_kind, sql.table(Subscriber),
                                            "id", "phone", "division_code",
                                            f"active AND id IN ({', '.join(['%s'] * len(ids))})", ids,
                                            now=now)  # due for the claim that asked for them
            DeliveryBatch.objects.filter(pk=batch.pk).update(status="expanded", expanded_at=now)
    return queued


def cancel(warning) -> int:
    """Cancel the warning's pending batches; returns the subscribers they held."""
    with transaction.atomic():
        pending = DeliveryBatch.objects.select_for_update().filter(warning=warning, status="pending")
        people = pending.aggregate(n=Sum("size"))["n"] or 0
        pending.update(status="cancelled")
    return people


def unsent(warning_id: int) -> list[dict]:
    """Subscribers of batches not turned into deliveries, by channel, group, county and status
    (``queued`` for pending batches, ``cancelled``) — what coverage adds to the delivery rows."""
    totals: Counter = Counter()
    rows = (DeliveryBatch.objects.filter(warning_id=warning_id).exclude(status="expanded")
            .values_list("channel", "recipient_kind", "status", "counties"))
    for channel, kind, status, counties in rows.iterator(chunk_size=2000):
        for county, n in counties.items():
            totals[(channel, kind, county, "queued" if status == "pending" else "cancelled")] += int(n)
    return [{"channel": c, "recipient_kind": k, "county_code": county, "status": st, "n": n}
            for (c, k, county, st), n in totals.items()]
