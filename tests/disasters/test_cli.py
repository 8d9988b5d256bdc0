"""``yingji relief level``: one JSON object, through the console script and call_command."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.conftest import CITY, REPO

YINGJI = Path(sys.executable).parent / "yingji"


def run(*args):
    return subprocess.run([str(YINGJI), "relief", "level", *args], cwd=REPO, capture_output=True, text=True, timeout=120)


def test_console_script_prints_one_json_object():
    result = run("--dead-missing", "200", "--relocated-or-needing-aid", "0", "--collapsed-severe-rooms", "0",
                 "--collapsed-severe-households", "0", "--drought-aid-people", "0", "--agricultural-population", "0")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["level"], data["label"]) == (1, "一级")
    assert data["conditions"][0]["code"] == "dead_missing" and data["conditions"][0]["threshold"] == 200


def test_console_script_defaults_and_null_level():
    result = run()
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"level": None, "label": None, "conditions": [], "table": "national-2024"}


def test_console_script_drought_share_and_explicit_table():
    data = json.loads(run("--drought-aid-people", "249", "--agricultural-population", "1000",
                          "--table", "national-2024").stdout)
    assert (data["level"], data["conditions"][0]["code"], data["conditions"][0]["figure"]) == (3, "drought_aid_share", "24.90")


def test_console_script_refuses_bad_input_in_chinese():
    result = run("--collapsed-severe-rooms", "-5")
    assert result.returncode == 2 and "不能为负数" in result.stderr and result.stdout == ""


def relief(*args):
    out = io.StringIO()
    call_command("relief", "level", *args, stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.parametrize("flag, value, level", [
    ("--collapsed-severe-rooms", "10000", 4), ("--collapsed-severe-rooms", "9999", None),
    ("--relocated-or-needing-aid", "1000000", 2), ("--relocated-or-needing-aid", "999999", 3),
])
def test_call_command(flag, value, level):
    assert relief(flag, value)["level"] == level


def test_call_command_with_a_local_table(db, make_user):
    from yingji.core.records import create_record
    from yingji.disasters.models import ReliefTableConfig

    create_record(make_user("tbl_admin", "city_admin", CITY), ReliefTableConfig, {
        "code": "fuxin-cli", "name": "测试分级表", "document": "测试〔2099〕1号", "division_code": CITY,
        "thresholds": {"4": {"dead_missing": 1}}})
    assert relief("--dead-missing", "1", "--table", "fuxin-cli")["level"] == 4
    with pytest.raises(CommandError, match="不存在"):
        relief("--table", "unknown-table")
