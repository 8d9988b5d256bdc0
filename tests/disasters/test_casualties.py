"""The dead and missing register: registration, 失踪 → 死亡 / 已找到 with a reason (audited),
agreement with the reported figures, scope, API."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from tests.disasters.conftest import HZ_TOWN, ZW_TOWN_A
from yingji.core.errors import Conflict, Forbidden, ValidationFailed

PERSON = {"status": "missing", "name": "王五", "gender": "男", "age": 52, "place": "彰武镇某村河道",
          "cause": "洪水冲走", "division_code": ZW_TOWN_A}


def person(**extra):
    return {**PERSON, "occurred_at": timezone.now(), **extra}


def test_register_and_move_a_missing_person_to_dead(people, event, file):
    from yingji.audit.models import AuditEntry
    from yingji.disasters.selectors import casualty_check
    from yingji.disasters.services import change_casualty_status, register_casualty

    file("zhangwu", event, "initial", ZW_TOWN_A, missing=1)
    record = register_casualty(people["zhangwu"], event, person())
    check = casualty_check(event, people["city"])
    assert (check["register_missing"], check["reported_missing"], check["consistent"]) == (1, 1, True)

    with pytest.raises(ValidationFailed, match="原因"):
        change_casualty_status(people["zhangwu"], record, "dead", "")
    record = change_casualty_status(people["zhangwu"], record, "dead", "7月21日下游找到遗体")
    assert record.status == "dead"
    assert AuditEntry.objects.filter(note__startswith="失踪人员确认死亡").exists()
    assert not casualty_check(event, people["city"])["consistent"]  # the report still says 1 missing
    file("zhangwu", event, "update", ZW_TOWN_A, deaths=1, missing=0, jump_explanation="失踪1人确认死亡")
    assert casualty_check(event, people["city"])["consistent"]
    with pytest.raises(Conflict, match="不能从"):
        change_casualty_status(people["zhangwu"], record, "found", "x")


def test_registration_rules_and_scope(people, event):
    from yingji.disasters.services import register_casualty

    with pytest.raises(ValidationFailed, match="死亡或失踪"):
        register_casualty(people["zhangwu"], event, person(status="found"))
    with pytest.raises(Forbidden):
        register_casualty(people["zhangwu"], event, person(division_code=HZ_TOWN))
    with pytest.raises(Forbidden):
        register_casualty(people["viewer"], event, person())


def test_casualty_api(people, event, api_client):
    client = api_client(people["zhangwu"])
    body = {**PERSON, "occurred_at": timezone.now().isoformat()}
    created = client.post(f"/api/v1/disasters/{event.pk}/casualties", json.dumps(body), content_type="application/json")
    assert created.status_code == 201, created.content
    cid = created.json()["id"]
    moved = client.post(f"/api/v1/disasters/{event.pk}/casualties/{cid}/status",
                        json.dumps({"status": "found", "note": "已在亲属家找到"}), content_type="application/json")
    assert moved.status_code == 200 and moved.json()["status"] == "found"
    again = client.post(f"/api/v1/disasters/{event.pk}/casualties/{cid}/status",
                        json.dumps({"status": "dead", "note": "x"}), content_type="application/json")
    assert again.status_code == 409
    listing = api_client(people["haizhou"]).get(f"/api/v1/disasters/{event.pk}/casualties").json()
    assert listing["count"] == 0  # 海州区 does not see 彰武县's register
    assert api_client(people["city"]).get(f"/api/v1/disasters/{event.pk}/casualties").json()["count"] == 1
