"""Coordinate conversions and distances.

Reference values:
* wandergis/coordtransform (MIT), test/app.js, prints for the input
  (116.404, 39.915): wgs84togcj02 → (116.41024449916938, 39.91640428150164),
  gcj02tobd09 → (116.41036949371029, 39.92133699351021),
  bd09togcj02 → (116.39762729119315, 39.90865673957631) (that library's
  closed-form inverse, accurate to ~1e-6°; ours is refined further).
* fast_geocn.coord (fast-geocn 1.1.3, installed dependency) is an independent
  implementation of the same published WGS-84 → GCJ-02 formula, used as a
  second oracle for that step. (Its BD-09 functions use pi where the published
  formula uses pi*3000/180, a ~2 m error, so they are not used as an oracle.)
* Distances: one degree of latitude on the 6 371 008.8 m sphere is
  2πR/360 = 111 194.93 m; Fuxin → Shenyang (≈ 150 km by road atlases).
"""

import math

import numpy as np
import pytest

from yingji.geo import coords
from yingji.geo.distance import EARTH_MEAN_RADIUS_M, haversine_m, haversine_many, within_radius

FUXIN_CENTRE = (121.67, 42.02)
LIAONING_SAMPLE = [
    (121.67, 42.02),  # 阜新
    (123.766, 41.294),  # 本溪
    (124.04, 42.54),  # 开原
    (121.61, 38.91),  # 大连
    (125.36, 41.27),  # 桓仁
]


def test_wgs84_to_gcj02_matches_published_reference():
    lon, lat = coords.wgs84_to_gcj02(116.404, 39.915)
    assert lon == pytest.approx(116.41024449916938, abs=1e-12)
    assert lat == pytest.approx(39.91640428150164, abs=1e-12)


def test_gcj02_to_bd09_matches_published_reference():
    lon, lat = coords.gcj02_to_bd09(116.404, 39.915)
    assert lon == pytest.approx(116.41036949371029, abs=1e-12)
    assert lat == pytest.approx(39.92133699351021, abs=1e-12)


def test_bd09_to_gcj02_close_to_published_closed_form():
    lon, lat = coords.bd09_to_gcj02(116.404, 39.915)
    assert lon == pytest.approx(116.39762729119315, abs=2e-6)
    assert lat == pytest.approx(39.90865673957631, abs=2e-6)


@pytest.mark.parametrize("lon,lat", LIAONING_SAMPLE)
def test_wgs84_to_gcj02_agrees_with_fast_geocn(lon, lat):
    from fast_geocn import coord as oracle

    assert coords.wgs84_to_gcj02(lon, lat) == pytest.approx(oracle.wgs84_to_gcj02(lon, lat), abs=1e-12)


@pytest.mark.parametrize("lon,lat", LIAONING_SAMPLE + [(116.404, 39.915), (87.6, 43.8), (113.26, 23.13)])
def test_gcj02_round_trip_below_1e7_degrees(lon, lat):
    gcj = coords.wgs84_to_gcj02(lon, lat)
    back = coords.gcj02_to_wgs84(*gcj)
    assert abs(back[0] - lon) < 1e-7
    assert abs(back[1] - lat) < 1e-7


@pytest.mark.parametrize("lon,lat", LIAONING_SAMPLE)
def test_bd09_round_trip_below_1e7_degrees(lon, lat):
    back = coords.bd09_to_wgs84(*coords.wgs84_to_bd09(lon, lat))
    assert back == pytest.approx((lon, lat), abs=1e-7)
    back_gcj = coords.bd09_to_gcj02(*coords.gcj02_to_bd09(lon, lat))
    assert back_gcj == pytest.approx((lon, lat), abs=1e-9)


def test_gcj02_shift_in_fuxin_is_a_few_hundred_metres():
    shifted = coords.wgs84_to_gcj02(*FUXIN_CENTRE)
    shift_m = haversine_m(*FUXIN_CENTRE, *shifted)
    assert 300 < shift_m < 800
    assert shifted[0] > FUXIN_CENTRE[0] and shifted[1] > FUXIN_CENTRE[1]


@pytest.mark.parametrize(
    "lon,lat",
    [(2.2945, 48.8584), (-74.0445, 40.6892), (139.9, 35.7), (151.2, -33.9), (0.0, 0.0)],
)
def test_points_outside_china_are_not_shifted(lon, lat):
    assert coords.wgs84_to_gcj02(lon, lat) == (lon, lat)
    assert coords.gcj02_to_wgs84(lon, lat) == (lon, lat)
    assert coords.to_wgs84(lon, lat, "GCJ02") == (lon, lat)


