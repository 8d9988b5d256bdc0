"""Township codes (real, NBS 2023) and SYNTHETIC township polygons.

Provenance of the expected values:
* per-city row counts: docs/rules.md §11; the 开原市 list: NBS 2023 streets.csv, typed below;
* 阜蒙县 35 / 彰武县 24 / 清河门区 2 乡镇 and the towns 水泉镇、四合镇、长营子镇:
  《阜新市“十四五”应急体系规划》(阜政办发〔2022〕9号), see yingji/geo/data/README.md.
"""

import hashlib
import itertools
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import shapely
from shapely.geometry import shape

from yingji.geo import boundaries, coords, townships

REPO_ROOT = Path(__file__).resolve().parents[2]

KAIYUAN_RULES_CN = {
    "211282001": "新城街道",
    "211282002": "老城街道",
    "211282003": "开原街道",
    "211282102": "威远堡镇",
    "211282103": "庆云堡镇",
    "211282104": "中固镇",
    "211282105": "八棵树镇",
    "211282106": "金沟子镇",
    "211282107": "八宝镇",
    "211282108": "业民镇",
    "211282109": "莲花镇",
    "211282110": "靠山镇",
    "211282111": "马家寨镇",
    "211282112": "下肥镇",
    "211282113": "松山镇",
    "211282114": "城东镇",
    "211282115": "李家台镇",
    "211282116": "上肥镇",
    "211282117": "黄旗寨镇",
    "211282217": "林丰满族乡",
}
FUXIN_COUNTY_CODES = ["210902", "210903", "210904", "210905", "210911", "210921", "210922"]
SAMPLE_COUNTIES = ["210902", "210921", "210922", "210503", "211282"]


# ---- codes and names -----------------------------------------------------


def test_codes_are_12_digits_unique_and_start_with_county_code():
    records = townships.all_townships()
    codes = [t.code for t in records]
    assert len(codes) == len(set(codes))
    for township in records:
        assert township.code.isdigit() and len(township.code) == 12
        assert township.code.startswith(township.county_code)
        assert township.code.endswith("000")
        assert township.name


def test_row_counts_match_rules_cn():
    per_city = Counter(t.code[:4] for t in townships.all_townships())
    assert per_city == {"2105": 49, "2109": 83, "2112": 106}


def test_county_codes_are_real_counties():
    known = {f["properties"]["code"] for f in boundaries.county_features("21")}
    assert set(townships.covered_county_codes()) <= known
    for prefix in townships.COVERED_CITY_PREFIXES:
        covered = {c for c in townships.covered_county_codes() if c.startswith(prefix)}
        assert covered == {f["properties"]["code"] for f in boundaries.county_features(prefix)}


def test_kaiyuan_matches_rules_cn_list():
    found = {t.code[:9]: t.name for t in townships.townships_of("211282")}
    assert found == KAIYUAN_RULES_CN


def test_every_fuxin_county_has_several_townships():
    for county_code in FUXIN_COUNTY_CODES:
        assert len(townships.townships_of(county_code)) >= 3, county_code


def test_fuxin_counts_agree_with_the_fuxin_plan():
    def towns_and_xiang(county_code):
        return [t for t in townships.townships_of(county_code) if t.kind in ("镇", "乡")]

    assert len(towns_and_xiang("210921")) == 35  # 阜蒙县35个乡镇
    assert len(towns_and_xiang("210922")) == 24  # 彰武县24个乡镇
    assert len(towns_and_xiang("210905")) == 2  # 清河门区2个乡镇
    assert [t.name for t in towns_and_xiang("210904")] == ["水泉镇"]
    assert [t.name for t in towns_and_xiang("210911")] == ["四合镇"]
    assert [t.name for t in towns_and_xiang("210903")] == ["长营子镇"]


def test_kind_from_code_range():
    assert townships.get_township("211282001000").kind == "街道"
    assert townships.get_township("211282102000").kind == "镇"
    assert townships.get_township("211282217000").kind == "乡"
    assert townships.get_township("211202401000").kind == "类似乡级单位"


def test_get_township_accepts_9_digit_codes():
    assert townships.get_township("210922114").name == "四合城镇"
    assert townships.get_township("999999999000") is None


