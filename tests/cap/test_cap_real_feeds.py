"""Every file in tests/fixtures/cap behaves as its README says.

README table → our decision:
* cn-baoding + the nine valid CAP 1.2 feeds: XSD-valid → accept (ph.cap is status Test → note);
* earthquake.cap, weather.cap: CAP 1.1 → valid structurally, accept with a note;
* no_optional_fields.cap: CAP 1.1, valid, but an Alert with no info → nothing to show → reject;
* rfs.xml: EDXL-DE envelope → its CAP 1.2 alert is valid, accept with a note;
* smhi.se.alerts.cap: non-standard <alerts> wrapper → 17 valid alerts, accept with a note;
* sweden.cap: fails the XSD on element order → invalid, but readable → accept with a note;
* invalid.cap (no scope) and invalid_xmlns.cap (wrong namespace) → invalid, reject;
* no_info_tag.cap: XSD-valid, no info: a Cancel of an earlier message → accept with a note.
"""

from typing import NamedTuple

import pytest

from tests.conftest import FIXTURES
from yingji.cap import ACCEPT, ACCEPT_WITH_NOTE, REJECT, parse_cap, review_incoming, validate_cap
from yingji.cap.errors import CapParseError

CAP_DATA = FIXTURES / "cap"


class Expected(NamedTuple):
    valid: bool
    version: str | None
    container: str | None
    alerts: int  # alerts parse_cap returns (0: parse_cap raises)
    decision: str


VALID_12 = Expected(True, "1.2", "alert", 1, ACCEPT)
CAP_11 = Expected(True, "1.1", "alert", 1, ACCEPT_WITH_NOTE)

EXPECTED = {
    "real-feeds/cn-baoding-thunder-update.xml": VALID_12,
    "real-feeds/australia.cap": VALID_12,
    "real-feeds/australia_bom.cap": VALID_12,
    "real-feeds/canada.cap": VALID_12,
    "real-feeds/CanadaNaad.xml": VALID_12,
    "real-feeds/iceland_met_office.cap": VALID_12,
    "real-feeds/mexico.xml": VALID_12,
    "real-feeds/ph.cap": VALID_12._replace(decision=ACCEPT_WITH_NOTE),  # status Test
    "real-feeds/wcatwc-warning.cap": VALID_12,
    "real-feeds/earthquake-iso8859-1.cap": VALID_12,
    "real-feeds/earthquake.cap": CAP_11,
    "real-feeds/weather.cap": CAP_11,
    "real-feeds/no_optional_fields.cap": CAP_11._replace(decision=REJECT),
    "real-feeds/rfs.xml": Expected(True, "1.2", "edxl-de", 1, ACCEPT_WITH_NOTE),
    "real-feeds/smhi.se.alerts.cap": Expected(True, "1.2", "alerts-wrapper", 17, ACCEPT_WITH_NOTE),
    "real-feeds/sweden.cap": Expected(False, "1.2", "alert", 1, ACCEPT_WITH_NOTE),
    "invalid/invalid.cap": Expected(False, "1.2", "alert", 0, REJECT),
    "invalid/invalid_xmlns.cap": Expected(False, None, None, 0, REJECT),
    "invalid/no_info_tag.cap": Expected(True, "1.2", "alert", 1, ACCEPT_WITH_NOTE),
}


def _read(name: str) -> bytes:
    return (CAP_DATA / name).read_bytes()


