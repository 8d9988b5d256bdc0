"""Divisions (reference data) and location checks."""

from __future__ import annotations

import logging
from functools import lru_cache

from django.db import connections, transaction
from shapely.geometry import shape

from yingji.core.errors import ValidationFailed
from yingji.geo import boundaries, divcodes, townships

from .models import Division

log = logging.getLogger(__name__)

PROVINCE = ("210000", "辽宁省")
LIAONING_CITIES = {
    "210100": "沈阳市", "210200": "大连市", "210300": "鞍山市", "210400": "抚顺市", "210500": "本溪市",
    "210600": "丹东市", "210700": "锦州市", "210800": "营口市", "210900": "阜新市", "211000": "辽阳市",
    "211100": "盘锦市", "211200": "铁岭市", "211300": "朝阳市", "211400": "葫芦岛市",
}
# Townships (with synthetic shapes) are loaded for the deployment profiles.
TOWNSHIP_CITIES = ("2109", "2105", "2112")


def _centroid(feature: dict) -> tuple[float | None, float | None]:
    point = shape(feature["geometry"]).representative_point()
    return round(point.x, 6), round(point.y, 6)


def _division_from_feature(feature: dict, level: str, parent: str | None, synthetic: bool) -> Division:
    props = feature["properties"]
    lon, lat = _centroid(feature)
    return Division(
        code=divcodes.normalise(props["code"]),
        name=props["name"],
        level=level,
        parent_id=parent,
        geometry=feature["geometry"],
        centroid_lon=lon,
        centroid_lat=lat,
        synthetic=synthetic,
        source=str(props.get("source", ""))[:200],
        source_crs=str(props.get("source_crs", ""))[:80],
    )


def build_divisions() -> list[Division]:
    """Province, its cities and counties (real boundaries), profile townships (synthetic shapes)."""
    rows = [Division(code=divcodes.normalise(PROVINCE[0]), name=PROVINCE[1], level="province", source="GB/T 2260")]
    province = rows[0].code
    for city6, name in LIAONING_CITIES.items():
        feature = boundaries.city_feature(city6, simplified=True)
        city = _division_from_feature(feature, "city", province, False)
        city.name = name
        rows.append(city)
        for county in boundaries.county_features(city6[:4], simplified=True):
            rows.append(_division_from_feature(county, "county", city.code, False))
            if city6[:4] in TOWNSHIP_CITIES:
                for town in townships.township_features(county["properties"]["code"]):
                    rows.append(_division_from_feature(town, "township", divcodes.normalise(county["properties"]["code"]), True))
    return rows


def ensure_divisions(force: bool = False) -> int:
    """Load the divisions once (idempotent). Returns the number of rows loaded."""
    if Division.objects.exists() and not force:
        return 0
    rows = build_divisions()
    with transaction.atomic():
        Division.objects.all().delete()
        Division.objects.bulk_create(rows, batch_size=500)
    division_names.cache_clear()
    return len(rows)


def load_divisions_after_migrate(sender, using="default", **kwargs):
    if "regions_division" in connections[using].introspection.table_names():
        ensure_divisions()


@lru_cache(maxsize=1)
def division_names() -> dict[str, str]:
    return dict(Division.objects.values_list("code", "name"))


def name_of(code: str) -> str:
    code = divcodes.normalise(code)
    return division_names().get(code) or code


def full_name(code: str) -> str:
    """e.g. 阜新市彰武县."""
    code = divcodes.normalise(code)
    parts = []
    while code and divcodes.level_of(code) != "province":
        parts.append(name_of(code))
        code = divcodes.parent_code(code)
    return "".join(reversed(parts))


_LABEL_POINTS: dict[tuple[str, str], tuple[float, float]] = {}


def label_point(division: Division) -> tuple[float, float] | None:
    """Where the division's name goes on a map (inside its area; see ``geo.boundaries.label_point``).
    Boundaries are reference data: each point is computed once per process."""
    if not division.geometry:
        return None
    key = (division.code, division.source)
    if key not in _LABEL_POINTS:
        _LABEL_POINTS[key] = boundaries.label_point(division.geometry)
    return _LABEL_POINTS[key]


def county_at(lon: float, lat: float) -> str | None:
    code = boundaries.division_at(lon, lat)
    return divcodes.normalise(code) if code else None


def check_division_exists(code: str) -> None:
    code = divcodes.normalise(code)
    names = division_names()
    if code in names:
        return
    if divcodes.level_of(code) == "village" and code[:9].ljust(12, "0") in names:
        return  # villages are accepted below a known township
    raise ValidationFailed(f"行政区划代码 {divcodes.short_code(code)} 不存在", fields={"division_code": ["行政区划代码不存在"]})


def check_location(obj) -> None:
    """Refuse a record whose point lies outside the division it is filed under."""
    if hasattr(obj, "division_code") and obj.division_code:
        check_division_exists(obj.division_code)
    lon, lat = getattr(obj, "lon", None), getattr(obj, "lat", None)
    if lon is None or lat is None or not getattr(obj, "division_code", ""):
        return
    county = county_at(lon, lat)
    if county is None:
        raise ValidationFailed(
            f"坐标（{lon:.5f}, {lat:.5f}）不在辽宁省范围内，请检查经纬度及坐标系",
            fields={"lon": ["坐标超出辖区范围"]},
        )
    division = divcodes.normalise(obj.division_code)
    level = divcodes.level_of(division)
    if level in ("province", "city"):
        inside = divcodes.is_within(county, division)
    else:
        inside = county[:6] == division[:6]
    if not inside:
        raise ValidationFailed(
            f"坐标（{lon:.5f}, {lat:.5f}）位于{name_of(county)}，不在所属区划{name_of(division)}范围内",
            fields={"lon": ["坐标不在所属区划范围内"]},
        )


def visible_divisions(user, level: str | None = None):
    qs = Division.objects.filter(code__startswith=user.scope_prefix)
    if level:
        qs = qs.filter(level=level)
    return qs
