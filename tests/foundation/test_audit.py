"""The audit trail: create, update and delete are recorded with who, when, where and what;
nobody can change or remove an entry."""

import json

import pytest
from django.db import DatabaseError, connection, transaction

from tests.conftest import ZHANGWU, ZHANGWU_POINT
from yingji.audit.models import AppendOnlyError, AuditEntry
from yingji.regions.registries import ENTERPRISES

NEW = {"name": "彰武审计测试有限公司", "uscc": "91210922MA0000009X", "industry": "hazchem", "scale": "small",
       "division_code": "210922", "lon": ZHANGWU_POINT[0], "lat": ZHANGWU_POINT[1], "coord_source": "WGS84"}


@pytest.fixture
def valid_new():
    from yingji.rules.uscc import make_uscc

    return dict(NEW, uscc=make_uscc("9", "1", "210922", "MA0000009"))


def test_create_update_delete_are_audited_with_before_and_after(make_user, api_client, valid_new):
    user = make_user("auditor", "county_admin", ZHANGWU)
    client = api_client(user)
    created = client.post("/api/v1/enterprises/", json.dumps(valid_new), content_type="application/json",
                          REMOTE_ADDR="10.1.2.3")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    client.patch(f"/api/v1/enterprises/{pk}", json.dumps({"phone": "0418-1234567", "version": 1}),
                 content_type="application/json", REMOTE_ADDR="10.1.2.4")
    client.delete(f"/api/v1/enterprises/{pk}", REMOTE_ADDR="10.1.2.5")

    entries = list(AuditEntry.objects.filter(model="regions.Enterprise", object_id=str(pk)).order_by("id"))
    assert [e.action for e in entries] == ["create", "update", "delete"]
    create, update, delete = entries
    assert create.actor_name == "auditor" and create.address == "10.1.2.3"
    assert create.before is None and create.after["name"] == valid_new["name"]
    assert update.changed_fields == ["phone"]
    assert update.before["phone"] == "" and update.after["phone"] == "0418-1234567"
    assert update.address == "10.1.2.4"
    assert delete.before["name"] == valid_new["name"] and delete.after is None
    assert delete.division_code == ZHANGWU


def test_history_is_shown_on_the_detail_page_and_api(make_user, api_client, valid_new):
    from django.test import Client

    user = make_user("editor", "county_admin", ZHANGWU)
    obj = ENTERPRISES.create(user, valid_new)
    ENTERPRISES.update(user, obj, {"phone": "1"}, expected_version=1)
    history = api_client(user).get(f"/api/v1/enterprises/{obj.pk}/history").json()
    assert [h["action"] for h in history] == ["update", "create"]
    web = Client()
    web.force_login(user)
    page = web.get(f"/r/enterprises/{obj.pk}/").content.decode()
    assert "变更历史" in page and "editor" in page


def test_audit_entries_cannot_be_changed_or_deleted_through_the_orm(make_user, valid_new):
    user = make_user("editor", "county_admin", ZHANGWU)
    ENTERPRISES.create(user, valid_new)
    entry = AuditEntry.objects.first()
    entry.note = "tampered"
    with pytest.raises(AppendOnlyError, match=r"审计日志只能追加，不能修改"):
        entry.save()
    with pytest.raises(AppendOnlyError, match=r"审计日志只能追加，不能删除"):
        entry.delete()
    with pytest.raises(AppendOnlyError, match=r"审计日志只能追加，不能修改"):
        AuditEntry.objects.all().update(note="x")
    with pytest.raises(AppendOnlyError, match=r"审计日志只能追加，不能删除"):
        AuditEntry.objects.all().delete()


def test_database_refuses_update_and_delete_of_audit_rows(make_user, valid_new):
    user = make_user("editor", "county_admin", ZHANGWU)
    ENTERPRISES.create(user, valid_new)
    for sql in ("UPDATE audit_auditentry SET note = 'x'", "DELETE FROM audit_auditentry"):
        with pytest.raises(DatabaseError, match="append-only"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql)
    assert AuditEntry.objects.count() == 1


def test_audit_log_page_filters_and_is_admin_only(make_user, valid_new):
    from django.test import Client

    admin = make_user("city_admin1", "city_admin")
    ENTERPRISES.create(admin, dict(valid_new))
    client = Client()
    client.force_login(admin)
    page = client.get("/audit/?action=create").content.decode()
    assert valid_new["name"] in page
    assert valid_new["name"] not in client.get("/audit/?action=delete").content.decode()
    duty = make_user("duty2", "duty_officer")
    client.force_login(duty)
    assert client.get("/audit/").status_code == 403


def test_county_admin_sees_only_own_county_audit(make_user, api_client, valid_new):
    city = make_user("c_admin", "city_admin")
    ENTERPRISES.create(city, valid_new)
    haizhou = make_user("hz_admin", "county_admin", "210902000000")
    assert api_client(haizhou).get("/api/v1/audit/").json()["count"] == 0
    zhangwu = make_user("zw_admin", "county_admin", ZHANGWU)
    assert api_client(zhangwu).get("/api/v1/audit/?action=create").json()["count"] == 1


def test_audit_log_page_shows_changes_in_words(make_user, valid_new):
    """An expanded entry lists each changed field by its Chinese name with the values before and
    after as staff read them (labels, local times), never the stored snapshot's keys."""
    from django.test import Client

    admin = make_user("city_admin2", "city_admin")
    obj = ENTERPRISES.create(admin, dict(valid_new))
    ENTERPRISES.update(admin, obj, {"phone": "0418-7654321", "scale": "medium"}, expected_version=1)
    ENTERPRISES.delete(admin, ENTERPRISES.model.objects.get(pk=obj.pk), expected_version=2)
    client = Client()
    client.force_login(admin)
    update = client.get("/audit/?action=update").content.decode()
    assert "<th>联系电话</th><td>—</td><td>0418-7654321</td>" in update.replace("\n", "")
    assert "中型" in update and "'scale'" not in update and "created_at" not in update
    deleted = client.get("/audit/?action=delete").content.decode()
    assert "删除前的内容" in deleted and valid_new["name"] in deleted and "created_by_id" not in deleted