def test_every_data_file_has_an_expectation():
    on_disk = {
        str(path.relative_to(CAP_DATA)) for path in CAP_DATA.rglob("*") if path.is_file() and path.suffix != ".md"
    }
    assert on_disk == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_validation(name):
    expected = EXPECTED[name]
    result = validate_cap(_read(name))
    assert (result.valid, result.version, result.container) == (expected.valid, expected.version, expected.container)
    assert bool(result.errors) == (not expected.valid)
    assert all("第" in error or "命名空间" in error for error in result.errors)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_parsing(name):
    expected = EXPECTED[name]
    if expected.alerts == 0:
        with pytest.raises(CapParseError, match="缺少必填元素|不是 CAP 命名空间"):
            parse_cap(_read(name))
        return
    alerts = parse_cap(_read(name))
    assert len(alerts) == expected.alerts
    for alert in alerts:
        assert alert.identifier and alert.sender
        assert alert.sent.utcoffset() is not None
        assert alert.version == expected.version


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_import_decision(name):
    expected = EXPECTED[name]
    review = review_incoming(_read(name))
    assert review.decision == expected.decision
    if review.decision == REJECT:
        assert review.reasons and not review.alerts
    else:
        assert review.alerts and not review.reasons
        assert bool(review.notes) == (review.decision == ACCEPT_WITH_NOTE)


def test_rejection_reasons_are_actionable():
    assert "缺少必填元素 <scope>" in review_incoming(_read("invalid/invalid.cap")).reasons[0]
    assert "命名空间" in review_incoming(_read("invalid/invalid_xmlns.cap")).reasons[0]
    assert "没有可展示的内容" in review_incoming(_read("real-feeds/no_optional_fields.cap")).reasons[0]


def test_notes_say_why():
    assert "CAP 1.1" in review_incoming(_read("real-feeds/weather.cap")).notes[0]
    assert "EDXL-DE" in review_incoming(_read("real-feeds/rfs.xml")).notes[0]
    assert "<alerts>" in review_incoming(_read("real-feeds/smhi.se.alerts.cap")).notes[0]
    sweden = review_incoming(_read("real-feeds/sweden.cap")).notes
    assert any("第17行" in note and "senderName" in note for note in sweden)
    no_info = review_incoming(_read("invalid/no_info_tag.cap")).notes
    assert any("没有 info 块" in note and "1017033100951096-517189320160225203219800" in note for note in no_info)


def test_baoding_message_content():
    (alert,) = parse_cap(_read("real-feeds/cn-baoding-thunder-update.xml"))
    assert alert.msg_type == "Update"
    assert alert.sent.isoformat() == "2024-07-12T21:31:38+08:00"
    assert [ref.identifier for ref in alert.references] == ["13060041600000_20240712073642"]
    assert alert.references[0].sender == "Baoding_Meteorological_Observatory"
    zh = alert.info_for("zh")
    assert zh.language == "zh-CN" and zh.event == "雷电"
    assert zh.headline.endswith("[Ⅲ级/较重]")
    assert zh.severity == "Moderate"
    assert zh.areas[0].area_desc == "新市区"
    assert zh.areas[0].geocodes == [("CPEAS Geographic Code", "130602000000")]
    assert alert.info_for("en").headline.endswith("[Level III/Heavy]")


def test_edxl_de_circle_is_lon_lat_radius():
    (alert,) = parse_cap(_read("real-feeds/rfs.xml"))
    circles = [circle for info in alert.infos for area in info.areas for circle in area.circles]
    assert (circles[0].lon, circles[0].lat, circles[0].radius_km) == (151.558, -33.1347, 0.0)


def test_circle_with_radius():
    (alert,) = parse_cap(_read("real-feeds/australia.cap"))
    circles = [circle for info in alert.infos for area in info.areas for circle in area.circles]
    assert (circles[0].lon, circles[0].lat, circles[0].radius_km) == (147.0598, -35.3888, 25.0)


def test_polygon_is_lon_lat():
    (alert,) = parse_cap(_read("real-feeds/ph.cap"))
    polygon = alert.infos[0].areas[0].polygons[0]
    assert polygon[0] == (120.0, 21.0)
    assert polygon[0] == polygon[-1] and len(polygon) == 7


def test_references_with_utc_minus_zero():
    (alert,) = parse_cap(_read("real-feeds/canada.cap"))
    assert len(alert.references) >= 1
    assert all(ref.sent.utcoffset().total_seconds() == 0 for ref in alert.references)
