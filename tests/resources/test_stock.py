"""The stock ledger: stock is derived from movements, never edited; outflows larger than stock
are refused; transfers, recovery/disinfection, FEFO batches, low-stock and near-expiry lists."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.conftest import patch_json, post_json
from yingji.core.errors import Forbidden, ValidationFailed
from yingji.resources.models import StockMovement
from yingji.resources.stock import current_stock, low_stock, near_expiry, record_movement, stock_of


def receive(user, warehouse, material, qty, batch="", expiry=None):
    return record_movement(user, warehouse=warehouse, material=material, kind="in", quantity=qty, signer="库管员甲",
                           batch=batch, expiry_date=expiry)


def test_stock_is_the_sum_of_the_ledger(zhangwu_admin, warehouses, materials):
    zw, _, _ = warehouses
    tent, _ = materials
    receive(zhangwu_admin, zw, tent, 100)
    record_movement(zhangwu_admin, warehouse=zw, material=tent, kind="out", quantity="30", signer="乙")
    record_movement(zhangwu_admin, warehouse=zw, material=tent, kind="scrap", quantity=5, signer="丙")
    line = stock_of(zw, tent)
    assert line.quantity == Decimal("65") and line.available == Decimal("65")
    assert sum(m.delta for m in StockMovement.objects.filter(warehouse=zw)) == Decimal("65")


def test_stocked_warehouses_are_those_with_something_on_hand(zhangwu_admin, warehouses, materials):
    """What the plan registry's sweep reads for every warehouse a plan names, in one query."""
    from yingji.resources.stock import stocked_warehouses

    zw, zw2, hz = warehouses
    tent, water = materials
    receive(zhangwu_admin, zw, tent, 10)
    receive(zhangwu_admin, zw2, water, 5)
    record_movement(zhangwu_admin, warehouse=zw2, material=water, kind="out", quantity=5, signer="乙")
    receive(zhangwu_admin, zw2, tent, 1)
    record_movement(zhangwu_admin, warehouse=zw2, material=tent, kind="out", quantity=1, signer="乙")
    assert stocked_warehouses([zw.pk, zw2.pk, hz.pk]) == {zw.pk}  # zw2 emptied of both, hz never stocked
    assert stocked_warehouses([]) == set()
    for warehouse in (zw, zw2, hz):
        assert (warehouse.pk in stocked_warehouses([warehouse.pk])) == any(
            line.quantity > 0 for line in current_stock(warehouse=warehouse))


def test_outflow_larger_than_stock_is_refused_and_nothing_written(zhangwu_admin, warehouses, materials):
    zw, zw2, _ = warehouses
    tent, _ = materials
    receive(zhangwu_admin, zw, tent, 10)
    for kind in ("out", "transfer"):
        with pytest.raises(ValidationFailed, match=r"数量 11 顶 超过彰武测试储备库“单帐篷”的可用库存 10(\.0+)? 顶") as exc:
            record_movement(zhangwu_admin, warehouse=zw, material=tent, kind=kind, quantity=11, signer="乙", other_warehouse=zw2)
        assert exc.value.code == "insufficient_stock"
        assert "可用库存 10" in exc.value.message
    assert StockMovement.objects.count() == 1
    assert stock_of(zw, tent).quantity == 10


def test_transfer_moves_stock_between_warehouses_with_paired_lines(zhangwu_admin, warehouses, materials):
    zw, zw2, _ = warehouses
    tent, _ = materials
    receive(zhangwu_admin, zw, tent, 40, batch="B1")
    lines = record_movement(zhangwu_admin, warehouse=zw, material=tent, kind="transfer", quantity=15, signer="乙",
                            other_warehouse=zw2)
    assert [(line.warehouse_id, line.delta) for line in lines] == [(zw.pk, Decimal("-15")), (zw2.pk, Decimal("15"))]
    assert lines[0].paired_id == lines[1].pk and lines[1].paired_id == lines[0].pk
    assert stock_of(zw, tent).quantity == 25 and stock_of(zw2, tent).quantity == 15
    assert lines[1].batch == "B1"


def test_transfer_into_another_county_is_refused_for_a_county_user(zhangwu_admin, warehouses, materials):
    zw, _, hz = warehouses
    tent, _ = materials
    receive(zhangwu_admin, zw, tent, 40)
    with pytest.raises(Forbidden, match=r"调入库“海州测试储备库”不在您的管辖范围内"):
        record_movement(zhangwu_admin, warehouse=zw, material=tent, kind="transfer", quantity=5, signer="乙", other_warehouse=hz)
    assert stock_of(zw, tent).quantity == 40


