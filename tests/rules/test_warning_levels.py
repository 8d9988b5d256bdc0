import pytest

from yingji.rules.warning_levels import (
    LEVELS,
    cap_fields,
    headline_suffix,
    headline_suffix_en,
    level_from_cap,
    level_from_headline,
    level_info,
    parse_level,
)


@pytest.mark.parametrize(
    "level,color,grade,roman,word,severity",
    [
        (1, "红色", "一级", "Ⅰ", "特别严重", "Extreme"),
        (2, "橙色", "二级", "Ⅱ", "严重", "Severe"),
        (3, "黄色", "三级", "Ⅲ", "较重", "Moderate"),
        (4, "蓝色", "四级", "Ⅳ", "一般", "Minor"),
    ],
)
def test_level_table(level, color, grade, roman, word, severity):
    info = level_info(level)
    assert (info.color, info.grade, info.roman, info.severity_word, info.cap_severity) == (
        color, grade, roman, word, severity)
    assert headline_suffix(level) == f"[{roman}级/{word}]"
    assert level_from_cap(severity) == level
    assert level_from_cap(info.color_en) == level  # GB/T 35965.1 colour form
    assert level_from_headline(f"某某发布暴雨{color}预警") == level


def test_roman_numerals_are_the_unicode_forms_used_by_12379():
    assert [ord(info.roman) for info in LEVELS] == [0x2160, 0x2161, 0x2162, 0x2163]


def test_real_message_suffixes():
    assert headline_suffix(3) == "[Ⅲ级/较重]"
    assert headline_suffix_en(3) == "[Level III/Heavy]"
    assert level_from_headline("保定市气象台更新雷电黄色预警[Ⅲ级/较重]") == 3
    assert level_from_headline("Baoding ... lightning yellow warning [Level III/Heavy]") == 3
    assert level_from_headline("... [Level IV/General]") == 4


def test_unknown_severity_falls_back_to_headline():
    assert level_from_cap("Unknown", "阜新市发布大风蓝色预警[Ⅳ级/一般]") == 4
    assert level_from_cap(None, "无级别信息") is None
    assert level_from_cap("Unknown") is None
    assert level_from_cap(" extreme ") == 1


def test_severity_wins_over_headline():
    assert level_from_cap("Severe", "黄色预警[Ⅲ级/较重]") == 2


def test_cap_fields_use_unknown_urgency_and_certainty_like_12379():
    assert cap_fields(3) == {"severity": "Moderate", "urgency": "Unknown", "certainty": "Unknown"}


@pytest.mark.parametrize("bad", [0, 5, True, "3"])
def test_level_info_refuses_bad_levels(bad):
    with pytest.raises(ValueError, match="预警级别"):
        level_info(bad)


@pytest.mark.parametrize("spelling", [3, "3", "三级", "Ⅲ", "Ⅲ级", "III", "黄", "黄色", "Yellow", "yellow", "较重", "Moderate"])
def test_parse_level_spellings(spelling):
    assert parse_level(spelling) == 3


def test_parse_level_refuses_unknown():
    with pytest.raises(ValueError, match="无法识别"):
        parse_level("紫色")


def test_measures_articles():
    assert "第六十七条" in level_info(1).measures_article and "第六十七条" in level_info(2).measures_article
    assert level_info(3).measures_article == level_info(4).measures_article == "第六十六条"
