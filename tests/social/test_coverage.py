"""Village coverage by grassroots disaster information officers: at least one per village or
community, an A and a B post in disaster-prone ones; villages without are listed."""

from __future__ import annotations

import pytest

from yingji.core.errors import ValidationFailed


def _village(user, code, name, prone=False):
    from yingji.core import records
    from yingji.social.models import Village

    return records.create_record(user, Village, {"name": name, "disaster_prone": prone, "division_code": code})


def _officer(user, code, roles="灾害信息员"):
    from yingji.core import records
    from yingji.resources.models import InformationOfficer

    return records.create_record(user, InformationOfficer, {"name": f"信息员{code[-3:]}{roles[:2]}", "roles": roles,
                                                            "phone": "13504180001", "division_code": code})


def test_the_coverage_rule_lists_villages_without_enough_officers(people, client):
    from yingji.geo.townships import townships_of
    from yingji.social import coverage

    user = people["zhangwu"]
    with pytest.raises(ValidationFailed, match="12 位村级区划代码"):
        _village(user, "210922100000", "不是村")
    _village(user, "210922100201", "一村")
    _village(user, "210922100202", "二村", prone=True)
    _village(user, "210922100203", "三村", prone=True)
    _village(user, "210922100204", "四村")
    haizhou_town = townships_of("210902")[0].code
    _village(people["haizhou"], haizhou_town[:9] + "001", "海州某社区")
    _officer(user, "210922100201")
    _officer(user, "210922100202", "灾害信息员、网格员")
    _officer(user, "210922100203")
    _officer(user, "210922100203", "群测群防员、灾害信息员")
    _officer(user, "210922100204", "网格员")  # not a disaster information officer
    rows = {r["village"].name: r for r in coverage.village_rows(user)}
    assert set(rows) == {"一村", "二村", "三村", "四村"}  # the other county's village is out of scope
    assert rows["一村"]["gap"] == "" and rows["三村"]["gap"] == ""
    assert rows["二村"]["gap"] == "灾害易发村（社区）须设 A、B 岗（至少 2 人），现有 1 人"
    assert rows["四村"]["gap"] == "未配备灾害信息员"
    assert rows["一村"]["accounts"] == [people["officer"]]  # the field-app account scoped to the village
    assert coverage.summary(list(rows.values())) == {"villages": 4, "covered": 2, "uncovered": 2, "none": 1}
    client.force_login(user)
    page = client.get("/social/coverage/?gaps=1").content.decode()
    assert "未配备灾害信息员" in page and "四村" in page and "一村" not in page
    assert "达标 2 个，未达标 2 个，其中无信息员 1 个" in page
