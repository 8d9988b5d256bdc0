"""Deterministic random places inside the real boundaries (a county) or a township's synthetic
cell (the units of a county-level profile such as Kaiyuan)."""

from __future__ import annotations

import random
from functools import lru_cache

from shapely.geometry import Point, shape
from shapely.prepared import prep

from yingji.geo.boundaries import county_features
from yingji.geo.townships import synthetic_partition, township_at


@lru_cache(maxsize=None)
def _area(code: str):
    if len(code) == 12 and not code.endswith("000000"):  # a township: its synthetic cell
        geom = next(cell for town, cell in synthetic_partition(code[:6]) if town.code == code)
        return geom, prep(geom.buffer(-0.003))
    code6 = code[:6]
    feature = next(f for f in county_features(code6[:4]) if f["properties"]["code"] == code6)
    geom = shape(feature["geometry"])
    return geom, prep(geom.buffer(-0.01))


def point_in_county(rng: random.Random, code: str, near: tuple[float, float] | None = None, spread: float = 0.0) -> tuple[float, float]:
    """A random point inside the county (6 digits, inside a 1 km margin) or township (12 digits),
    optionally near a point."""
    geom, inner = _area(code)
    minx, miny, maxx, maxy = geom.bounds
    for _ in range(10000):
        if near is not None:
            lon, lat = near[0] + rng.uniform(-spread, spread), near[1] + rng.uniform(-spread, spread)
        else:
            lon, lat = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if inner.contains(Point(lon, lat)):
            return round(lon, 6), round(lat, 6)
    raise RuntimeError(f"no point found in {code}")


def township_of(lon: float, lat: float, code: str) -> str:
    """The 12-digit township code containing the point, if it lies in ``code`` (a county, 6
    digits, or a township, 12), else ``code`` padded to 12 digits."""
    town = township_at(lon, lat)
    prefix = code[:9] if len(code) == 12 and not code.endswith("000000") else code[:6]
    if town and town.startswith(prefix):
        return town
    return code.ljust(12, "0")
