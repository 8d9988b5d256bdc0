"""A read replica (DATABASE_REPLICA_URL, issue 20): registry lists, their API, exports and the map
layer read from the "replica" alias; writes — and the pages right after a user's own write — never
touch it. Runs on SQLite and PostgreSQL alike: the replica alias is a test mirror of the test
database (``TEST: {"MIRROR": "default"}``) and here shares the test transaction's connection, so it
sees the rows the test wrote — a replica with no lag; which alias ran each query is what counts."""

from __future__ import annotations

import copy
import json

import pytest
from django.conf import settings as django_settings
from django.db import connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.conftest import ZHANGWU

WRITES = ("INSERT", "UPDATE", "DELETE")


@pytest.fixture
def replica(db, settings):
    """The settings DATABASE_REPLICA_URL gives (yingji/settings.py), added for this test only."""
    from yingji.core import db as core_db

    default = connections["default"]
    config = copy.deepcopy(default.settings_dict)
    config["TEST"] = {**config["TEST"], "MIRROR": "default"}
    django_settings.DATABASES[core_db.REPLICA] = config
    settings.DATABASE_ROUTERS = ["yingji.core.db.PrimaryRouter"]
    default.ensure_connection()
    mirror = connections[core_db.REPLICA]
    mirror.connection, mirror.autocommit = default.connection, True
    try:
        yield mirror
    finally:
        mirror.connection = None  # the connection is the default's: not closed through this alias
        del connections[core_db.REPLICA]
        del django_settings.DATABASES[core_db.REPLICA]


def reads_of(captured, table: str) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if table in q["sql"] and q["sql"].lstrip().upper().startswith("SELECT")]


def writes_in(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)]


def test_without_a_replica_everything_reads_from_the_primary(db):
    from yingji.core import db as core_db

    assert not core_db.replica_configured() and core_db.read_alias() == "default"


def test_registry_list_api_map_and_export_read_from_the_replica(replica, enterprises, make_user, api_client):
    own, _ = enterprises
    user = make_user("city_reader", "city_admin")
    browser = Client()
    browser.force_login(user)
    with CaptureQueriesContext(replica) as on_replica, CaptureQueriesContext(connections["default"]) as on_primary:
        page = browser.get("/r/enterprises/")
    assert page.status_code == 200 and own.name in page.content.decode()
    assert reads_of(on_replica, "regions_enterprise")  # the list and its count
    assert not reads_of(on_primary, "regions_enterprise")
    assert reads_of(on_primary, "django_session")  # who is asking: the primary (a session just written)

    api = api_client(user)
    with CaptureQueriesContext(replica) as on_replica:
        listed = api.get("/api/v1/enterprises/?q=彰武").json()
        layer = api.get("/api/v1/map/enterprises/").json()
        exported = browser.get("/r/enterprises/export/?format=csv")
    assert [item["name"] for item in listed["items"]] == [own.name]
    assert own.name in {f["properties"]["name"] for f in layer["features"]}
    assert exported.status_code == 200 and own.name in exported.content.decode("utf-8-sig")
    assert len(reads_of(on_replica, "regions_enterprise")) >= 4
    assert not writes_in(on_replica)  # the export's audit entry went to the primary


def test_writes_and_the_page_after_them_stay_on_the_primary(replica, enterprises, make_user):
    from yingji.core import db as core_db
    from yingji.regions.models import Enterprise

    own, _ = enterprises
    form = {"name": own.name, "uscc": own.uscc, "industry": "hazchem", "scale": "small", "division_code": ZHANGWU,
            "lon": own.lon, "lat": own.lat, "coord_source": "WGS84", "version": own.version}
    browser = Client()
    browser.force_login(make_user("editor", "county_admin", ZHANGWU))
    with CaptureQueriesContext(replica) as on_replica:
        saved = browser.post(f"/r/enterprises/{own.pk}/edit/", dict(form, phone="13900000000"))
        after = browser.get("/r/enterprises/")  # the redirect target, within the pin window
    assert saved.status_code == 302 and browser.cookies[core_db.PIN_COOKIE].value == "1"
    assert after.status_code == 200 and own.name in after.content.decode()
    assert on_replica.captured_queries == []  # neither the write nor the page after it read the replica

    # Later (pin cookie expired) the list reads from the replica again.
    del browser.cookies[core_db.PIN_COOKIE]
    with CaptureQueriesContext(replica) as on_replica:
        assert browser.get("/r/enterprises/").status_code == 200
    assert reads_of(on_replica, "regions_enterprise")

    # An object read from the replica and saved is written to the primary (PrimaryRouter).
    copy_read = Enterprise.objects.using(core_db.REPLICA).get(pk=own.pk)
    copy_read.phone = "13800000000"
    with CaptureQueriesContext(replica) as on_replica, CaptureQueriesContext(connections["default"]) as on_primary:
        copy_read.save(update_fields=["phone"])
    assert not on_replica.captured_queries and writes_in(on_primary)
    assert Enterprise.objects.get(pk=own.pk).phone == "13800000000"

    # A read inside a write transaction is on the primary.
    with transaction.atomic():
        assert core_db.read_alias() == "default"
    assert core_db.read_alias() == core_db.REPLICA
    with core_db.primary_only():
        assert core_db.read_alias() == "default"


def test_api_write_pins_the_client_to_the_primary(replica, enterprises, make_user, api_client):
    own, _ = enterprises
    api = api_client(make_user("api_editor", "county_admin", ZHANGWU))
    with CaptureQueriesContext(replica) as on_replica:
        ok = api.patch(f"/api/v1/enterprises/{own.pk}", json.dumps({"phone": "111", "version": own.version}),
                       content_type="application/json")
        listed = api.get("/api/v1/enterprises/?q=彰武").json()
    assert ok.status_code == 200 and listed["items"][0]["phone"] == "111"
    assert on_replica.captured_queries == []
