import pytest

from yingji.geo import divcodes


@pytest.mark.parametrize(
    "code, level, prefix",
    [
        ("210000", "province", "21"),
        ("210900", "city", "2109"),
        ("210922", "county", "210922"),
        ("210922100", "township", "210922100"),
        ("210922100201", "village", "210922100201"),
    ],
)
def test_levels_and_prefixes(code, level, prefix):
    assert divcodes.level_of(code) == level
    assert divcodes.scope_prefix(code) == prefix


def test_within_and_parent():
    assert divcodes.is_within("210922100000", "210922")
    assert not divcodes.is_within("210921100000", "210922")
    assert divcodes.is_within("210922", "210900")
    assert divcodes.parent_code("210922") == "210900000000"
    assert divcodes.parent_code("210900") == "210000000000"
    assert divcodes.parent_code("210000") is None


@pytest.mark.parametrize("bad", ["", "2109", "21092a", "2109221", "abcdefabcdef"])
def test_bad_codes_rejected_with_chinese_message(bad):
    with pytest.raises(divcodes.DivisionCodeError, match="行政区划代码"):
        divcodes.normalise(bad)
