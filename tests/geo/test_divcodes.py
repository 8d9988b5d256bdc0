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


def test_within_index_agrees_with_is_within():
    """The index finds exactly the scopes ``is_within`` accepts, 6-, 9- and 12-digit forms mixed."""
    import random

    rng = random.Random(5)
    codes = set()
    for _ in range(400):
        city = f"21{rng.randrange(1, 15):02d}"
        county = f"{city}{rng.randrange(1, 8):02d}"
        codes |= {city + "00", f"{city}00000000", county, f"{county}000000", f"{county}{rng.randrange(1, 20):03d}",
                  f"{county}{rng.randrange(0, 20):03d}{rng.randrange(1, 300):03d}"}
    scopes = sorted(rng.sample(sorted(codes), 150)) + ["210000000000"]
    index = divcodes.WithinIndex(scopes)
    for code in sorted(codes):
        assert sorted(index.containing(code)) == sorted(s for s in scopes if divcodes.is_within(code, s)), code
    assert divcodes.WithinIndex(["210922000000", "210900000000", "210902000000"]).containing("210922100200") == [
        "210900000000", "210922000000"]
    # ancestors() lists, in 12-digit form, exactly the codes a code is within
    normal = {divcodes.normalise(c) for c in codes} | {"210000000000"}
    for code in sorted(codes):
        found = divcodes.ancestors(code)
        assert all(divcodes.is_within(code, a) for a in found) and found == sorted(found), code
        assert sorted(set(found) & normal) == sorted(s for s in normal if divcodes.is_within(code, s)), code
    assert divcodes.ancestors("210922") == ["210000000000", "210900000000", "210922000000"]


@pytest.mark.parametrize("bad", ["", "2109", "21092a", "2109221", "abcdefabcdef"])
def test_bad_codes_rejected_with_chinese_message(bad):
    with pytest.raises(divcodes.DivisionCodeError, match="行政区划代码"):
        divcodes.normalise(bad)