def test_other_county_may_not_touch_the_warehouse(haizhou_admin, zhangwu_admin, warehouses, materials):
    zw, _, _ = warehouses
    receive(zhangwu_admin, zw, materials[0], 5)
    with pytest.raises(Forbidden, match=r"“彰武测试储备库”不在您的管辖范围内"):
        receive(haizhou_admin, zw, materials[0], 5)
    assert stock_of(zw, materials[0]).quantity == 5


def test_recovered_items_wait_for_disinfection_before_they_can_go_out(zhangwu_admin, warehouses, materials):
    zw, _, _ = warehouses
    tent, _ = materials
    receive(zhangwu_admin, zw, tent, 10)
    record_movement(zhangwu_admin, warehouse=zw, material=tent, kind="out", quantity=10, signer="乙")
    record_movement(zhangwu_admin, warehouse=zw, material=tent, kind="recover", quantity=6, signer="丙")
    line = stock_of(zw, tent)
    assert (line.quantity, line.pending_disinfection, line.available) == (6, 6, 0)
    with pytest.raises(ValidationFailed, match="待消毒"):
        record_movement(zhangwu_admin, warehouse=zw, material=tent, kind="out", quantity=1, signer="乙")
    with pytest.raises(ValidationFailed, match="待消毒数量 6"):
        record_movement(zhangwu_admin, warehouse=zw, material=tent, kind="disinfect", quantity=7, signer="丁")
    record_movement(zhangwu_admin, warehouse=zw, material=tent, kind="disinfect", quantity=6, signer="丁")
    line = stock_of(zw, tent)
    assert (line.quantity, line.pending_disinfection, line.available) == (6, 0, 6)


def test_outflow_without_batch_is_taken_first_expiry_first(zhangwu_admin, warehouses, materials):
    zw, _, _ = warehouses
    _, water = materials
    today = dt.date.today()
    receive(zhangwu_admin, zw, water, 10, batch="LATE", expiry=today + dt.timedelta(days=300))
    receive(zhangwu_admin, zw, water, 4, batch="SOON", expiry=today + dt.timedelta(days=10))
    lines = record_movement(zhangwu_admin, warehouse=zw, material=water, kind="out", quantity=6, signer="乙")
    assert [(line.batch, line.quantity) for line in lines] == [("SOON", 4), ("LATE", 2)]
    with pytest.raises(ValidationFailed, match="批次“SOON”"):
        record_movement(zhangwu_admin, warehouse=zw, material=water, kind="out", quantity=1, signer="乙", batch="SOON")


def test_low_stock_and_near_expiry_lists(zhangwu_admin, warehouses, materials):
    zw, _, _ = warehouses
    tent, water = materials
    today = dt.date.today()
    receive(zhangwu_admin, zw, tent, 20)  # below min_stock 50
    receive(zhangwu_admin, zw, water, 30, batch="W1", expiry=today + dt.timedelta(days=20))
    receive(zhangwu_admin, zw, water, 30, batch="W2", expiry=today + dt.timedelta(days=200))
    low = low_stock(user=zhangwu_admin)
    assert [(line.material, line.shortfall) for line in low] == [("单帐篷", Decimal("30"))]
    assert [b.batch for b in near_expiry(30, user=zhangwu_admin)] == ["W1"]
    record_movement(zhangwu_admin, warehouse=zw, material=water, kind="out", quantity=30, signer="乙", batch="W1")
    assert near_expiry(30, user=zhangwu_admin) == []


def test_bad_movement_input(zhangwu_admin, warehouses, materials):
    zw, _, _ = warehouses
    with pytest.raises(ValidationFailed, match="数量必须大于 0"):
        receive(zhangwu_admin, zw, materials[0], -5)
    with pytest.raises(ValidationFailed, match="签字人"):
        record_movement(zhangwu_admin, warehouse=zw, material=materials[0], kind="in", quantity=1, signer=" ")
    with pytest.raises(ValidationFailed, match="有效期不能早于生产日期"):
        record_movement(zhangwu_admin, warehouse=zw, material=materials[0], kind="in", quantity=1, signer="甲",
                        production_date=dt.date(2026, 5, 1), expiry_date=dt.date(2026, 1, 1))
    assert StockMovement.objects.count() == 0


