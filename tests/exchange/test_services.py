"""The exchange at the service level: the outbox written with the record, sealing, signed
envelopes, idempotent and ordered receipt, scope, file export/import, back-off."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from tests.conftest import HAIZHOU, ZHANGWU
from yingji.core.errors import Forbidden, NotAuthenticated
from yingji.exchange import outbox, services, signing
from yingji.exchange.models import InboxMessage, OutboxMessage, ReceivedRecord


def _up_envelope(parent, acks=()):
    rows = list(outbox.pending("up").order_by("pk"))
    return signing.sign(outbox.batch("up", parent.key_id, parent.division_code, outbox.seal(rows), acks=list(acks)),
                        parent.secret)


def test_outbox_row_commits_or_rolls_back_with_the_record(link_pair, officers, intake_data):
    from yingji.incidents.services import take_call

    with pytest.raises(RuntimeError), transaction.atomic():
        take_call(officers["zhangwu"], intake_data(title="回滚的接报"))
        assert OutboxMessage.objects.filter(direction="up", kind="incident").count() == 1
        raise RuntimeError("the caller's transaction fails after the write")
    assert not OutboxMessage.objects.exists()

    incident, _ = take_call(officers["zhangwu"], intake_data())
    row = OutboxMessage.objects.get(direction="up", kind="incident")
    assert (row.record_id, row.seq, row.sealed_at) == (str(incident.pk), 1, None)
    # A further write before sending does not queue a second message: the sealed body will be current.
    from yingji.incidents.services import log_entry

    log_entry(officers["zhangwu"], incident, "action", "现场已控制")
    assert OutboxMessage.objects.filter(kind="incident").count() == 1


def test_county_incident_reaches_the_city_once_with_its_deadlines(link_pair, officers, intake_data):
    from yingji.incidents.services import take_call

    child, parent, _ = link_pair
    incident, _ = take_call(officers["zhangwu"], intake_data())
    envelope = _up_envelope(parent)
    answer = services.receive_from_child(envelope)
    assert signing.verify(answer, child.secret, "down")["accepted"] == [m["id"] for m in envelope["batch"]["messages"]]
    again = services.receive_from_child(envelope)  # a retried delivery (the answer was lost)
    assert len(again["batch"]["accepted"]) == 1
    assert InboxMessage.objects.filter(kind="incident").count() == 1
    record = ReceivedRecord.objects.get(kind="incident")
    assert record.title == incident.title and record.division_code == ZHANGWU and record.seq == 1
    assert record.body["deadlines"], "deadlines counted at the child travel with the incident"
    assert {d["unit"] for d in record.body["deadlines"]} >= {"彰武县应急管理局"}
    child.refresh_from_db()
    assert child.last_contact_at is not None and child.received_count == 1


def test_older_version_never_overwrites_a_newer_one(link_pair, officers, intake_data):
    from tests.incidents.conftest import ART12
    from yingji.incidents.services import file_report, take_call

    child, parent, _ = link_pair
    incident, _ = take_call(officers["zhangwu"], intake_data())
    first = _up_envelope(parent)
    outbox.mark_sent("up", [m["id"] for m in first["batch"]["messages"]], "link")
    file_report(officers["zhangwu"], incident, "first", {**ART12, "issuer": "李局长", "deaths": 1})
    second = _up_envelope(parent)
    assert second["batch"]["messages"][0]["seq"] == 2
    services.receive_from_child(second)
    services.receive_from_child(first)  # arrives late
    record = ReceivedRecord.objects.get(kind="incident")
    assert record.seq == 2 and [r["kind"] for r in record.body["reports"]] == ["first"]
    assert record.body["figures"]["deaths"] == 1
    assert InboxMessage.objects.get(seq=1).outcome == "stale"


def test_signature_credential_and_scope_are_checked(link_pair, officers, intake_data, units):
    from yingji.incidents.services import take_call

    child, parent, _ = link_pair
    take_call(officers["zhangwu"], intake_data())
    envelope = _up_envelope(parent)
    tampered = {"batch": {**envelope["batch"], "pending": 99}, "signature": envelope["signature"]}
    with pytest.raises(Forbidden):
        services.receive_from_child(tampered)
    child.refresh_from_db()
    assert "签名校验失败" in child.last_error
    with pytest.raises(NotAuthenticated):
        services.receive_from_child({"batch": {**envelope["batch"], "key_id": "0" * 16}, "signature": "x"})
    # A child may only report records of its own division.
    message = dict(envelope["batch"]["messages"][0], id="00000000-0000-4000-8000-000000000001",
                   division_code=HAIZHOU, record="210922000000/incident/999")
    forged = signing.sign({**envelope["batch"], "messages": [message]}, parent.secret)
    services.receive_from_child(forged)
    assert InboxMessage.objects.get(message_id=message["id"]).outcome == "failed"
    assert not ReceivedRecord.objects.filter(division_code=HAIZHOU).exists()
    assert not ReceivedRecord.objects.exists()


def test_file_export_and_import(link_pair, officers, intake_data):
    from yingji.incidents.services import take_call

    take_call(officers["zhangwu"], intake_data())
    envelope, count = services.export_envelope()
    assert count == 1 and not outbox.pending("up").exists()
    assert services.import_envelope(envelope) == {"direction": "up", "accepted": 1}
    assert services.import_envelope(envelope) == {"direction": "up", "accepted": 1}
    assert ReceivedRecord.objects.filter(kind="incident").count() == 1
    assert InboxMessage.objects.get().via == "file"


def test_unreachable_parent_backs_off_and_keeps_the_queue(link_pair, officers, intake_data, settings):
    from yingji.incidents.services import take_call

    _, parent, _ = link_pair
    take_call(officers["zhangwu"], intake_data())
    with pytest.raises(services.ExchangeUnavailable):
        services.sync(parent)
    parent.refresh_from_db()
    assert parent.failures == 1 and "无法连接上级平台" in parent.last_error
    assert parent.next_attempt_at > timezone.now() + dt.timedelta(seconds=3)
    row = outbox.pending("up").get()
    assert row.sealed_at is not None and row.attempts == 1 and row.last_error
    assert services.backoff_seconds(1) == 5 and services.backoff_seconds(4) == 40
    settings.YINGJI_EXCHANGE_MAX_BACKOFF_SECONDS = 60
    assert services.backoff_seconds(10) == 60


def test_console_pages_show_links_queue_and_received_records(client, link_pair, officers, intake_data, admins):
    from django.urls import reverse

    from yingji.incidents.services import take_call

    child, parent, _ = link_pair
    take_call(officers["zhangwu"], intake_data())
    client.force_login(admins["city"])
    page = client.get(reverse("exchange:links")).content.decode()
    assert "彰武县平台" in page and "尚未联系" in page and "待发送队列" in page
    assert "突发事件信息报告" in page, "the county's pending incident is listed in the queue"
    services.receive_from_child(_up_envelope(parent))
    record = ReceivedRecord.objects.get(kind="incident")
    page = client.get(reverse("exchange:record", args=[record.pk])).content.decode()
    assert "各阶段报告" in page and "报告时限（下级平台计算）" in page and "彰武县应急管理局" in page
    # The county's open deadlines stand on the city's 值班台 beside its own.
    from yingji.exchange.duty_board import deadlines

    board = deadlines(admins["city"])
    assert board and {row["unit"] for row in board} >= {"彰武县应急管理局"}
    assert all(row["url"] == reverse("exchange:record", args=[record.pk]) for row in board)
    # A 批示 on the received incident goes down to 彰武县 in the same transaction.
    answer = client.post(reverse("exchange:instruct", args=[record.pk]), {"leader": "王市长", "text": "全力救治伤员"})
    assert answer.status_code == 302
    down = OutboxMessage.objects.get(direction="down", kind="instruction")
    assert down.child == child and down.division_code == ZHANGWU
    # A viewer of another county sees nothing of it.
    client.force_login(officers["haizhou"])
    assert client.get(reverse("exchange:record", args=[record.pk])).status_code == 403


def test_demo_step_registers_zhangwu_as_the_citys_child_once(db):
    from yingji.exchange.demo_data import load_links
    from yingji.exchange.models import ChildLink

    assert load_links() == 1 and load_links() == 0
    link = ChildLink.objects.get()
    assert link.division_code == ZHANGWU and link.is_synthetic and link.active and len(link.secret) >= 40


def _receive_up(parent):
    services.receive_from_child(_up_envelope(parent))
    return {r.kind: r for r in ReceivedRecord.objects.all()}


def test_county_summaries_reach_the_city(client, link_pair, admins):
    """What flows up besides reports: a county's rescue teams, its stores with their stock (re-sent
    when stock moves), its drills and training figures — each kept and shown at the city."""
    from decimal import Decimal

    from django.urls import reverse

    from tests.conftest import ZHANGWU_POINT
    from yingji.core.records import create_record
    from yingji.preparedness.models import Drill
    from yingji.resources.models import Material, RescueTeam, Warehouse
    from yingji.resources.stock import record_movement

    _, parent, _ = link_pair
    county = admins["zhangwu"]
    create_record(county, RescueTeam, {
        "name": "彰武县森林消防队（合成）", "category": "professional", "level": "county", "headcount": 32,
        "leader": "张队长", "leader_phone": "13900000011", "duty_phone": "04188888888", "division_code": ZHANGWU,
        "lon": ZHANGWU_POINT[0], "lat": ZHANGWU_POINT[1]})
    store = create_record(county, Warehouse, {
        "code": "ZW-EX", "name": "彰武县救灾物资储备库（合成）", "level": "county", "area_m2": Decimal("600"),
        "manager": "李库管", "manager_phone": "13900000012", "division_code": ZHANGWU,
        "lon": ZHANGWU_POINT[0], "lat": ZHANGWU_POINT[1]})
    tents = Material.objects.create(code="ZP-EX1", name="单帐篷", category="shelter", unit="顶", min_stock=Decimal("50"),
                                    division_code="210900000000")
    record_movement(county, warehouse=store, material=tents, kind="in", quantity="120", signer="李库管")
    create_record(county, Drill, {"title": "彰武县防汛应急演练（合成）", "kind": "field", "organiser": "彰武县应急管理局",
                                  "held_on": "2026-06-18", "participant_count": 85, "division_code": ZHANGWU})
    received = _receive_up(parent)
    assert {"rescue_team", "warehouse", "drill"} <= set(received)
    assert received["rescue_team"].body["headcount"] == 32
    assert received["warehouse"].body["stock"] == [
        {"material": "单帐篷", "unit": "顶", "quantity": "120", "available": "120", "below_minimum": False}]
    assert received["drill"].body["participant_count"] == 85

    # Stock leaves the store: the city's copy follows, and shows the shortfall.
    record_movement(county, warehouse=store, material=tents, kind="out", quantity="100", signer="李库管")
    received = _receive_up(parent)
    assert received["warehouse"].seq == 2
    assert received["warehouse"].body["stock"][0]["quantity"] == "20"
    client.force_login(admins["city"])
    page = client.get(reverse("exchange:record", args=[received["warehouse"].pk])).content.decode()
    assert "单帐篷" in page and "低于最低储备" in page and "彰武县救灾物资储备库（合成）" in page


def test_city_plans_in_force_go_down_and_classified_ones_never(link_pair, draft, advance):
    """A plan the city publishes reaches its counties (title, version, short version); a
    classified plan never leaves the installation."""
    child, _, _ = link_pair
    plan = advance(draft(brief="一、响应分级：Ⅰ级至Ⅳ级。"), "published")
    advance(draft(name="阜新市涉密预案（测试）", classified=True), "published")
    rows = list(outbox.pending("down", child))
    assert [(r.kind, r.title) for r in rows] == [("plan", str(plan))]
    message = outbox.seal(rows)[0]
    assert message["body"]["brief"].startswith("一、响应分级") and message["body"]["revision"] == 1
