"""The one write path (``yingji.core.records``): the transition helper, server-set fields, the
system actor, foreign-key scope checks, and a guard that no code outside the write path writes
audit entries by hand."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import CITY, HAIZHOU, HAIZHOU_POINT, ZHANGWU, ZHANGWU_POINT

YINGJI = Path(__file__).resolve().parents[2] / "yingji"
LOC = {"division_code": ZHANGWU, "lon": ZHANGWU_POINT[0], "lat": ZHANGWU_POINT[1], "coord_source": "WGS84"}


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture
def machine():
    from yingji.rules.statemachine import StateMachine, Transition

    admins = frozenset({"county_admin", "city_admin", "sysadmin"})
    return StateMachine("test", {"ready": "完好待命", "in_use": "执行任务", "retired": "报废停用"}, [
        Transition("use", frozenset({"ready"}), "in_use", admins, "出动"),
        Transition("back", frozenset({"in_use"}), "ready", admins, "归库"),
        Transition("retire", frozenset({"ready"}), "retired", frozenset({"sysadmin"}), "报废"),
    ])


@pytest.fixture
def zhangwu_admin(make_user):
    return make_user("wp_zw_admin", "county_admin", ZHANGWU)


@pytest.fixture
def haizhou_admin(make_user):
    return make_user("wp_hz_admin", "county_admin", HAIZHOU)


@pytest.fixture
def equipment(zhangwu_admin):
    from yingji.core import records
    from yingji.resources.models import Equipment

    return records.create_record(zhangwu_admin, Equipment, {"name": "测试排涝泵车", "kind": "pump",
                                                             "owner_unit": "彰武县应急管理局", **LOC})


def _entries(obj):
    from yingji.audit.models import AuditEntry

    return AuditEntry.objects.filter(model=obj._meta.label, object_id=str(obj.pk)).order_by("id")


# ----------------------------------------------------------------------------- transitions


def test_transition_applies_the_table_and_audits_who_when_and_note(machine, equipment, zhangwu_admin):
    from django.utils import timezone

    from yingji.core import records

    started = timezone.now()
    moved = records.transition(zhangwu_admin, equipment, machine, "use", field="status", note="出动：防汛排涝",
                               keeper="张三")
    assert moved.status == "in_use" and moved.keeper == "张三"
    assert moved.version == equipment.version + 1 and moved.updated_by == zhangwu_admin
    entry = _entries(equipment).last()
    assert entry.action == "transition"
    assert entry.actor == zhangwu_admin and entry.actor_name == "wp_zw_admin"
    assert entry.at >= started
    assert entry.note == "出动：防汛排涝"
    assert entry.before["status"] == "ready" and entry.after["status"] == "in_use"
    assert entry.division_code == ZHANGWU


def test_transition_note_defaults_to_the_label_and_may_use_the_source_state(machine, equipment, zhangwu_admin):
    from yingji.core import records

    records.transition(zhangwu_admin, equipment, machine, "use", field="status")
    assert _entries(equipment).last().note == "出动"
    records.transition(zhangwu_admin, equipment, machine, "back", field="status",
                       note=lambda row, move, source: f"{move.label}：{machine.label(source)} → {machine.label(move.target)}")
    assert _entries(equipment).last().note == "归库：执行任务 → 完好待命"


def test_illegal_transition_is_refused_in_chinese_and_nothing_is_written(machine, equipment, zhangwu_admin):
    from yingji.core import records
    from yingji.core.errors import ValidationFailed
    from yingji.resources.models import Equipment

    count = _entries(equipment).count()
    with pytest.raises(ValidationFailed, match="当前状态为“完好待命”，不能执行“归库”（仅限：执行任务）") as info:
        records.transition(zhangwu_admin, equipment, machine, "back", field="status", keeper="李四")
    assert info.value.code == "illegal_transition" and info.value.status == 400
    fresh = Equipment.objects.get(pk=equipment.pk)
    assert (fresh.status, fresh.keeper, fresh.version) == ("ready", "", equipment.version)
    assert _entries(equipment).count() == count


def test_transition_refuses_role_stale_version_unknown_action_and_out_of_scope(machine, equipment, zhangwu_admin,
                                                                             haizhou_admin):
    from yingji.core import records
    from yingji.core.errors import Conflict, Forbidden, ValidationFailed

    with pytest.raises(Forbidden, match="您的角色无权执行“报废”"):
        records.transition(zhangwu_admin, equipment, machine, "retire", field="status")
    with pytest.raises(ValidationFailed, match="未知操作：fly"):
        records.transition(zhangwu_admin, equipment, machine, "fly", field="status")
    with pytest.raises(Conflict, match="请刷新后重新编辑") as info:
        records.transition(zhangwu_admin, equipment, machine, "use", field="status",
                           expected_version=equipment.version - 1)
    assert info.value.code == "version_conflict"
    with pytest.raises(Forbidden, match="不在您的管辖范围内"):
        records.transition(haizhou_admin, equipment, machine, "use", field="status")
    assert [e.action for e in _entries(equipment)] == ["create"]


def test_transition_errors_can_be_mapped_per_app(machine, equipment, zhangwu_admin):
    from yingji.core import records
    from yingji.core.errors import Conflict

    with pytest.raises(Conflict, match="不能执行“归库”"):
        records.transition(zhangwu_admin, equipment, machine, "back", field="status",
                           errors={"illegal_transition": Conflict})


# ----------------------------------------------------------------------------- server fields, system actor


def test_server_fields_are_set_but_users_cannot_send_them(zhangwu_admin):
    from yingji.core import records
    from yingji.core.errors import ValidationFailed
    from yingji.incidents.models import Incident

    with pytest.raises(ValidationFailed, match="未知字段"):
        records.create_record(zhangwu_admin, Incident, {"title": "x", "created_at": "2020-01-01"})
    from yingji.resources.models import Equipment

    row = records.create_record(zhangwu_admin, Equipment, {"name": "泵", "kind": "pump", "owner_unit": "甲", **LOC},
                                server={"status": "in_use"})
    assert row.status == "in_use" and row.created_by == zhangwu_admin
    assert _entries(row).get().after["status"] == "in_use"


def test_system_actor_writes_without_a_user_and_is_recorded_as_system(db):
    from yingji.core import records
    from yingji.resources.models import Equipment

    row = records.create_record(records.SYSTEM, Equipment, {"name": "泵", "kind": "pump", "owner_unit": "甲", **LOC})
    changed = records.change(records.SYSTEM, row, note="自动维护", status="maintenance")
    assert changed.version == row.version + 1 and changed.created_by is None
    entries = list(_entries(row))
    assert [(e.action, e.actor, e.actor_name) for e in entries] == [("create", None, "系统"), ("update", None, "系统")]
    assert entries[1].note == "自动维护" and entries[1].changed_fields == ["status"]


def test_claim_writes_once_for_concurrent_sweeps(equipment):
    from yingji.core import records

    assert records.claim(records.SYSTEM, equipment, {"status": "ready"}, note="巡检", status="maintenance")
    assert not records.claim(records.SYSTEM, equipment, {"status": "ready"}, note="巡检", status="maintenance")
    entry = _entries(equipment).last()
    assert (entry.before, entry.after, entry.note) == ({"status": "ready"}, {"status": "maintenance"}, "巡检")


def test_create_rows_is_all_or_nothing(zhangwu_admin):
    from yingji.core import records
    from yingji.core.errors import ValidationFailed
    from yingji.resources.models import Equipment

    good = {"name": "泵", "kind": "pump", "owner_unit": "甲", **LOC}
    with pytest.raises(ValidationFailed, match="不是有效选项"):
        records.create_rows(zhangwu_admin, Equipment, [good, {**good, "kind": "tank"}])
    assert not Equipment.objects.exists()
    rows = records.create_rows(zhangwu_admin, Equipment, [good, {**good, "name": "泵2"}], note="批量登记")
    assert [r.name for r in rows] == ["泵", "泵2"] and all(_entries(r).get().note == "批量登记" for r in rows)


def test_secrets_stay_out_of_audit_snapshots(zhangwu_admin):
    from yingji.audit.services import snapshot

    assert "password" not in snapshot(zhangwu_admin)


# ----------------------------------------------------------------------------- foreign keys in scope (issue 13, 2)


@pytest.fixture
def warehouses(db):
    from decimal import Decimal

    from yingji.resources.models import Warehouse

    def make(code, division, point):
        return Warehouse.objects.create(code=code, name=f"{code}库", level="county", area_m2=Decimal("100"), manager="甲",
                                        manager_phone="13900000001", division_code=division, lon=point[0], lat=point[1])

    return make("ZW", ZHANGWU, ZHANGWU_POINT), make("HZ", HAIZHOU, HAIZHOU_POINT)


def test_equipment_in_another_countys_warehouse_is_refused_and_nothing_written(warehouses, zhangwu_admin, api_client):
    from yingji.audit.models import AuditEntry
    from yingji.resources.models import Equipment

    own, other = warehouses
    client = api_client(zhangwu_admin)
    body = {"name": "测试排涝泵车", "kind": "pump", "owner_unit": "彰武县应急管理局", **LOC, "division_code": "210922"}
    before = AuditEntry.objects.count()
    refused = client.post("/api/v1/equipment/", {**body, "warehouse_id": other.pk}, content_type="application/json")
    assert refused.status_code == 403, refused.content.decode()
    assert "不在您的管辖范围内" in refused.json()["error"]["message"]
    assert not Equipment.objects.exists() and AuditEntry.objects.count() == before
    created = client.post("/api/v1/equipment/", {**body, "warehouse_id": own.pk}, content_type="application/json")
    assert created.status_code == 201, created.content.decode()
    record = created.json()
    moved = client.patch(f"/api/v1/equipment/{record['id']}", {"warehouse_id": other.pk, "version": record["version"]},
                         content_type="application/json")
    assert moved.status_code == 403
    assert Equipment.objects.get().warehouse_id == own.pk


def test_monitored_object_of_another_countys_enterprise_is_refused(enterprises, make_user, api_client):
    from yingji.monitoring.models import MonitoredObject

    _, other = enterprises
    supervisor = make_user("wp_zw_sup", "county_admin", ZHANGWU)
    response = api_client(supervisor).post("/api/v1/monitored-objects/", {
        "name": "测试储罐区", "code": "WP-TANK", "kind": "tank", "enterprise_id": other.pk, **LOC,
        "division_code": "210922"}, content_type="application/json")
    assert response.status_code == 403, response.content.decode()
    assert not MonitoredObject.objects.exists()


def test_records_filed_above_the_writer_stay_referable(zhangwu_admin):
    """The city's material catalogue is shared downward: a county may book stock of it."""
    from decimal import Decimal

    from yingji.core import records
    from yingji.resources.models import Material, StockMovement, Warehouse

    tent = Material.objects.create(code="ZP-001", name="单帐篷", category="shelter", unit="顶", division_code=CITY)
    store = Warehouse.objects.create(code="ZW", name="彰武库", level="county", area_m2=Decimal("100"), manager="甲",
                                     manager_phone="13900000001", division_code=ZHANGWU, lon=ZHANGWU_POINT[0],
                                     lat=ZHANGWU_POINT[1])
    from yingji.resources.stock import record_movement

    record_movement(zhangwu_admin, warehouse=store, material=tent, kind="in", quantity=5, signer="甲")
    assert StockMovement.objects.get().material == tent
    other = Material.objects.create(code="ZP-002", name="海州帐篷", category="shelter", unit="顶", division_code=HAIZHOU)
    from yingji.core.errors import Forbidden

    with pytest.raises(Forbidden, match="不在您的管辖范围内"):
        records.check_foreign_keys(zhangwu_admin, StockMovement(material=other), ["material"])