def test_api_ledger_is_append_only_and_stock_is_read_only(zhangwu_admin, warehouses, materials, api_client):
    zw, _, _ = warehouses
    tent, _ = materials
    client = api_client(zhangwu_admin)
    # The OpenAPI schema names foreign keys warehouse_id / material_id.
    created = post_json(client, "/api/v1/stock-movements/", {"warehouse_id": zw.pk, "material_id": tent.pk, "kind": "in",
                                                            "quantity": "12", "signer": "库管员甲"})
    assert created.status_code == 201, created.content.decode()
    assert created.json()["delta"] == "12.00" or float(created.json()["delta"]) == 12
    too_much = post_json(client, "/api/v1/stock-movements/", {"warehouse_id": zw.pk, "material_id": tent.pk, "kind": "out",
                                                             "quantity": "13", "signer": "乙"})
    assert too_much.status_code == 400 and too_much.json()["error"]["code"] == "insufficient_stock", too_much.json()
    edit = patch_json(client, f"/api/v1/stock-movements/{created.json()['id']}", {"quantity": "1000"})
    assert edit.status_code == 409 and edit.json()["error"]["code"] == "ledger_immutable"
    assert client.delete(f"/api/v1/stock-movements/{created.json()['id']}").status_code == 409
    stock = client.get("/api/v1/stock/current").json()
    assert [(row["material"], row["quantity"]) for row in stock] == [("单帐篷", "12.00")]
    assert client.get("/api/v1/stock/low").json()[0]["shortfall"] == "38.00"
    history = client.get(f"/api/v1/stock-movements/{created.json()['id']}/history").json()
    assert history[0]["after"]["signer"] == "库管员甲"


def test_stock_page_shows_warnings(zhangwu_admin, warehouses, materials):
    from django.test import Client

    receive(zhangwu_admin, warehouses[0], materials[0], 20)
    web = Client()
    web.force_login(zhangwu_admin)
    page = web.get("/resources/stock/").content.decode()
    assert "低于最低储备量（1）" in page and "单帐篷" in page


def test_web_form_records_a_movement_and_refuses_overdraw(zhangwu_admin, warehouses, materials):
    from django.test import Client

    zw, _, _ = warehouses
    web = Client()
    web.force_login(zhangwu_admin)
    form = {"warehouse": zw.pk, "material": materials[0].pk, "kind": "in", "quantity": "8", "signer": "甲",
            "occurred_at": "2026-03-01 08:30"}
    assert web.post("/r/stock-movements/new/", form).status_code == 302
    refused = web.post("/r/stock-movements/new/", dict(form, kind="out", quantity="9"))
    assert refused.status_code == 400 and "超过彰武测试储备库“单帐篷”的可用库存 8" in refused.content.decode()
    assert current_stock(zw)[0].quantity == 8


def test_a_warehouse_with_a_ledger_offers_no_delete_the_server_would_refuse(zhangwu_admin, warehouses, materials):
    """The record page offers 删除 only when the server will delete: a warehouse its ledger still
    refers to says why instead (the pressing walk met 409 '仍有其他记录引用它' behind the button)."""
    from django.test import Client

    zw, zw2, _ = warehouses
    receive(zhangwu_admin, zw, materials[0], 10)
    web = Client()
    web.force_login(zhangwu_admin)
    used = web.get(f"/r/warehouses/{zw.pk}/").content.decode()
    assert "仍有其他记录引用它，不能删除" in used and f"/r/warehouses/{zw.pk}/delete/" not in used
    assert web.post(f"/r/warehouses/{zw.pk}/delete/", {"version": zw.version}).status_code == 409
    unused = web.get(f"/r/warehouses/{zw2.pk}/").content.decode()
    assert f"/r/warehouses/{zw2.pk}/delete/" in unused
    assert web.post(f"/r/warehouses/{zw2.pk}/delete/", {"version": zw2.version}).status_code == 302


def test_record_forms_offer_only_the_targets_the_save_accepts(zhangwu_admin, haizhou_admin, warehouses):
    """The equipment form offered Zhangwu's administrator 海州's warehouse too, and saving with it
    answered '不在您的管辖范围内，不能引用': a form lists only the targets a save accepts."""
    from django.test import Client

    zw, zw2, hz = warehouses
    web = Client()
    web.force_login(zhangwu_admin)
    form = web.get("/r/equipment/new/").content.decode()
    assert zw.name in form and zw2.name in form and hz.name not in form
    web.force_login(haizhou_admin)
    form = web.get("/r/equipment/new/").content.decode()
    assert hz.name in form and zw.name not in form
