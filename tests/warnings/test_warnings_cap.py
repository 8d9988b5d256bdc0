"""CAP export: every state a warning can publish (Alert, Update, Cancel) validates against the
OASIS CAP 1.2 XSD and follows the Chinese conventions; the CLI validates, imports, exports."""

import re

import pytest

from tests.conftest import ZHANGWU
from tests.warnings.conftest import CAP_DATA, publish, warning_data
from yingji.cap import parse_cap, validate_cap
from yingji.warnings import services
from yingji.warnings.capdoc import cap_category_for

IDENTIFIER = re.compile(r"^\d{14}_\d{14}_\d$")


def _check(xml: str, msg_type: str):
    result = validate_cap(xml.encode())
    assert result.valid, result.errors
    (alert,) = parse_cap(xml.encode())
    assert alert.msg_type == msg_type
    assert IDENTIFIER.match(alert.identifier)
    assert alert.sent.utcoffset().total_seconds() == 8 * 3600
    info = alert.info_for("zh")
    assert info.language == "zh-CN"
    return alert, info


def test_alert_update_cancel_all_validate(draft, roles):
    original = publish(draft, roles)
    alert, info = _check(original.cap_xml, "Alert")
    assert info.headline.endswith("[Ⅲ级/较重]") and info.severity == "Moderate"
    assert info.areas[0].geocodes == [("CPEAS Geographic Code", ZHANGWU)]
    assert info.category == "Met" and info.event == "暴雨"
    assert info.event_codes == [("Yingji-EventType", "natural.meteorological")]
    assert "防范山洪" in info.instruction and info.sender_name == "阜新市应急管理局"

    upgraded = publish(services.derive_warning(roles["drafter"], original, "upgrade", {"level": 1}), roles)
    update, info = _check(upgraded.cap_xml, "Update")
    assert info.headline.endswith("[Ⅰ级/特别严重]") and info.severity == "Extreme"
    assert [(r.sender, r.identifier) for r in update.references] == [(original.sender_code, original.identifier)]

    lifted = publish(services.derive_warning(roles["drafter"], upgraded, "lift"), roles)
    cancel, _ = _check(lifted.cap_xml, "Cancel")
    assert [r.identifier for r in cancel.references] == [original.identifier, upgraded.identifier]


def test_polygon_and_circle_in_cap_form(roles):
    polygon = [[122.40, 42.46], [122.46, 42.46], [122.46, 42.52]]
    data = warning_data(area_codes=[], area_polygon=polygon, circle_lon=122.43, circle_lat=42.49, circle_radius_km=3,
                        event_type="accident.hazchem", event="危险化学品泄漏", level=2, area_desc="泄漏点周边")
    warning = publish(services.create_warning(roles["drafter"], data), roles)
    _, info = _check(warning.cap_xml, "Alert")
    assert "<polygon>42.46,122.4 42.46,122.46 42.52,122.46 42.46,122.4</polygon>" in warning.cap_xml
    assert "<circle>42.49,122.43 3</circle>" in warning.cap_xml
    assert info.category == "CBRNE"
    # A drawn area still carries the geocode of the county it lies in (issue 14).
    assert info.areas[0].geocodes == [("CPEAS Geographic Code", ZHANGWU)]


def test_cap_category_mapping():
    assert cap_category_for("natural.earthquake") == "Geo"
    assert cap_category_for("public_health.infectious_disease") == "Health"
    assert cap_category_for("accident.coal_mine") == "Safety"


def test_same_second_gets_next_sequence(roles):
    from unittest import mock

    from django.utils import timezone

    fixed = timezone.now().replace(microsecond=0)
    first = services.create_warning(roles["drafter"], warning_data())
    second = services.create_warning(roles["drafter"], warning_data(event="大风"))
    with mock.patch("yingji.warnings.services.timezone.now", return_value=fixed):
        a, b = publish(first, roles), publish(second, roles)
    assert a.identifier.endswith("_0") and b.identifier.endswith("_1")
    assert a.identifier[:-1] == b.identifier[:-1]


def test_cli_export_and_validate(draft, roles, tmp_path, capsys):
    from yingji.cli import main

    warning = publish(draft, roles)
    assert main(["cap", "export", str(warning.pk)]) == 0
    exported = capsys.readouterr().out
    assert exported == warning.cap_xml
    path = tmp_path / "w.xml"
    path.write_text(exported, encoding="utf-8")
    assert main(["cap", "validate", str(path)]) == 0
    assert "有效：CAP 1.2" in capsys.readouterr().out
    assert main(["cap", "export", "999999"]) == 1
    unpublished = services.create_warning(roles["drafter"], warning_data())
    assert main(["cap", "export", str(unpublished.pk)]) == 1
    assert "尚未发布" in capsys.readouterr().err


def test_cli_validate_invalid_exits_1_with_reasons(capsys):
    from yingji.cli import main

    assert main(["cap", "validate", str(CAP_DATA / "invalid/invalid.cap")]) == 1
    assert "scope" in capsys.readouterr().err
    assert main(["cap", "validate", str(CAP_DATA / "real-feeds/cn-baoding-thunder-update.xml")]) == 0


def test_cli_validate_missing_file(capsys, tmp_path):
    from yingji.cli import main

    assert main(["cap", "validate", str(tmp_path / "missing.xml")]) == 1
    assert "无法读取" in capsys.readouterr().err
