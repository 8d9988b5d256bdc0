"""Registry lists at scale: the indexes their declarations ask for (trigram search, filters,
sortable columns) exist on PostgreSQL after migrate, the list's own queries can use them, and
an index no registry asks for any more is dropped. SQLite needs none and gets none."""

from __future__ import annotations

import pytest
from django.db import connection

from yingji.core import list_indexes
from yingji.core.registry import REGISTRIES

pytestmark = pytest.mark.django_db


def _wanted(table):
    return {(i.column, i.kind) for i in list_indexes.wanted() if i.table == table}


def test_the_team_list_asks_for_search_filter_and_sort_indexes_but_not_for_djangos_own():
    teams = _wanted("resources_rescueteam")
    assert {("name", "trigram"), ("specialties", "trigram"), ("leader", "trigram")} <= teams
    assert ("headcount", "btree") in teams  # a sortable number in the list
    assert ("level", "btree") in teams  # a filter
    assert ("category", "btree") not in teams  # db_index=True: Django already has one


def _plan(queryset) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # tiny test tables: ask what it *can* use
    return queryset.explain()


def test_search_and_sort_of_a_list_use_the_indexes_on_postgresql(make_user):
    user = make_user("idx_admin", "city_admin")
    registry = REGISTRIES["teams"]
    if connection.vendor != "postgresql":
        assert list_indexes.ensure() == {"created": [], "dropped": [], "skipped": "not PostgreSQL"}
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'resources_rescueteam'")
        present = {row[0] for row in cursor.fetchall()}
    assert {i.name for i in list_indexes.wanted() if i.table == "resources_rescueteam"} <= present

    from tests.conftest import ZHANGWU, ZHANGWU_POINT
    from yingji.resources.models import RescueTeam

    RescueTeam.objects.bulk_create(  # enough rows that the county filter selects the whole table
        RescueTeam(name=f"第{i}队", category="social", specialties="综合救援", level="county", headcount=i % 90 + 5,
                   leader="甲", leader_phone="13900000000", duty_phone="0418-2800000", division_code=ZHANGWU,
                   lon=ZHANGWU_POINT[0], lat=ZHANGWU_POINT[1]) for i in range(3000))
    with connection.cursor() as cursor:  # what autovacuum does to a table at rest
        for index in list_indexes.wanted():
            if index.table == "resources_rescueteam" and index.kind == "trigram":
                cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index.name])
        cursor.execute("ANALYZE resources_rescueteam")
    # The index expression is the one Django's icontains generates (else it could never be used).
    name = next(i.name for i in list_indexes.wanted() if (i.table, i.column, i.kind) == ("resources_rescueteam", "name", "trigram"))
    search = _plan(RescueTeam.objects.filter(name__icontains="水域救援队").order_by())
    assert name in search, search
    sort = _plan(registry.filtered(user, {"ordering": "-headcount"})[:50])
    headcount = next(i.name for i in list_indexes.wanted() if (i.table, i.column) == ("resources_rescueteam", "headcount"))
    assert headcount in sort, sort


def test_an_index_no_registry_asks_for_is_dropped_on_postgresql():
    if connection.vendor != "postgresql":
        assert list_indexes.ensure()["created"] == []
        return
    with connection.cursor() as cursor:
        cursor.execute("CREATE INDEX yj_l_left_over ON resources_rescueteam (duty_phone)")
    done = list_indexes.ensure()
    assert done["dropped"] == ["yj_l_left_over"] and done["created"] == []
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE indexname = 'yj_l_left_over'")
        assert cursor.fetchone()[0] == 0