# ----------------------------------------------------------------------------- the guard


AUDIT_READS = {"verify_chain", "history_of", "snapshot", "changed"}
ALLOWED = {YINGJI / "core" / "records.py"}


def _violations(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        where = f"{path.relative_to(YINGJI.parent)}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.ImportFrom):
            module = ("." * node.level) + (node.module or "")
            names = {a.name for a in node.names}
            if module in ("yingji.audit", "..audit") and "services" in names:
                found.append(f"{where} imports the audit writer (use yingji.core.records)")
            if module in ("yingji.audit.services", "..audit.services") and names - AUDIT_READS:
                found.append(f"{where} imports {sorted(names - AUDIT_READS)} from yingji.audit.services")
        elif isinstance(node, ast.Import):
            if any(a.name.startswith("yingji.audit.services") for a in node.names):
                found.append(f"{where} imports yingji.audit.services")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            chain = []
            target = node.func
            while isinstance(target, ast.Attribute):
                chain.append(target.attr)
                target = target.value
            if isinstance(target, ast.Name):
                chain.append(target.id)
            dotted = ".".join(reversed(chain))
            if dotted.startswith("AuditEntry.") and chain[0] in ("create", "bulk_create", "save"):
                found.append(f"{where} writes AuditEntry directly")
            if chain[0] == "record" and len(chain) >= 2 and "audit" in chain[1]:
                found.append(f"{where} calls {dotted}(...) by hand")
    return found


def test_no_audit_entry_is_written_outside_the_write_path():
    """Every write goes through yingji.core.records; the audit app is its only writer."""
    problems = []
    for path in sorted(YINGJI.rglob("*.py")):
        if path in ALLOWED or (YINGJI / "audit") in path.parents:
            continue
        problems += _violations(path)
    assert not problems, "audit entries written by hand:\n" + "\n".join(problems)


def test_the_guard_catches_a_hand_written_audit_call(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("from yingji.audit import services as audit\n"
                      "def f(user, obj):\n    obj.save()\n    audit.record(user, 'update', obj)\n", encoding="utf-8")
    global YINGJI
    saved, YINGJI = YINGJI, tmp_path
    try:
        assert len(_violations(sample)) == 2
    finally:
        YINGJI = saved


def test_a_record_deleted_meanwhile_is_a_404_for_the_second_delete_and_edit(zhangwu_admin, api_client):
    """Two people delete (or one edits while another deletes) the same record: the one who comes
    second read the record before it went, and is told it is gone — 404, not a server error."""
    from yingji.core import records
    from yingji.core.errors import NotFound
    from yingji.resources.models import Equipment

    row = records.create_record(zhangwu_admin, Equipment, {"name": "泵", "kind": "pump", "owner_unit": "甲", **LOC})
    seen_by_second = Equipment.objects.get(pk=row.pk)
    records.delete_record(zhangwu_admin, row)
    with pytest.raises(NotFound, match="已被他人删除"):
        records.delete_record(zhangwu_admin, seen_by_second)
    with pytest.raises(NotFound, match="已被他人删除"):
        records.update_record(zhangwu_admin, seen_by_second, {"name": "新泵"})


def test_the_api_answers_404_in_json_when_a_record_vanishes_during_the_call(zhangwu_admin, api_client, monkeypatch):
    """Whatever service locks a row again with a plain ``.get()``: a row deleted by a concurrent
    request is a JSON 404 the caller can act on, never a 500."""
    from yingji.core import records
    from yingji.core.registry import Registry
    from yingji.resources.models import Equipment

    row = records.create_record(zhangwu_admin, Equipment, {"name": "泵", "kind": "pump", "owner_unit": "甲", **LOC})

    def deleted_meanwhile(self, user, obj, expected_version=None):
        Equipment.objects.filter(pk=obj.pk).delete()
        Equipment.objects.select_for_update().get(pk=obj.pk)

    monkeypatch.setattr(Registry, "delete", deleted_meanwhile)
    response = api_client(zhangwu_admin).delete(f"/api/v1/equipment/{row.pk}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found" and "已被他人删除" in response.json()["error"]["message"]


def test_a_service_step_on_a_record_deleted_meanwhile_says_it_is_gone(make_user):
    """Services that lock a record before a step (灾情稳定, a handover, a stock movement…) lock it
    through the write path: a record deleted by someone else since the page was opened is a
    404 that says so, not a server error."""
    from django.utils import timezone

    from yingji.core.errors import NotFound
    from yingji.disasters.models import DisasterEvent
    from yingji.disasters.services import create_event, mark_stabilised

    city = make_user("city_lock", "city_admin")
    event = create_event(city, {"title": "测试过程", "hazard_type": "flood", "start_at": timezone.now(),
                                "division_code": "210900000000", "affected_codes": ["210922000000"]})
    DisasterEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(NotFound, match="已被他人删除"):
        mark_stabilised(city, event)
