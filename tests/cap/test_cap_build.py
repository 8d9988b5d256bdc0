"""build_cap: Chinese CAP 1.2 messages (Alert, Update, Cancel) that pass validate_cap."""

import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from lxml import etree

from tests.conftest import FIXTURES
from yingji.cap import (
    EnglishText,
    InvalidWarningError,
    WarningArea,
    WarningMessage,
    build_cap,
    dedup_key,
    parse_cap,
    reference_to,
    validate_cap,
)
from yingji.cap.model import CapReference

BEIJING = timezone(timedelta(hours=8))
NS = {"cap": "urn:oasis:names:tc:emergency:cap:1.2"}
BAODING = FIXTURES / "cap" / "real-feeds" / "cn-baoding-thunder-update.xml"
IDENTIFIER = re.compile(r"^\d{14}_\d{14}_\d$")


def fuxin_rainstorm(**changes) -> WarningMessage:
    warning = WarningMessage(
        sender_code="21090041600000",
        sender_name="阜新市气象台",
        category="Met",
        event="暴雨",
        level=3,
        sent=datetime(2025, 7, 1, 8, 30, 5, tzinfo=BEIJING),
        effective=datetime(2025, 7, 1, 8, 30, 5, tzinfo=BEIJING),
        onset=datetime(2025, 7, 1, 9, 0, tzinfo=BEIJING),
        expires=datetime(2025, 7, 2, 8, 30, tzinfo=BEIJING),
        areas=[
            WarningArea(
                desc="细河区",
                division_codes=["210911"],
                polygons=[[(121.6, 42.0), (121.7, 42.1), (121.8, 42.0)]],
                circles=[(121.66, 42.02, 5.5)],
            ),
            WarningArea(desc="彰武县大四家子镇", division_codes=["210922100"]),
        ],
        description="预计未来12小时内细河区降雨量将达50毫米以上。",
        instruction="1.政府及相关部门按照职责做好防暴雨工作；2.切断低洼地带有危险的室外电源。",
    )
    return replace(warning, **changes)


def _tree(xml: bytes):
    return etree.fromstring(xml)


def _texts(xml: bytes, path: str) -> list[str]:
    return [element.text for element in _tree(xml).findall(path, NS)]


def _assert_valid(xml: bytes):
    result = validate_cap(xml)
    assert result.valid, result.errors
    assert result.version == "1.2"


def test_alert_follows_the_chinese_conventions():
    xml = build_cap(fuxin_rainstorm())
    _assert_valid(xml)
    assert xml.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<alert')
    assert _texts(xml, "cap:identifier") == ["21090041600000_20250701083005_0"]
    assert _texts(xml, "cap:sender") == ["21090041600000"]
    assert _texts(xml, "cap:sent") == ["2025-07-01T08:30:05+08:00"]
    assert _texts(xml, "cap:msgType") == ["Alert"]
    assert _texts(xml, "cap:references") == []
    assert _texts(xml, "cap:info/cap:language") == ["zh-CN"]
    assert _texts(xml, "cap:info/cap:severity") == ["Moderate"]
    assert _texts(xml, "cap:info/cap:headline") == ["阜新市气象台发布暴雨黄色预警[Ⅲ级/较重]"]
    assert _texts(xml, "cap:info/cap:onset") == ["2025-07-01T09:00:00+08:00"]
    assert _texts(xml, "cap:info/cap:area/cap:geocode/cap:valueName") == ["CPEAS Geographic Code"] * 2
    assert _texts(xml, "cap:info/cap:area/cap:geocode/cap:value") == ["210911000000", "210922100000"]
    assert _texts(xml, "cap:info/cap:area/cap:polygon") == ["42,121.6 42.1,121.7 42,121.8 42,121.6"]
    assert _texts(xml, "cap:info/cap:area/cap:circle") == ["42.02,121.66 5.5"]


