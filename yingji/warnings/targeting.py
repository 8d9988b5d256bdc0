"""Who a warning reaches: its area as geometry and as divisions.

* Subscribers with a location are inside the area when their point is inside a drawn polygon or
  circle (bbox prefilter in SQL, then ``shapely.contains_xy`` vectorised over numpy arrays), or
  registered under one of the warning's divisions.
* Subscribers without a location are reached through their division: the warning's divisions,
  and for a drawn area every township (or county) whose boundary it touches — a warning errs on
  the side of reaching people rather than missing them.
* Officials (platform users) are reached when their region is one of those divisions, inside one,
  or above one (the city bureau hears about every county's warning).
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import shapely
from shapely.geometry import Polygon, shape
from shapely.ops import unary_union

from yingji.geo import divcodes
from yingji.regions.models import Division

CIRCLE_SEGMENTS = 72
KM_PER_DEGREE = 111.32


def circle_polygon(lon: float, lat: float, radius_km: float) -> Polygon:
    """A circle of ``radius_km`` around a point as a lon/lat polygon (local equirectangular)."""
    dlat = radius_km / KM_PER_DEGREE
    dlon = radius_km / (KM_PER_DEGREE * max(math.cos(math.radians(lat)), 1e-6))
    angles = np.linspace(0, 2 * math.pi, CIRCLE_SEGMENTS, endpoint=False)
    return Polygon(zip(lon + dlon * np.cos(angles), lat + dlat * np.sin(angles)))


def drawn_geometry(warning):
    """Union of the drawn polygon and circle, or None when the area is divisions only."""
    parts = []
    if warning.area_polygon:
        polygon = Polygon([(lon, lat) for lon, lat in warning.area_polygon])
        parts.append(polygon if polygon.is_valid else polygon.buffer(0))
    if warning.circle_radius_km:
        parts.append(circle_polygon(warning.circle_lon, warning.circle_lat, warning.circle_radius_km))
    if not parts:
        return None
    return unary_union(parts)


@lru_cache(maxsize=1)
def _division_shapes() -> tuple[tuple[str, str, object], ...]:
    rows = Division.objects.filter(level__in=("county", "township"), geometry__isnull=False).values_list(
        "code", "level", "geometry")
    return tuple((code, level, shape(geometry)) for code, level, geometry in rows)


def divisions_touched(geometry) -> dict[str, list[str]]:
    """Counties and townships whose boundary intersects ``geometry`` (12-digit codes)."""
    touched = {"county": [], "township": []}
    if geometry is None:
        return touched
    shapely.prepare(geometry)
    for code, level, boundary in _division_shapes():
        if geometry.intersects(boundary):
            touched[level].append(code)
    return touched


def area_divisions(warning) -> list[str]:
    """The divisions a warning concerns: its own codes plus the counties a drawn area touches."""
    codes = set(warning.area_codes or [])
    codes.update(divisions_touched(drawn_geometry(warning))["county"])
    return sorted(codes)


def code_range(code: str) -> tuple[str, str]:
    """All 12-digit codes within ``code`` lie in this closed range (index-friendly)."""
    prefix = divcodes.scope_prefix(code)
    return prefix.ljust(12, "0"), prefix.ljust(12, "9")


def ancestors(code: str) -> list[str]:
    result = []
    parent = divcodes.parent_code(code)
    while parent:
        result.append(parent)
        parent = divcodes.parent_code(parent)
    return result


def points_inside(geometry, ids: np.ndarray, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
    """The ids whose point lies inside ``geometry`` (one vectorised call over the arrays)."""
    if len(ids) == 0:
        return ids
    shapely.prepare(geometry)
    return ids[shapely.contains_xy(geometry, lons, lats)]
