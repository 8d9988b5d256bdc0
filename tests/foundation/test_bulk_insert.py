"""The fast insert behind spreadsheet imports and the audit flush (``yingji.audit.bulk``): it
stores exactly what Django's own insert stores, gives every record its key, never reuses a key,
and a refused row leaves nothing behind."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from tests.conftest import ZHANGWU, ZHANGWU_POINT


def _teams(prefix: str, count: int):
    from yingji.resources.models import RescueTeam

    return [RescueTeam(name=f"{prefix}{i}", category="part_time", specialties="防汛抗旱", level="township",
                       headcount=10 + i, leader="乙", leader_phone="13900000001", duty_phone="0418-2800000",
                       division_code=ZHANGWU, lon=ZHANGWU_POINT[0] + i / 1000, lat=ZHANGWU_POINT[1],
                       coord_source="WGS84", is_synthetic=bool(i % 2), readiness="standby" if i else "training")
            for i in range(count)]


def _stored(model, pks, *, skip=("id", "name", "created_at", "updated_at")):
    return [{k: v for k, v in row.items() if k not in skip} for row in model.objects.filter(pk__in=pks).order_by("pk").values()]


def test_rows_read_back_exactly_as_djangos_own_insert_writes_them(db, make_user):
    from yingji.audit import bulk
    from yingji.audit.models import AuditEntry
    from yingji.resources.models import RescueTeam

    ours, theirs = _teams("快速插入", 5), _teams("常规插入", 5)
    bulk.insert(ours)
    RescueTeam.objects.bulk_create(theirs)
    assert all(t.pk for t in ours) and len({t.pk for t in ours}) == 5
    assert _stored(RescueTeam, [t.pk for t in ours]) == _stored(RescueTeam, [t.pk for t in theirs])
    assert [t.name for t in RescueTeam.objects.filter(pk__in=[t.pk for t in ours]).order_by("pk")] == \
        [f"快速插入{i}" for i in range(5)]
    # time stamps set by the field itself (auto_now) are set, and read back aware
    stored = RescueTeam.objects.get(pk=ours[0].pk)
    assert stored.created_at is not None and timezone.is_aware(stored.updated_at)

    # JSON, a foreign key, a date-time with a zone and null values
    actor = make_user("bulk_actor", "city_admin")
    at = dt.datetime(2026, 7, 1, 8, 30, 15, 123456, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    def entries(note):
        return [AuditEntry(at=at, actor=actor, actor_name="甲", action="create", model="resources.RescueTeam",
                           object_id=str(i), before=None, after={"name": "队伍", "headcount": i, "ok": True, "x": 1.5},
                           changed_fields=["name"], note=note) for i in range(3)]
    ours, theirs = entries("快速"), entries("常规")
    bulk.insert(ours)
    AuditEntry.objects.bulk_create(theirs)
    skip = ("id", "note")
    assert _stored(AuditEntry, [e.pk for e in ours], skip=skip) == _stored(AuditEntry, [e.pk for e in theirs], skip=skip)
    assert AuditEntry.objects.get(pk=ours[0].pk).at == at


def test_keys_are_never_reused_and_later_saves_follow_them(db):
    from yingji.audit import bulk
    from yingji.resources.models import RescueTeam

    first = _teams("键一", 3)
    bulk.insert(first)
    highest = max(t.pk for t in first)
    RescueTeam.objects.filter(pk=highest).delete()
    second = _teams("键二", 2)
    bulk.insert(second)
    assert min(t.pk for t in second) > highest, "the key of a deleted record is not given again"
    later = _teams("键三", 1)[0]
    later.save()
    assert later.pk > max(t.pk for t in second)


def test_a_refused_row_leaves_nothing_behind(db):
    from yingji.audit import bulk
    from yingji.audit.models import AuditEntry

    before = AuditEntry.objects.count()
    rows = [AuditEntry(at=timezone.now(), action="create", model="x", seq=900_000_001, note=str(i)) for i in range(2)]
    with pytest.raises(IntegrityError):
        with transaction.atomic():
            bulk.insert(rows)
    assert AuditEntry.objects.count() == before
