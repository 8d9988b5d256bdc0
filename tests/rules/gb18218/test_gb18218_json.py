"""grade_from_json: the CLI/API contract."""

import json
import re

import pytest

from yingji.rules.gb18218 import (
    GradingSettings,
    InputError,
    SharedKeyPolicy,
    UnknownChemicalError,
    grade_from_json,
)


def installation(*chemicals, people=60, name="罐区"):
    return {"units": [{"name": name, "chemicals": list(chemicals)}], "exposed_people": people}


def test_worked_example_as_json():
    data = {
        "units": [
            {"name": "罐区", "chemicals": [
                {"name": "液氨", "quantity_t": 20},
                {"cas": "67-56-1", "quantity_t": "1000"},
                {"name": "液化石油气", "quantity_t": 100.0},
            ]},
            {"name": "仓库", "chemicals": [{"category": "W9.2", "quantity_t": 50}]},
        ],
        "exposed_people": 60,
    }
    out = grade_from_json(data)
    json.dumps(out)  # serialisable as is
    assert (out["S"], out["is_major_hazard"], out["R"], out["alpha"]) == ("6", True, "13.5", "1.5")
    assert (out["grade"], out["grade_name"], out["governing_unit"]) == (3, "三级", "罐区")
    tank, store = out["units"]
    assert [(c["name"], c["Q"], c["beta"], c["q_over_Q"]) for c in tank["chemicals"]] == [
        ("液氨", "10", "2", "2"), ("甲醇", "500", "1", "2"), ("液化石油气", "50", "1.5", "2")]
    assert tank["chemicals"][1]["table1_row"] == 65 and tank["chemicals"][1]["cas"] == ["67-56-1"]
    assert tank["chemicals"][0]["table1_name"] == "氨"
    assert (store["S"], store["is_major_hazard"], store["R"], store["grade"]) == ("0.25", False, "0.375", None)
    assert store["chemicals"][0]["Q_source"] == "表2 W9.2"
    assert out["settings"]["beta_choice"] == "maximum"


def test_all_decimal_figures_are_strings():
    out = grade_from_json(installation({"name": "光气", "quantity_t": "0.1"}, people=0))
    unit = out["units"][0]
    chemical = unit["chemicals"][0]
    for value in (out["S"], out["alpha"], unit["S"], unit["R"], unit["alpha"],
                  chemical["Q"], chemical["beta"], chemical["quantity_t"], chemical["q_over_Q"]):
        assert isinstance(value, str)
    assert unit["S"] == "0.333333"
    assert unit["R"] == "3.333333"  # 0.5 · 20 · 1/3, truncated
    assert out["R"] is None and out["grade"] is None  # no major hazard unit


def test_boundary_values_render_exactly():
    out = grade_from_json(installation({"name": "氯", "quantity_t": 250}, people=0))
    assert (out["R"], out["grade"], out["grade_name"]) == ("100", 1, "一级")


def test_unknown_chemicals_are_all_listed_with_suggestions():
    data = {
        "units": [
            {"name": "A", "chemicals": [{"name": "甲笨", "quantity_t": 1}, {"name": "甲醇", "quantity_t": 1}]},
            {"name": "B", "chemicals": [{"cas": "67-56-2", "quantity_t": 1}, {"name": "硝酸铵", "quantity_t": 1}]},
        ],
        "exposed_people": 5,
    }
    with pytest.raises(UnknownChemicalError, match=r"GB 18218-2018 表1 中未能确定以下危险化学品：“甲笨”") as raised:
        grade_from_json(data)
    error = raised.value
    assert error.names == ("甲笨", "67-56-2", "硝酸铵")
    assert "甲苯" in error.suggestions["甲笨"]
    assert error.suggestions["67-56-2"][0] == "甲醇"
    message = str(error)
    assert all(name in message for name in ("甲笨", "67-56-2", "硝酸铵", "第43项"))


def test_shared_key_policy_from_settings():
    out = grade_from_json(installation({"name": "硝酸铵", "quantity_t": 5}),
                          GradingSettings(shared_key_policy=SharedKeyPolicy.LOWEST_Q))
    chemical = out["units"][0]["chemicals"][0]
    assert (chemical["table1_row"], chemical["Q"]) == (43, "5")
    assert any("临界量最小" in w for w in chemical["warnings"])
    assert out["settings"]["shared_key_policy"] == "lowest_q"


