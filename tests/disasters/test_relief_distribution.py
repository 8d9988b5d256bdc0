"""Relief distribution: no household twice for the same category and event (service check in
Chinese and a database constraint); materials issued through the stock ledger decrease stock."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from tests.conftest import CITY, ZHANGWU, ZHANGWU_POINT
from tests.disasters.conftest import ZW_TOWN_A
from yingji.core.errors import Conflict, Forbidden, ValidationFailed

HOUSEHOLD = {"category": "emergency", "head_name": "李四", "head_id_number": "210922198001010011",
             "household_size": 4, "people": 3, "amount_yuan": "900", "signer": "李四", "division_code": ZW_TOWN_A}


def test_no_household_paid_twice_for_the_same_category_and_event(people, event):
    from yingji.disasters.services import record_payment

    record_payment(people["zhangwu"], event, dict(HOUSEHOLD))
    with pytest.raises(Conflict, match="同一户不能重复发放") as exc:
        record_payment(people["zw_duty"], event, {**HOUSEHOLD, "head_name": "李四（重复）"})
    assert exc.value.code == "already_paid"
    # another category, or another event, is a different payment
    record_payment(people["zhangwu"], event, {**HOUSEHOLD, "category": "transitional"})


def test_the_database_refuses_a_double_payment_too(people, event):
    from yingji.disasters.models import ReliefPayment
    from yingji.disasters.services import record_payment

    first = record_payment(people["zhangwu"], event, dict(HOUSEHOLD))
    with pytest.raises(IntegrityError), transaction.atomic():
        ReliefPayment.objects.create(event=event, category="emergency", head_name="x",
                                     head_id_number=first.head_id_number, paid_at=first.paid_at, signer="x",
                                     division_code=ZW_TOWN_A)


def test_payment_validation_and_scope(people, event):
    from yingji.disasters.services import record_payment

    with pytest.raises(ValidationFailed, match="需救助人口不能多于家庭人口"):
        record_payment(people["zhangwu"], event, {**HOUSEHOLD, "people": 5})
    with pytest.raises(Forbidden):
        record_payment(people["haizhou"], event, dict(HOUSEHOLD))
    with pytest.raises(Forbidden):
        record_payment(people["viewer"], event, dict(HOUSEHOLD))


@pytest.fixture
def stocked(people):
    from yingji.resources.models import Material, Warehouse
    from yingji.resources.stock import record_movement

    warehouse = Warehouse.objects.create(code="ZW-D1", name="彰武测试救灾库", level="county", area_m2=Decimal("500"),
                                         manager="甲", manager_phone="13900000001", division_code=ZHANGWU,
                                         lon=ZHANGWU_POINT[0], lat=ZHANGWU_POINT[1])
    quilt = Material.objects.create(code="SH-101", name="棉被", category="living", unit="床", division_code=CITY)
    record_movement(people["zhangwu"], warehouse=warehouse, material=quilt, kind="in", quantity="20", signer="甲")
    return warehouse, quilt


def test_materials_issued_to_a_household_decrease_stock(people, event, stocked):
    from yingji.disasters.services import issue_materials, record_payment
    from yingji.resources.stock import stock_of

    warehouse, quilt = stocked
    payment = record_payment(people["zhangwu"], event, dict(HOUSEHOLD))
    issues = issue_materials(people["zhangwu"], payment, warehouse=warehouse, material=quilt, quantity="3", signer="李四")
    assert stock_of(warehouse, quilt).quantity == Decimal("17")
    movement = issues[0].movement
    assert (movement.kind, movement.quantity, movement.signer) == ("out", Decimal("3.00"), "李四")
    assert f"#{event.pk}" in movement.reference
    with pytest.raises(ValidationFailed) as exc:
        issue_materials(people["zhangwu"], payment, warehouse=warehouse, material=quilt, quantity="18", signer="李四")
    assert exc.value.code == "insufficient_stock"
    assert stock_of(warehouse, quilt).quantity == Decimal("17")


def test_duty_officers_may_not_issue_materials(people, event, stocked):
    from yingji.disasters.services import issue_materials, record_payment

    warehouse, quilt = stocked
    payment = record_payment(people["zw_duty"], event, dict(HOUSEHOLD))
    with pytest.raises(Forbidden, match="无权"):
        issue_materials(people["zw_duty"], payment, warehouse=warehouse, material=quilt, quantity="1", signer="李四")
