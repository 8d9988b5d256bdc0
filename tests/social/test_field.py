"""The field app's sync endpoint: a report keyed by the device's id is stored once however often
it is sent; the same id with other content is a conflict, never an overwrite; a task update
written against an older task version is kept and marked 存在冲突; the inbox lists the area's
tasks and warnings."""

from __future__ import annotations

import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import ZHANGWU_POINT
from tests.command.conftest import data_dir, demo_plans, make_incident, organisations, road_network  # noqa: F401
from tests.social.conftest import png_bytes


def _send(client, payload, photos=()):
    files = [SimpleUploadedFile(f"p{n}.png", data, content_type="image/png") for n, data in enumerate(photos)]
    return client.post("/social/field/reports/", {"payload": json.dumps(payload, ensure_ascii=False), "photos": files})


def _payload(**extra):
    return {"client_id": str(uuid.uuid4()), "kind": "loss", "title": "示例村房屋受损", "description": "两户墙体开裂",
            "figures": {"affected_population": "12", "relocated": "3"}, "recorded_at": "2026-07-01T08:00:00+08:00",
            "lon": ZHANGWU_POINT[0], "lat": ZHANGWU_POINT[1], **extra}


@pytest.fixture
def officer_client(client, people):
    client.force_login(people["officer"])
    return client


def test_a_retried_sync_never_duplicates_and_other_content_is_a_conflict(officer_client, people):
    from yingji.audit.models import AuditEntry
    from yingji.social.models import FieldReport

    payload = _payload()
    photos = [png_bytes(), png_bytes((10, 120, 40))]
    first = _send(officer_client, payload, photos)
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["created"] is True and body["photos"] == 2 and body["state"] == "received"
    for _ in range(2):  # the device did not see the answer and sends again
        again = _send(officer_client, payload, photos)
        assert again.status_code == 200 and again.json()["id"] == body["id"] and again.json()["created"] is False
    report = FieldReport.objects.get()
    assert report.figures == {"affected_population": 12, "relocated": 3}
    assert report.division_code == "210922100201" and report.author == people["officer"]
    assert report.photos.count() == 2
    assert AuditEntry.objects.filter(model="social.FieldReport", action="create").count() == 1
    changed = _send(officer_client, {**payload, "title": "改过的标题"}, photos)
    assert changed.status_code == 409 and changed.json()["error"]["code"] == "sync_conflict"
    assert "未覆盖" in changed.json()["error"]["message"]
    assert FieldReport.objects.get().title == "示例村房屋受损"


def test_bad_reports_are_refused_with_json_errors_and_nothing_written(officer_client, client, people):
    from yingji.social.models import FieldReport

    assert _send(officer_client, {"kind": "loss", "title": "x"}).json()["error"]["fields"] == {"client_id": ["无效"]}
    assert _send(officer_client, _payload(title="")).status_code == 400
    negative = _send(officer_client, _payload(figures={"deaths": "-1"}))
    assert negative.status_code == 400 and "不小于 0" in negative.json()["error"]["message"]
    not_photo = _send(officer_client, _payload(), [b"GIF89a not really"])
    assert not_photo.status_code == 400 and "照片" in not_photo.json()["error"]["message"]
    elsewhere = _send(officer_client, _payload(lon=121.624, lat=41.961))  # 海州区, not the officer's county
    assert elsewhere.status_code == 400
    broken = officer_client.post("/social/field/reports/", {"payload": "{not json"})
    assert broken.status_code == 400 and broken.json()["error"]["fields"] == {"payload": ["不是 JSON"]}
    assert not FieldReport.objects.exists()
    client.logout()
    assert _send(client, _payload()).status_code == 401
    client.force_login(people["enterprise"])
    assert _send(client, _payload()).status_code == 403
    another = _payload()
    client.force_login(people["officer"])
    assert _send(client, another).status_code == 201
    client.force_login(people["zhangwu"])
    taken = _send(client, another)
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "client_id_taken"


def test_a_task_update_against_an_older_version_is_kept_as_a_conflict(client, people, road_network, demo_plans,
                                                                      make_incident):
    from yingji.command import responses
    from yingji.command.models import Plan
    from yingji.social.models import FieldReport

    incident = make_incident(type_code="natural.flood", point=ZHANGWU_POINT, division="210922000000", title="内涝（测试）")
    response = responses.activate(people["city"], incident, Plan.objects.first().pk, 4, "测试")
    task = responses.new_task(people["city"], response, "彰武镇", "转移低洼户")
    client.force_login(people["zhangwu"])
    inbox = client.get("/social/field/inbox/").json()
    listed = {t["title"]: t for t in inbox["tasks"]}
    assert listed["转移低洼户"]["version"] == task.version and listed["转移低洼户"]["id"] == task.pk
    current = _send(client, _payload(kind="task_update", title="已转移 5 户", task_id=task.pk, task_version=task.version))
    assert current.json()["state"] == "received"
    stale = _send(client, _payload(kind="task_update", title="已转移 3 户", task_id=task.pk, task_version=task.version - 1 or 99))
    assert stale.status_code == 201 and stale.json()["state"] == "conflict"
    assert "服务器上已是第" in FieldReport.objects.get(pk=stale.json()["id"]).conflict
    client.force_login(people["duty"])
    queue = client.get("/social/queue/").content.decode()
    assert "存在冲突" in queue and "已转移 3 户" in queue