def test_category_entries():
    out = grade_from_json(installation(
        {"category": "J4", "quantity_t": 25},
        {"name": "某混合溶剂", "categories": ["W5.4", "W5.1"], "quantity_t": 5},
        {"category": "易燃气体", "quantity_t": 5},
    ))
    j4, solvent, gas = out["units"][0]["chemicals"]
    assert (j4["Q"], j4["beta"], j4["q_over_Q"], j4["table1_row"]) == ("50", "2", "0.5", None)
    assert (solvent["Q"], solvent["Q_source"], solvent["beta"]) == ("10", "表2 W5.1", "1.5")
    assert (gas["Q"], gas["beta_category"]) == ("10", "W2")
    assert out["units"][0]["S"] == "1.5"


def test_unknown_name_with_category_falls_back_to_table2_with_a_warning():
    out = grade_from_json(installation({"name": "甲笨", "category": "W5.3", "quantity_t": 100}))
    chemical = out["units"][0]["chemicals"][0]
    assert (chemical["Q"], chemical["table1_row"]) == ("1000", None)
    assert "甲苯" in chemical["warnings"][0]


def test_table1_name_with_category_keeps_table1_q_and_uses_category_beta():
    out = grade_from_json(installation({"name": "甲醇", "category": "W5.1", "quantity_t": 500}))
    chemical = out["units"][0]["chemicals"][0]
    assert (chemical["Q"], chemical["beta"], chemical["beta_category"]) == ("500", "1.5", "W5.1")


def test_name_and_cas_must_agree():
    assert grade_from_json(installation({"name": "氯", "cas": "7782-50-5", "quantity_t": 5}))["is_major_hazard"]
    with pytest.raises(InputError, match=r"units\[0\]\.chemicals\[0\]：名称“氯”（表1第12项）与CAS号“67-56-1”不一致") as raised:
        grade_from_json(installation({"name": "氯", "cas": "67-56-1", "quantity_t": 5}))
    assert "不一致" in str(raised.value)
    assert raised.value.path == "units[0].chemicals[0]"


def test_shared_cas_with_specified_name():
    out = grade_from_json(installation({"name": "硝化纤维素（含水≥25%）", "cas": "9004-70-0", "quantity_t": 50}))
    assert out["units"][0]["chemicals"][0]["table1_row"] == 41


def test_unknown_name_with_known_cas_uses_the_cas():
    out = grade_from_json(installation({"name": "工业甲醇", "cas": "67-56-1", "quantity_t": 50}))
    chemical = out["units"][0]["chemicals"][0]
    assert chemical["table1_row"] == 65
    assert "按CAS号" in chemical["warnings"][0]


@pytest.mark.parametrize(
    "data, path, message",
    [
        ({"units": [], "exposed_people": 1}, "units", "应为非空列表"),
        ({"units": [{"name": "A", "chemicals": []}]}, "", "缺少字段 exposed_people"),
        ({"units": [{"name": "A", "chemicals": []}], "exposed_people": -3}, "exposed_people", "暴露人数“-3”必须是非负整数"),
        ({"units": [{"name": "A", "chemicals": []}], "exposed_people": 1, "extra": 1}, "", "不认识的字段 extra"),
        (installation({"name": "甲醇"}), "units[0].chemicals[0]", "缺少字段 quantity_t"),
        (installation({"name": "甲醇", "quantity_t": "-1"}), "units[0].chemicals[0].quantity_t",
         "数量“-1”必须是非负有限数"),
        (installation({"name": "甲醇", "quantity": 1}), "units[0].chemicals[0]", "不认识的字段 quantity"),
        (installation({"category": "W5", "quantity_t": 1}), "units[0].chemicals[0].category",
         "GB 18218-2018 表2 中没有类别“W5”"),
        (installation({"quantity_t": 1}), "units[0].chemicals[0]", "需填写 name、cas 或 category 之一"),
        ({"units": [{"name": "A", "chemicals": []}, {"name": "A", "chemicals": []}], "exposed_people": 1}, "units",
         "单元名称不能重复"),
    ],
)
def test_malformed_input_names_the_field(data, path, message):
    with pytest.raises(InputError, match=re.escape(f"{path}：{message}" if path else message)) as raised:
        grade_from_json(data)
    assert raised.value.path == path