def test_to_wgs84_dispatches_by_system():
    gcj = coords.wgs84_to_gcj02(*FUXIN_CENTRE)
    bd = coords.wgs84_to_bd09(*FUXIN_CENTRE)
    assert coords.to_wgs84(*FUXIN_CENTRE, "WGS84") == FUXIN_CENTRE
    assert coords.to_wgs84(*FUXIN_CENTRE, "CGCS2000") == FUXIN_CENTRE
    assert coords.to_wgs84(*gcj, "GCJ02") == pytest.approx(FUXIN_CENTRE, abs=1e-7)
    assert coords.to_wgs84(*bd, "BD09") == pytest.approx(FUXIN_CENTRE, abs=1e-7)


def test_from_wgs84_is_inverse_of_to_wgs84():
    for system in coords.SUPPORTED_SYSTEMS:
        there = coords.from_wgs84(*FUXIN_CENTRE, system)
        assert coords.to_wgs84(*there, system) == pytest.approx(FUXIN_CENTRE, abs=1e-7)


def test_system_names_are_forgiving():
    assert coords.canonical_system("gcj-02") == "GCJ02"
    assert coords.canonical_system(" wgs_84 ") == "WGS84"
    assert coords.canonical_system("bd09") == "BD09"


def test_supported_systems_have_chinese_labels():
    assert set(coords.SUPPORTED_SYSTEMS) == {"WGS84", "CGCS2000", "GCJ02", "BD09"}
    assert "高德" in coords.SUPPORTED_SYSTEMS["GCJ02"]
    assert "百度" in coords.SUPPORTED_SYSTEMS["BD09"]


def test_unknown_system_gives_chinese_error():
    with pytest.raises(ValueError, match="不支持的坐标系"):
        coords.to_wgs84(121.0, 42.0, "EPSG:3857")


@pytest.mark.parametrize(
    "lon,lat,message",
    [
        (181.0, 42.0, "经度超出范围"),
        (-180.5, 42.0, "经度超出范围"),
        (121.0, 90.01, "纬度超出范围"),
        (float("nan"), 42.0, "有限数值"),
        ("abc", 42.0, "必须是数字"),
        (None, 42.0, "必须是数字"),
    ],
)
def test_invalid_coordinates_give_chinese_error(lon, lat, message):
    with pytest.raises(ValueError, match=message):
        coords.to_wgs84(lon, lat, "WGS84")


def test_numeric_strings_are_accepted():
    assert coords.to_wgs84("121.67", "42.02", "WGS84") == FUXIN_CENTRE


# ---- distance -------------------------------------------------------------


def test_one_degree_of_latitude():
    expected = 2 * math.pi * EARTH_MEAN_RADIUS_M / 360
    assert haversine_m(121.0, 41.0, 121.0, 42.0) == pytest.approx(expected, rel=1e-12)


def test_haversine_zero_and_symmetric():
    assert haversine_m(*FUXIN_CENTRE, *FUXIN_CENTRE) == 0.0
    shenyang = (123.43, 41.80)
    assert haversine_m(*FUXIN_CENTRE, *shenyang) == pytest.approx(haversine_m(*shenyang, *FUXIN_CENTRE))
    assert 140_000 < haversine_m(*FUXIN_CENTRE, *shenyang) < 160_000


def test_haversine_antipodes_is_half_circumference():
    assert haversine_m(0.0, 0.0, 180.0, 0.0) == pytest.approx(math.pi * EARTH_MEAN_RADIUS_M)


def test_haversine_many_matches_scalar():
    lons = [p[0] for p in LIAONING_SAMPLE]
    lats = [p[1] for p in LIAONING_SAMPLE]
    vector = haversine_many(*FUXIN_CENTRE, lons, lats)
    assert isinstance(vector, np.ndarray)
    scalar = [haversine_m(*FUXIN_CENTRE, lon, lat) for lon, lat in LIAONING_SAMPLE]
    assert vector == pytest.approx(scalar, rel=1e-12)


def test_haversine_many_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match="长度不一致"):
        haversine_many(0.0, 0.0, [1.0, 2.0], [1.0])


def test_within_radius_sorted_by_distance():
    lons = [121.67, 121.80, 121.68, 123.43, 121.67]
    lats = [42.30, 42.02, 42.02, 41.80, 42.02]
    # distances from Fuxin: ~31 km, ~10.7 km, ~0.8 km, ~150 km, 0 m
    assert within_radius(*FUXIN_CENTRE, lons, lats, 20_000) == [4, 2, 1]
    assert within_radius(*FUXIN_CENTRE, lons, lats, 40_000) == [4, 2, 1, 0]
    assert within_radius(*FUXIN_CENTRE, lons, lats, 0) == [4]
    assert within_radius(*FUXIN_CENTRE, [], [], 1000) == []


def test_within_radius_rejects_negative_radius():
    with pytest.raises(ValueError, match="半径"):
        within_radius(0.0, 0.0, [0.0], [0.0], -1)
