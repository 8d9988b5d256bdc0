"""Locations: inside the record's own division, GCJ-02/BD-09 converted to WGS-84, division codes real."""

import pytest

from tests.conftest import ZHANGWU, ZHANGWU_POINT
from yingji.core.errors import ValidationFailed
from yingji.geo.coords import wgs84_to_bd09, wgs84_to_gcj02
from yingji.regions.registries import ENTERPRISES
from yingji.rules.uscc import make_uscc


def data(**extra):
    base = {"name": "位置测试有限公司", "uscc": make_uscc("9", "1", "210922", "MA0000077"), "industry": "other",
            "scale": "small", "division_code": "210922"}
    base.update(extra)
    return base


def test_point_in_another_county_is_refused(make_user):
    user = make_user("loc1", "city_admin")
    with pytest.raises(ValidationFailed, match="不在所属区划彰武县范围内"):
        ENTERPRISES.create(user, data(lon=121.624, lat=41.961))


def test_point_outside_liaoning_is_refused(make_user):
    user = make_user("loc2", "city_admin")
    with pytest.raises(ValidationFailed, match="不在辽宁省范围内"):
        ENTERPRISES.create(user, data(lon=116.4, lat=39.9))


@pytest.mark.parametrize("system, convert", [("GCJ02", wgs84_to_gcj02), ("BD09", wgs84_to_bd09)])
def test_gcj02_and_bd09_are_converted_and_the_source_recorded(make_user, system, convert):
    user = make_user("loc3", "city_admin")
    lon, lat = convert(*ZHANGWU_POINT)
    obj = ENTERPRISES.create(user, data(lon=lon, lat=lat, coord_source=system))
    assert obj.coord_source == system
    assert abs(obj.lon - ZHANGWU_POINT[0]) < 1e-6 and abs(obj.lat - ZHANGWU_POINT[1]) < 1e-6


def test_unknown_division_code_is_refused(make_user):
    user = make_user("loc4", "city_admin")
    with pytest.raises(ValidationFailed, match="不存在"):
        ENTERPRISES.create(user, data(division_code="210999"))


def test_townships_are_valid_divisions(make_user):
    from yingji.regions.models import Division

    township = Division.objects.filter(level="township", code__startswith="210922").first()
    user = make_user("loc5", "county_admin", ZHANGWU)
    obj = ENTERPRISES.create(user, data(division_code=township.code))
    assert obj.division_code == township.code


def test_divisions_page_lists_the_county_and_its_townships(make_user):
    from django.test import Client

    client = Client()
    client.force_login(make_user("loc6", "readonly", ZHANGWU))
    page = client.get("/divisions/").content.decode()
    assert "彰武县" in page and "合成示意" in page and "海州区" not in page
    assert "彰武镇" in client.get("/divisions/?q=彰武镇").content.decode()
