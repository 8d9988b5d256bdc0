"""Township-level divisions (乡、镇、街道) of Fuxin, Benxi and Tieling.

Codes and names
---------------
``data/townships.csv`` holds the real 国家统计局 统计用区划代码 (2023
edition) for every township-level unit under 2105 本溪市 (49), 2109 阜新市
(83) and 2112 铁岭市 (106), as listed in docs/rules.md §11; see
``data/README.md`` for provenance and cross-checks. The 9-digit township
code is padded with "000" to the 12-digit form used by the village-level
list, so a township code ends in 000 and starts with its county code.
The ``synthetic_code`` column marks rows whose code was invented locally;
none are needed today, but the loader supports them (their names must
carry "（合成）").

Shapes — SYNTHETIC
------------------
No open township boundary data is available offline, so township polygons
are a deterministic, seeded Voronoi partition of the real county polygon:
one seed per township, relaxed by a few Lloyd iterations so cells have
similar sizes, each cell clipped to the county. Every feature carries
``synthetic=True``. The cells tile the county exactly (no gaps, no
overlaps) but their borders and positions have nothing to do with the real
township borders: use them only for demonstrations, tests and rough
grouping, never to decide which township is responsible for a location.
"""

from __future__ import annotations

import csv
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import MultiPoint, Point, mapping
from shapely.geometry.base import BaseGeometry
from shapely.prepared import prep
from shapely.strtree import STRtree

from yingji.geo.boundaries import county_geometry, county_name, division_at
from yingji.geo.coords import to_wgs84

DATA_FILE = Path(__file__).parent / "data" / "townships.csv"
COVERED_CITY_PREFIXES = ("2105", "2109", "2112")
SYNTHETIC_NAME_MARK = "（合成）"
SYNTHETIC_GEOMETRY_NOTE = "合成边界：由县界按固定随机种子 Voronoi 划分生成，不是真实乡镇界线，仅供演示与测试"

_LLOYD_ITERATIONS = 4
_SEED_SALT = 20240601  # changing this changes every synthetic polygon

TOWNSHIP_KINDS = (
    (range(1, 100), "街道"),
    (range(100, 200), "镇"),
    (range(200, 400), "乡"),
    (range(400, 1000), "类似乡级单位"),
)


@dataclass(frozen=True)
class Township:
    code: str  # 12 digits: 9-digit NBS township code + "000"
    name: str
    county_code: str
    source: str
    synthetic_code: bool

    @property
    def kind(self) -> str:
        """街道 / 镇 / 乡 / 类似乡级单位, from the NBS code ranges (docs/rules.md §11)."""
        number = int(self.code[6:9])
        for code_range, kind in TOWNSHIP_KINDS:
            if number in code_range:
                return kind
        return "未知"  # pragma: no cover - 000 is not a township code

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "county_code": self.county_code,
            "kind": self.kind,
            "source": self.source,
            "synthetic_code": self.synthetic_code,
        }


def _parse_bool(text: str) -> bool:
    value = text.strip().lower()
    if value in ("true", "1", "yes"):
        return True
    if value in ("false", "0", "no", ""):
        return False
    raise ValueError(f"townships.csv 中 synthetic_code 取值无法识别：{text!r}")


def _check_row(township: Township) -> None:
    if not (township.code.isdigit() and len(township.code) == 12):
        raise ValueError(f"乡镇代码必须是 12 位数字：{township.code!r}")
    if not township.code.startswith(township.county_code) or not township.code.endswith("000"):
        raise ValueError(f"乡镇代码 {township.code} 与所属区县 {township.county_code} 不一致")
    if township.synthetic_code and SYNTHETIC_NAME_MARK not in township.name:
        raise ValueError(f"合成代码的乡镇名称必须带“{SYNTHETIC_NAME_MARK}”标记：{township.name}")


