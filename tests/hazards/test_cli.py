"""`yingji rules hazard-grade FILE.json`: JSON out with S, R, α, grade; unknown chemicals named."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import REPO
from yingji.cli import main


def write(tmp_path, data) -> str:
    path = tmp_path / "installation.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_grades_a_fluorine_installation(tmp_path, capsys):
    data = {"exposed_people": 35, "units": [
        {"name": "无水氟化氢储罐区", "chemicals": [{"name": "氟化氢", "quantity_t": 20}, {"cas": "7782-50-5", "quantity_t": 5}]},
        {"name": "制冷剂罐区", "chemicals": [{"name": "二氟甲烷", "category": "W2", "quantity_t": 4}]},
    ]}
    assert main(["rules", "hazard-grade", write(tmp_path, data)]) == 0
    out = json.loads(capsys.readouterr().out)
    # 氟化氢 20/1 × β5 = 100, 氯 5/5 × β4 = 4 → Σ = 104; α(35 人) = 1.2 → R = 124.8 → 一级
    assert out["alpha"] == "1.2"
    assert out["units"][0]["S"] == "21"
    assert out["R"] == "124.8" and out["grade"] == 1 and out["is_major_hazard"] is True
    hf, chlorine = out["units"][0]["chemicals"]
    assert (hf["Q"], hf["beta"]) == ("1", "5")
    assert (chlorine["Q"], chlorine["beta"], chlorine["table1_name"]) == ("5", "4", "氯")
    refrigerant = out["units"][1]
    assert refrigerant["S"] == "0.4" and refrigerant["is_major_hazard"] is False and refrigerant["grade"] is None
    assert refrigerant["chemicals"][0]["Q"] == "10" and refrigerant["chemicals"][0]["beta"] == "1.5"


def test_not_a_major_hazard_prints_null_grade(tmp_path, capsys):
    data = {"exposed_people": 0, "units": [{"name": "甲醇罐", "chemicals": [{"name": "甲醇", "quantity_t": "499.9"}]}]}
    assert main(["rules", "hazard-grade", write(tmp_path, data)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["is_major_hazard"] is False and out["grade"] is None and out["R"] is None
    assert out["S"] == "0.9998" and out["alpha"] == "0.5"


def test_unknown_chemicals_exit_non_zero_naming_them_with_suggestions(tmp_path, capsys):
    data = {"exposed_people": 5, "units": [{"name": "罐区", "chemicals": [
        {"name": "甲醉", "quantity_t": 10}, {"name": "氟化氢", "quantity_t": 1}, {"name": "液化石油汽", "quantity_t": 3}]}]}
    assert main(["rules", "hazard-grade", write(tmp_path, data)]) != 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "甲醉" in captured.err and "甲醇" in captured.err
    assert "液化石油汽" in captured.err and "液化石油气" in captured.err


def test_the_installed_command_runs_as_a_process(tmp_path):
    data = {"exposed_people": 100, "units": [{"name": "液氨罐区", "chemicals": [{"name": "液氨", "quantity_t": 50}]}]}
    done = subprocess.run([sys.executable, "-m", "yingji.cli", "rules", "hazard-grade", write(tmp_path, data)],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert (out["R"], out["grade"], out["alpha"]) == ("20", 3, "2")
    bad = write(tmp_path, {"exposed_people": 1, "units": [{"name": "x", "chemicals": [{"name": "不存在的化学品", "quantity_t": 1}]}]})
    refused = subprocess.run([sys.executable, "-m", "yingji.cli", "rules", "hazard-grade", bad], cwd=REPO,
                             capture_output=True, text=True, timeout=120)
    assert refused.returncode != 0 and "不存在的化学品" in refused.stderr


def test_malformed_input_is_refused_with_the_field(tmp_path, capsys):
    data = {"exposed_people": -3, "units": []}
    assert main(["rules", "hazard-grade", write(tmp_path, data)]) == 2
    assert "exposed_people" in capsys.readouterr().err
