import pytest

from yingji.rules.sms import GSM7, UCS2, sms_encoding, sms_length, sms_segment_count, sms_segments

EMOJI = "\U0001F300"  # outside the BMP: a surrogate pair in UCS-2/UTF-16


@pytest.mark.parametrize(
    "length,count", [(1, 1), (70, 1), (71, 2), (134, 2), (135, 3), (201, 3), (202, 4)]
)
def test_chinese_boundaries(length, count):
    text = "警" * length
    assert sms_encoding(text) == UCS2
    segments = sms_segments(text)
    assert len(segments) == sms_segment_count(text) == count
    assert "".join(segments) == text
    if count > 1:
        assert all(len(segment) <= 67 for segment in segments)
        assert len(segments[0]) == 67


@pytest.mark.parametrize("length,count", [(160, 1), (161, 2), (306, 2), (307, 3)])
def test_gsm7_boundaries(length, count):
    text = "a" * length
    assert sms_encoding(text) == GSM7
    segments = sms_segments(text)
    assert len(segments) == count
    if count > 1:
        assert len(segments[0]) == 153


def test_one_chinese_character_forces_ucs2():
    text = "a" * 100 + "雨"
    assert sms_encoding(text) == UCS2
    assert sms_segment_count(text) == 2


def test_emoji_counts_as_two_units():
    assert sms_length(EMOJI) == 2
    assert sms_segment_count("警" * 68 + EMOJI) == 1  # 70 units
    assert sms_segment_count("警" * 69 + EMOJI) == 2  # 71 units


def test_surrogate_pair_is_never_split():
    text = "警" * 66 + EMOJI + "警" * 10  # the emoji would occupy units 67-68
    segments = sms_segments(text)
    assert segments[0] == "警" * 66
    assert segments[1].startswith(EMOJI)
    assert "".join(segments) == text
    for segment in segments:
        assert len(segment.encode("utf-16-le")) // 2 <= 67


def test_gsm7_extension_characters_count_double_and_stay_whole():
    assert sms_length("{}") == 4
    assert sms_segment_count("a" * 158 + "[") == 1  # 160 septets
    assert sms_segment_count("a" * 159 + "[") == 2  # 161 septets
    segments = sms_segments("a" * 152 + "~" + "b" * 10)
    assert segments[0] == "a" * 152 and segments[1].startswith("~")


def test_non_gsm_ascii_and_latin_letters_fall_back_to_ucs2():
    assert sms_encoding("price `quoted`") == UCS2
    assert sms_encoding("café") == UCS2


def test_empty_text_has_no_segments():
    assert sms_segments("") == [] and sms_segment_count("") == 0


def test_realistic_warning_with_signature():
    text = "【阜新市应急管理局】阜新市气象台发布暴雨黄色预警[Ⅲ级/较重]：预计未来12小时内细河区降雨量将达50毫米以上，请注意防范。"
    assert sms_length(text) == 62 and sms_segment_count(text) == 1
    longer = text + "1.政府及相关部门按照职责做好防暴雨工作；2.切断低洼地带有危险的室外电源。"  # +38 → 100
    assert sms_length(longer) == 100
    assert [len(segment) for segment in sms_segments(longer)] == [67, 33]