def test_no_synthetic_codes_today_and_synthetic_rows_must_be_labelled():
    assert not any(t.synthetic_code for t in townships.all_townships())
    unlabelled = townships.Township("210902999000", "示例镇一", "210902", "本地合成", True)
    with pytest.raises(ValueError, match="合成"):
        townships._check_row(unlabelled)
    townships._check_row(townships.Township("210902999000", "示例镇一（合成）", "210902", "本地合成", True))


def test_malformed_code_rejected():
    with pytest.raises(ValueError, match="12 位"):
        townships._check_row(townships.Township("21090200100", "x", "210902", "s", False))
    with pytest.raises(ValueError, match="不一致"):
        townships._check_row(townships.Township("210903001000", "x", "210902", "s", False))


# ---- synthetic partitions --------------------------------------------------


@pytest.mark.parametrize("county_code", townships.covered_county_codes())
def test_partition_covers_county_without_overlaps(county_code):
    county = boundaries.county_geometry(county_code)
    cells = [cell for _, cell in townships.synthetic_partition(county_code)]
    assert len(cells) == len(townships.townships_of(county_code))
    assert all(cell.is_valid and not cell.is_empty for cell in cells)
    assert sum(cell.area for cell in cells) == pytest.approx(county.area, rel=0.005)
    assert shapely.union_all(cells).symmetric_difference(county).area < 1e-6 * county.area
    for first, second in itertools.combinations(cells, 2):
        assert first.intersection(second).area < 1e-9 * county.area


def test_each_cell_lies_inside_its_county():
    county = boundaries.county_geometry("210922")
    for _, cell in townships.synthetic_partition("210922"):
        assert cell.difference(county).area < 1e-9 * county.area


def _partition_digest(county_code):
    digest = hashlib.sha256()
    for township, cell in townships.synthetic_partition(county_code):
        digest.update(township.code.encode())
        digest.update(shapely.to_wkb(shapely.set_precision(cell, 1e-9)))
    return digest.hexdigest()


def test_partition_is_deterministic_within_a_process():
    before = {code: _partition_digest(code) for code in SAMPLE_COUNTIES}
    townships.synthetic_partition.cache_clear()
    after = {code: _partition_digest(code) for code in SAMPLE_COUNTIES}
    assert before == after


def test_partition_is_deterministic_across_processes():
    script = (
        "import hashlib, shapely\n"
        "from yingji.geo import townships\n"
        "d = hashlib.sha256()\n"
        "for t, c in townships.synthetic_partition('210921'):\n"
        "    d.update(t.code.encode()); d.update(shapely.to_wkb(shapely.set_precision(c, 1e-9)))\n"
        "print(d.hexdigest())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "12345", "PATH": "/usr/bin:/bin"},
    )
    assert result.stdout.strip() == _partition_digest("210921")


def test_township_features_are_labelled_synthetic():
    features = townships.township_features("210905")
    assert [f["properties"]["name"] for f in features] == ["清河街道", "新北街道", "河西镇", "乌龙坝镇"]
    for feature in features:
        props = feature["properties"]
        assert props["synthetic"] is True
        assert "合成" in props["geometry_note"]
        assert props["level"] == "township"
        assert props["county_code"] == "210905" and props["county_name"] == "清河门区"
        assert len(props["code"]) == 12 and props["code"].startswith("210905")
        assert shape(feature["geometry"]).is_valid


def test_township_features_unknown_county():
    with pytest.raises(ValueError, match="没有乡镇数据"):
        townships.township_features("210102")


@pytest.mark.parametrize("county_code", ["210902", "210922", "211282"])
def test_township_at_finds_the_cell_containing_the_point(county_code):
    for township, cell in townships.synthetic_partition(county_code):
        point = cell.representative_point()
        assert townships.township_at(point.x, point.y) == township.code


def test_township_at_accepts_gcj02():
    township, cell = townships.synthetic_partition("211282")[5]
    point = cell.representative_point()
    gcj = coords.wgs84_to_gcj02(point.x, point.y)
    assert townships.township_at(*gcj, system="GCJ02") == township.code


def test_township_at_outside_covered_area_is_none():
    assert townships.township_at(123.43, 41.80) is None  # 沈阳, no township data
    assert townships.township_at(116.40, 39.90) is None  # 北京, outside Liaoning


def test_township_at_in_kaiyuan_returns_a_kaiyuan_township():
    code = townships.township_at(124.04, 42.54)
    assert code is not None and code.startswith("211282")
