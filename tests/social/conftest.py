"""Fixtures of the social mobilisation tests: bureau users, a social force built through the
registry write path (members insured or not), volunteers, villages; and a small PNG photo."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from tests.conftest import CITY, HAIZHOU, ZHANGWU, ZHANGWU_POINT

VILLAGE = "210922100201"  # a village under 彰武镇


@pytest.fixture
def people(make_user):
    return {"city": make_user("s_city", "city_admin", CITY), "zhangwu": make_user("s_zhangwu", "county_admin", ZHANGWU),
            "haizhou": make_user("s_haizhou", "county_admin", HAIZHOU), "duty": make_user("s_duty", "duty_officer", CITY),
            "officer": make_user("s_officer", "info_officer", VILLAGE), "viewer": make_user("s_viewer", "readonly", CITY),
            "enterprise": make_user("s_ent", "enterprise", ZHANGWU)}


def member_rows(count: int, insured: bool = True) -> list[dict]:
    today = dt.date.today()
    return [{"name": f"队员{i}", "phone": f"139041800{i:02d}", "skills": "水上搜救", "certificate": "水上救援资格证",
             "certificate_no": f"C{i}", "certificate_expires": today + dt.timedelta(days=300),
             "insurer": "测试保险" if insured else "", "insurance_policy": f"P{i}" if insured else "",
             "insured_until": today + dt.timedelta(days=200) if insured else None} for i in range(count)]


@pytest.fixture
def make_force(people):
    from yingji.core import records
    from yingji.rules.uscc import make_uscc
    from yingji.social.forces import derive_capability
    from yingji.social.models import ForceCapability, ForceMember, SocialForce

    def make(name="测试蓝天救援队", members=20, insured=True, capability=None, user=None, n=1):
        user = user or people["zhangwu"]
        force = records.create_record(user, SocialForce, {
            "name": name, "uscc": make_uscc("5", "2", "210922", f"MJ{n:07d}"), "specialties": "水上搜救、建筑物倒塌搜救",
            "leader": "李队长", "leader_phone": "13904180001", "duty_phone": "0418-2800001", "division_code": ZHANGWU,
            "lon": ZHANGWU_POINT[0], "lat": ZHANGWU_POINT[1]})
        if members:
            records.create_rows(user, ForceMember, member_rows(members, insured), server={"force": force})
        records.create_record(user, ForceCapability, {"force": force, **(capability or {
            "specialty": "水上搜救", "range": "local", "assemble_hours": "3", "sites": 1, "sustain_hours": 12,
            "has_support_teams": False})}, derive=derive_capability)
        return force

    return make


def png_bytes(colour=(200, 30, 30), size=(32, 24)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()
