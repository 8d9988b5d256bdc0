"""Fixtures for the resources app: administrators of the city and two counties, warehouses and
materials in 彰武县 and 海州区."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.conftest import CITY, HAIZHOU, HAIZHOU_POINT, ZHANGWU, ZHANGWU_POINT


@pytest.fixture
def city_admin(make_user):
    return make_user("city_admin", "city_admin", CITY)


@pytest.fixture
def zhangwu_admin(make_user):
    return make_user("zw_admin", "county_admin", ZHANGWU)


@pytest.fixture
def haizhou_admin(make_user):
    return make_user("hz_admin", "county_admin", HAIZHOU)


@pytest.fixture
def warehouses(db):
    from yingji.resources.models import Warehouse

    zw = Warehouse.objects.create(code="ZW-01", name="彰武测试储备库", level="county", area_m2=Decimal("800"), manager="甲",
                                  manager_phone="13900000001", division_code=ZHANGWU, lon=ZHANGWU_POINT[0], lat=ZHANGWU_POINT[1])
    zw2 = Warehouse.objects.create(code="ZW-02", name="彰武测试二号库", level="township", area_m2=Decimal("200"), manager="乙",
                                   manager_phone="13900000002", division_code=ZHANGWU, lon=ZHANGWU_POINT[0] + 0.01, lat=ZHANGWU_POINT[1])
    hz = Warehouse.objects.create(code="HZ-01", name="海州测试储备库", level="county", area_m2=Decimal("900"), manager="丙",
                                  manager_phone="13900000003", division_code=HAIZHOU, lon=HAIZHOU_POINT[0], lat=HAIZHOU_POINT[1])
    return zw, zw2, hz


@pytest.fixture
def materials(db):
    from yingji.resources.models import Material

    tent = Material.objects.create(code="ZP-001", name="单帐篷", category="shelter", unit="顶", min_stock=Decimal("50"), division_code=CITY)
    water = Material.objects.create(code="SH-006", name="饮用水", category="living", unit="箱", min_stock=Decimal("10"),
                                    shelf_life_days=540, division_code=CITY)
    return tent, water
