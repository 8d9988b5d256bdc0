"""Profile files are validated configuration (docs/profiles.md): what each holds, and the clear
message a malformed one gets."""

from __future__ import annotations

import tomllib

import pytest

from yingji.profiles import DIRECTORY, ProfileError, load, names, parse

FUXIN_NATURAL = ["地震灾害", "地质灾害", "防汛抗旱", "气象灾害", "森林草原灾害", "农业灾害", "自然灾害"]


def raw(key: str) -> dict:
    return tomllib.loads((DIRECTORY / f"{key}.toml").read_text(encoding="utf-8"))


def test_the_three_profiles_load_and_fuxin_keeps_its_22_headquarters():
    assert names() == ["benxi", "fuxin", "kaiyuan"]
    fuxin = load("fuxin")
    assert (fuxin.root12, fuxin.scope_prefix, fuxin.level) == ("210900000000", "2109", "city")
    assert [hq.name for hq in fuxin.special_hqs if hq.kind == "natural"] == FUXIN_NATURAL
    assert len(fuxin.special_hqs) == 22 and all(hq.full_name.startswith("阜新市") for hq in fuxin.special_hqs)
    assert [u.short_name for u in fuxin.units][-2:] == ["阜蒙县", "彰武县"]
    assert {q["code"] for q in fuxin.drill_quotas} == {"city_large", "county", "department_large", "key_enterprise"}
    assert fuxin.training_yearly_target == 8000


def test_benxi_and_kaiyuan_trees_come_from_the_embedded_divisions():
    benxi, kaiyuan = load("benxi"), load("kaiyuan")
    assert [u.code for u in benxi.units] == ["210502", "210503", "210504", "210505", "210521", "210522"]
    assert benxi.drill_quotas == () and benxi.training_yearly_target == 0  # the gazette sets neither
    assert (kaiyuan.level, kaiyuan.scope_prefix, len(kaiyuan.units)) == ("county", "211282", 20)
    assert all(u.is_township and u.code.startswith("211282") for u in kaiyuan.units)
    assert kaiyuan.unit_of("211282102201") == kaiyuan.unit("211282102000")  # a village lies in its township
    assert kaiyuan.parent_code == "211200"


@pytest.mark.parametrize("change, message", [
    (lambda d: d.pop("root"), "缺少 root"),
    (lambda d: d.update(root="2109"), "格式不正确"),
    (lambda d: d.update(level="province"), "level 只能是"),
    (lambda d: d["map"].update(centre=[100.0, 30.0]), "不在辽宁省范围内"),
    (lambda d: d["headquarters"]["special"][0].update(code="dragons"), "不是已知的专项指挥部类别"),
    (lambda d: d["users"][2].update(region="210500"), "不在 210900 范围内"),
    (lambda d: d["users"].pop(), "缺少演示账号"),
    (lambda d: d["demo"].update(focus="210500"), "不是下级单位"),
    (lambda d: d["unit_short_names"].update({"210501": "某区"}), "不是 210900 的下级单位"),
])
def test_a_malformed_profile_is_refused_with_the_key_named(change, message):
    data = raw("fuxin")
    change(data)
    with pytest.raises(ProfileError, match=message):
        parse(data, "fuxin")


def test_an_unknown_profile_names_the_choices():
    with pytest.raises(ProfileError, match="没有名为 shenyang 的档案（可选：benxi、fuxin、kaiyuan）"):
        load("shenyang")


def test_yingji_demo_refuses_an_unknown_profile_and_a_database_of_another_profile(db, tmp_path, settings):
    from django.core.management import CommandError, call_command

    from yingji.regions.models import Organisation

    settings.DATA_DIR = tmp_path
    settings.YINGJI_PROFILE, settings.YINGJI_PROFILE_CITY = "fuxin", "210900"  # restored after the test
    with pytest.raises(CommandError, match="没有名为 shenyang 的档案"):
        call_command("demo", profile="shenyang", load_only=True)
    (tmp_path / "profile").write_text("fuxin\n", encoding="utf-8")
    Organisation.objects.create(name="阜新市应急管理局", kind="bureau", division_code="210900000000", is_synthetic=True)
    with pytest.raises(CommandError, match="已载入“fuxin”档案的演示数据"):
        call_command("demo", profile="benxi", load_only=True)
    assert (tmp_path / "profile").read_text(encoding="utf-8") == "fuxin\n"  # nothing recorded