def test_built_alert_reads_back():
    (alert,) = parse_cap(build_cap(fuxin_rainstorm()))
    assert IDENTIFIER.match(alert.identifier)
    assert alert.sent == datetime(2025, 7, 1, 0, 30, 5, tzinfo=timezone.utc)
    area = alert.infos[0].areas[0]
    assert area.polygons == [[(121.6, 42.0), (121.7, 42.1), (121.8, 42.0), (121.6, 42.0)]]
    assert area.circles == [(121.66, 42.02, 5.5)]
    assert alert.infos[0].expires.utcoffset() == timedelta(hours=8)


def test_times_are_converted_to_beijing():
    utc_sent = datetime(2025, 7, 1, 0, 30, 5, tzinfo=timezone.utc)
    xml = build_cap(fuxin_rainstorm(sent=utc_sent, effective=utc_sent))
    assert _texts(xml, "cap:sent") == ["2025-07-01T08:30:05+08:00"]
    assert _texts(xml, "cap:identifier") == ["21090041600000_20250701083005_0"]


def test_update_references_the_original():
    original = parse_cap(build_cap(fuxin_rainstorm()))[0]
    update = fuxin_rainstorm(
        msg_type="Update",
        level=2,
        seq=1,
        sent=datetime(2025, 7, 1, 11, 0, tzinfo=BEIJING),
        effective=datetime(2025, 7, 1, 11, 0, tzinfo=BEIJING),
        references=[reference_to(original)],
    )
    xml = build_cap(update)
    _assert_valid(xml)
    assert _texts(xml, "cap:references") == [
        "21090041600000,21090041600000_20250701083005_0,2025-07-01T08:30:05+08:00"
    ]
    assert _texts(xml, "cap:identifier") == ["21090041600000_20250701110000_1"]
    assert _texts(xml, "cap:info/cap:headline") == ["阜新市气象台更新暴雨橙色预警[Ⅱ级/严重]"]
    assert _texts(xml, "cap:info/cap:severity") == ["Severe"]
    (parsed,) = parse_cap(xml)
    assert dedup_key(parsed.references[0]) == dedup_key(original)


def test_cancel_references_several_messages_separated_by_spaces():
    refs = [
        CapReference("21090041600000", "21090041600000_20250701083005_0", datetime(2025, 7, 1, 8, 30, 5, tzinfo=BEIJING)),
        CapReference("21090041600000", "21090041600000_20250701110000_1", datetime(2025, 7, 1, 11, 0, tzinfo=BEIJING)),
    ]
    cancel = fuxin_rainstorm(
        msg_type="Cancel",
        sent=datetime(2025, 7, 1, 20, 0, tzinfo=BEIJING),
        effective=datetime(2025, 7, 1, 20, 0, tzinfo=BEIJING),
        onset=None,
        description="阜新市气象台解除暴雨黄色预警。",
        instruction="",
        references=refs,
    )
    xml = build_cap(cancel)
    _assert_valid(xml)
    assert _texts(xml, "cap:references") == [
        "21090041600000,21090041600000_20250701083005_0,2025-07-01T08:30:05+08:00 "
        "21090041600000,21090041600000_20250701110000_1,2025-07-01T11:00:00+08:00"
    ]
    assert _texts(xml, "cap:msgType") == ["Cancel"]
    assert _texts(xml, "cap:info/cap:headline") == ["阜新市气象台解除暴雨黄色预警[Ⅲ级/较重]"]
    assert _texts(xml, "cap:info/cap:instruction") == []
    assert _texts(xml, "cap:info/cap:onset") == []


def test_english_block_is_optional_and_second():
    english = EnglishText(event="rainstorm", sender_name="Fuxin Meteorological Observatory",
                          description="Heavy rain expected.", area_descs=["Xihe District", "Dasijiazi Town"])
    xml = build_cap(fuxin_rainstorm(english=english))
    _assert_valid(xml)
    assert _texts(xml, "cap:info/cap:language") == ["zh-CN", "en-US"]
    assert _texts(xml, "cap:info/cap:headline")[1] == (
        "Fuxin Meteorological Observatory issues rainstorm yellow warning [Level III/Heavy]"
    )
    assert _texts(xml, "cap:info/cap:description")[1] == "Heavy rain expected."
    assert _texts(xml, "cap:info[2]/cap:area/cap:areaDesc") == ["Xihe District", "Dasijiazi Town"]
    assert len(_texts(xml, "cap:info/cap:instruction")) == 1


