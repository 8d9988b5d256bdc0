"""``yingji rules accident-grade`` prints the grade as JSON; bad input exits non-zero in Chinese."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import REPO


def run(*args):
    return subprocess.run([sys.executable, "-m", "yingji.cli", "rules", "accident-grade", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=60)


def test_accident_grade_prints_the_required_json():
    result = run("--deaths", "3", "--serious-injuries", "0", "--direct-loss-yuan", "0")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"grade", "level", "reasons"}
    assert (data["grade"], data["level"]) == ("较大事故", 3)
    assert any("死亡3人" in r for r in data["reasons"])


def test_most_severe_criterion_and_money_boundary():
    data = json.loads(run("--deaths", "0", "--serious-injuries", "9", "--direct-loss-yuan", "100000000").stdout)
    assert (data["grade"], data["level"]) == ("特别重大事故", 1)
    data = json.loads(run("--deaths", "2", "--serious-injuries", "9", "--direct-loss-yuan", "9999999.99").stdout)
    assert (data["grade"], data["level"]) == ("一般事故", 4)


def test_negative_input_is_refused_in_chinese():
    result = run("--deaths", "-1", "--serious-injuries", "0", "--direct-loss-yuan", "0")
    assert result.returncode == 2
    assert "不能为负数" in result.stderr and result.stdout == ""
