"""Deterministic random places inside the real boundaries."""

from __future__ import annotations

import random
from functools import lru_cache

from shapely.geometry import Point, shape
from shapely.prepared import prep

from yingji.geo.boundaries import county_features
from yingji.geo.townships import township_at


@lru_cache(maxsize=None)
def _county(code6: str):
    feature = next(f for f in county_features(code6[:4]) if f["properties"]["code"] == code6)
    geom = shape(feature["geometry"])
    return geom, prep(geom.buffer(-0.01))


def point_in_county(rng: random.Random, code6: str, near: tuple[float, float] | None = None, spread: float = 0.0) -> tuple[float, float]:
    """A random point inside the county (inside a 1 km margin), optionally near a point."""
    geom, inner = _county(code6)
    minx, miny, maxx, maxy = geom.bounds
    for _ in range(10000):
        if near is not None:
            lon, lat = near[0] + rng.uniform(-spread, spread), near[1] + rng.uniform(-spread, spread)
        else:
            lon, lat = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if inner.contains(Point(lon, lat)):
            return round(lon, 6), round(lat, 6)
    raise RuntimeError(f"no point found in {code6}")


def township_of(lon: float, lat: float, county6: str) -> str:
    """The 12-digit township code containing the point, or the county's code."""
    code = township_at(lon, lat)
    if code and code.startswith(county6):
        return code
    return county6.ljust(12, "0")