def test_given_headline_gets_the_level_suffix_once():
    xml = build_cap(fuxin_rainstorm(headline="阜新市暴雨预警"))
    assert _texts(xml, "cap:info/cap:headline") == ["阜新市暴雨预警[Ⅲ级/较重]"]
    xml = build_cap(fuxin_rainstorm(headline="阜新市暴雨预警[Ⅲ级/较重]"))
    assert _texts(xml, "cap:info/cap:headline") == ["阜新市暴雨预警[Ⅲ级/较重]"]


@pytest.mark.parametrize("level,severity", [(1, "Extreme"), (2, "Severe"), (3, "Moderate"), (4, "Minor")])
def test_every_level_validates(level, severity):
    xml = build_cap(fuxin_rainstorm(level=level))
    _assert_valid(xml)
    assert _texts(xml, "cap:info/cap:severity") == [severity]


def test_same_shape_as_the_real_12379_message():
    real = parse_cap(BAODING.read_bytes())[0].info_for("zh")
    built = parse_cap(build_cap(fuxin_rainstorm(event="雷电", level=3)))[0].info_for("zh")
    suffix = re.compile(r"\[.级/.+\]$")
    assert suffix.search(real.headline).group() == suffix.search(built.headline).group()
    assert (built.language, built.severity, built.urgency, built.certainty) == (
        real.language, real.severity, real.urgency, real.certainty)
    assert built.areas[0].geocodes[0][0] == real.areas[0].geocodes[0][0]
    assert len(built.areas[0].geocodes[0][1]) == len(real.areas[0].geocodes[0][1]) == 12
    real_tags = [etree.QName(e).localname for e in etree.fromstring(BAODING.read_bytes()).find("cap:info", NS)]
    one_area = fuxin_rainstorm(areas=fuxin_rainstorm().areas[:1])
    built_tags = [etree.QName(e).localname for e in etree.fromstring(build_cap(one_area)).find("cap:info", NS)]
    assert built_tags == real_tags  # same elements, same order


@pytest.mark.parametrize(
    "changes,fragment",
    [
        ({"msg_type": "Update"}, "references"),
        ({"references": [CapReference("a", "b", datetime(2025, 1, 1, tzinfo=BEIJING))]}, "Alert"),
        ({"sent": datetime(2025, 7, 1, 8, 30)}, "时区"),
        ({"expires": datetime(2025, 7, 1, 8, 0, tzinfo=BEIJING)}, "失效时间必须晚于生效时间"),
        ({"level": 5}, "预警级别"),
        ({"sender_code": "210900416"}, "发布单位代码"),
        ({"category": "Weather"}, "category"),
        ({"areas": []}, "影响范围"),
        ({"areas": [WarningArea(desc="空")]}, "至少需要"),
        ({"areas": [WarningArea(desc="x", division_codes=["2109"])]}, "行政区划代码"),
        ({"areas": [WarningArea(desc="x", polygons=[[(121, 42), (122, 42)]])]}, "多边形"),
        ({"areas": [WarningArea(desc="x", circles=[(200, 42, 1)])]}, "坐标超出范围"),
        ({"instruction": " "}, "措施"),
        ({"seq": 10}, "顺序号"),
        ({"scope": "Restricted"}, "restriction"),
    ],
)
def test_invalid_warnings_are_refused_with_reasons(changes, fragment):
    with pytest.raises(InvalidWarningError, match=re.escape(fragment)) as caught:
        build_cap(fuxin_rainstorm(**changes))
    assert any(fragment in problem for problem in caught.value.problems), caught.value.problems