@lru_cache(maxsize=1)
def _all_townships() -> tuple[Township, ...]:
    with open(DATA_FILE, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    townships = []
    for row in rows:
        township = Township(
            code=row["code"].strip(),
            name=row["name"].strip(),
            county_code=row["county_code"].strip(),
            source=row["source"].strip(),
            synthetic_code=_parse_bool(row["synthetic_code"]),
        )
        _check_row(township)
        townships.append(township)
    townships.sort(key=lambda t: t.code)
    return tuple(townships)


def all_townships() -> list[Township]:
    """Every township record in the data file, sorted by code."""
    return list(_all_townships())


def townships_of(county_code: str) -> list[Township]:
    """Township records of one county (6-digit code), sorted by code."""
    return [t for t in _all_townships() if t.county_code == county_code]


def get_township(code: str) -> Township | None:
    """Township record by 12-digit code (a 9-digit code is accepted too)."""
    code = str(code).strip()
    if len(code) == 9:
        code += "000"
    for township in _all_townships():
        if township.code == code:
            return township
    return None


def covered_county_codes() -> list[str]:
    """County codes that have township data."""
    return sorted({t.county_code for t in _all_townships()})


def _seed_for(county_code: str) -> int:
    return zlib.crc32(county_code.encode("ascii")) ^ _SEED_SALT


def _polygonal_part(geometry: BaseGeometry) -> BaseGeometry:
    """Drop points/lines that clipping can leave in a GeometryCollection."""
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        return geometry
    polygons = [g for g in shapely.get_parts(geometry) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(polygons) if polygons else shapely.Polygon()


def _random_points_inside(area: BaseGeometry, count: int, rng: np.random.Generator) -> np.ndarray:
    """`count` distinct uniformly random points strictly inside `area`."""
    min_x, min_y, max_x, max_y = area.bounds
    prepared = prep(area)
    chosen: list[tuple[float, float]] = []
    while len(chosen) < count:
        xs = rng.uniform(min_x, max_x, size=4 * count)
        ys = rng.uniform(min_y, max_y, size=4 * count)
        for x, y in zip(xs, ys):
            if len(chosen) == count:
                break
            if prepared.contains(Point(x, y)) and (x, y) not in chosen:
                chosen.append((float(x), float(y)))
    return np.array(chosen)


def _voronoi_cells(area: BaseGeometry, seeds: np.ndarray) -> list[BaseGeometry]:
    """Voronoi cell of each seed (in seed order), clipped to `area`."""
    if len(seeds) == 1:
        return [area]
    cells = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=area.envelope.buffer(1.0))
    cell_list = list(shapely.get_parts(cells))
    tree = STRtree(cell_list)
    ordered = []
    for x, y in seeds:
        hit = tree.query(Point(x, y), predicate="intersects")
        # a seed lies in exactly one cell; on an (impossible) tie take the first
        ordered.append(cell_list[int(sorted(hit)[0])])
    return [_polygonal_part(cell.intersection(area)) for cell in ordered]


def _relaxed_seeds(area: BaseGeometry, seeds: np.ndarray) -> np.ndarray:
    """One Lloyd step: move each seed to its clipped cell's centroid (kept inside)."""
    moved = []
    for cell in _voronoi_cells(area, seeds):
        centre = cell.centroid
        if not area.contains(centre):
            centre = cell.representative_point()
        moved.append((centre.x, centre.y))
    return np.array(moved)


@lru_cache(maxsize=64)
def synthetic_partition(county_code: str) -> tuple[tuple[Township, BaseGeometry], ...]:
    """(township, synthetic polygon) pairs tiling the real county polygon.

    Deterministic: the random generator is seeded from the county code, and
    seeds are assigned to townships in code order after sorting them north
    to south, west to east (no randomness depends on process state).
    """
    members = townships_of(county_code)
    if not members:
        raise ValueError(f"区县 {county_code} 没有乡镇数据（目前覆盖：本溪、阜新、铁岭）")
    area = county_geometry(county_code)
    rng = np.random.default_rng(_seed_for(county_code))
    seeds = _random_points_inside(area, len(members), rng)
    for _ in range(_LLOYD_ITERATIONS):
        seeds = _relaxed_seeds(area, seeds)
    order = np.lexsort((seeds[:, 0], -seeds[:, 1]))  # north first, then west first
    seeds = seeds[order]
    cells = _voronoi_cells(area, seeds)
    return tuple(zip(members, cells))


def _township_feature(township: Township, geometry: BaseGeometry) -> dict:
    properties = township.as_dict()
    properties.update(
        {
            "county_name": county_name(township.county_code),
            "level": "township",
            "synthetic": True,
            "geometry_note": SYNTHETIC_GEOMETRY_NOTE,
        }
    )
    return {
        "type": "Feature",
        "id": township.code,
        "properties": properties,
        "geometry": mapping(geometry),
    }


def township_features(county_code: str) -> list[dict]:
    """GeoJSON Features of the townships of a county, with SYNTHETIC polygons."""
    return [_township_feature(t, g) for t, g in synthetic_partition(str(county_code).strip())]


def township_at(lon: float, lat: float, system: str = "WGS84") -> str | None:
    """12-digit code of the township whose SYNTHETIC cell contains the point.

    None outside the covered counties. Because the cells are synthetic, the
    answer is only as meaningful as the partition (see module docstring).
    """
    county_code = division_at(lon, lat, system)
    if county_code is None or not townships_of(county_code):
        return None
    point = Point(*to_wgs84(lon, lat, system))
    partition = synthetic_partition(county_code)
    matches = [t.code for t, cell in partition if cell.intersects(point)]
    if matches:
        return min(matches)
    # Floating-point slivers at the county edge: fall back to the nearest cell.
    nearest = min(partition, key=lambda pair: pair[1].distance(point))
    return nearest[0].code
