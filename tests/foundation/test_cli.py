"""The `yingji` console command."""

import json

import pytest

from yingji import cli
from yingji.core import checks


def test_createuser_accepts_chinese_role_names_and_token_authenticates(db, capsys):
    from django.test import Client

    assert cli.main(["createuser", "wang", "--role", "值班员", "--region", "210922", "--password", "Duty-room-2026"]) == 0
    assert "值班员" in capsys.readouterr().out
    assert cli.main(["token", "wang"]) == 0
    token = capsys.readouterr().out.strip()
    me = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/me").json()
    assert me["role"] == "duty_officer" and me["region_code"] == "210922000000"


def test_createuser_reports_bad_input(db, capsys):
    assert cli.main(["createuser", "li", "--role", "队长", "--region", "210922", "--password", "Duty-room-2026"]) == 2
    assert "未知角色" in capsys.readouterr().err
    assert cli.main(["createuser", "li", "--role", "只读", "--region", "2109xx", "--password", "Duty-room-2026"]) == 2
    assert "行政区划代码" in capsys.readouterr().err


def test_token_for_unknown_user(db, capsys):
    assert cli.main(["token", "nobody"]) == 2
    assert "不存在" in capsys.readouterr().err


def test_check_passes_on_a_healthy_installation(db, make_user, capsys):
    make_user("admin", "sysadmin")
    assert cli.main(["check"]) == 0
    assert "检查通过" in capsys.readouterr().out


def test_check_fails_listing_missing_assets(db, monkeypatch, capsys):
    monkeypatch.setattr(checks, "REQUIRED_ASSETS", checks.REQUIRED_ASSETS + ["vendor/leaflet/missing.js"])
    assert cli.main(["check"]) == 1
    assert "vendor/leaflet/missing.js" in capsys.readouterr().out


def test_check_detects_references_to_other_hosts():
    html = '<script src="https://cdn.example.com/x.js"></script><link href="/static/a.css"><img src="//tiles.example.org/1.png">'
    assert checks.external_references(html) == {"cdn.example.com", "tiles.example.org"}
    css = "body{background:url('https://fonts.example.net/a.woff')} @import url(//x.example.com/b.css);"
    assert checks.external_references(css, css=True) == {"fonts.example.net", "x.example.com"}
    assert checks.external_references('<a href="/map/">本地</a>') == set()


def test_rules_accident_grade_prints_json(capsys):
    assert cli.main(["rules", "accident-grade", "--deaths", "3", "--serious-injuries", "0", "--direct-loss-yuan", "0"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["grade"] == "较大事故" and out["level"] == 3 and out["reasons"]
