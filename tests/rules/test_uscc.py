import pytest

from yingji.rules.uscc import USCCError, make_uscc, validate_uscc


def test_known_public_code_validates():
    # 91350100M000100Y43 is the worked example printed in many GB 32100 explainers.
    assert validate_uscc("91350100M000100Y43") == "91350100M000100Y43"


def test_lowercase_is_normalised():
    assert validate_uscc("91350100m000100y43") == "91350100M000100Y43"


def test_wrong_check_character_named():
    with pytest.raises(USCCError, match="校验位错误：应为3"):
        validate_uscc("91350100M000100Y44")


@pytest.mark.parametrize("bad, reason", [("9135", "18位"), ("91350100M000100YO3", "非法字符"), ("91ABCDEFM000100Y43", "行政区划")])
def test_malformed(bad, reason):
    with pytest.raises(USCCError, match=reason):
        validate_uscc(bad)


def test_make_builds_valid_codes():
    code = make_uscc("9", "1", "210922", "MA0000001")
    assert validate_uscc(code) == code
