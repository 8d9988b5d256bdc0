"""Great-circle distances on a spherical Earth (haversine), scalar and vectorised.

The sphere radius is the IUGG mean Earth radius R1 = 6 371 008.8 m. The
spherical model errs by at most ~0.5 % against the ellipsoid, which is
ample for "which shelters / teams / warehouses are within N km" questions.
All coordinates are WGS-84 degrees (convert GCJ-02/BD-09 input first with
``yingji.geo.coords.to_wgs84``).
"""

from __future__ import annotations

import math

import numpy as np

EARTH_MEAN_RADIUS_M = 6_371_008.8


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Distance in metres between two WGS-84 points."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half_dphi = (phi2 - phi1) / 2.0
    half_dlambda = math.radians(lon2 - lon1) / 2.0
    h = math.sin(half_dphi) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(half_dlambda) ** 2
    return 2.0 * EARTH_MEAN_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def haversine_many(lon: float, lat: float, lons, lats) -> np.ndarray:
    """Distances in metres from one point to many points (array-likes of equal length)."""
    lons_arr = np.asarray(lons, dtype=float)
    lats_arr = np.asarray(lats, dtype=float)
    if lons_arr.shape != lats_arr.shape:
        raise ValueError(f"经度与纬度数组长度不一致：{lons_arr.shape} 与 {lats_arr.shape}")
    phi1 = math.radians(lat)
    phi2 = np.radians(lats_arr)
    half_dphi = (phi2 - phi1) / 2.0
    half_dlambda = np.radians(lons_arr - lon) / 2.0
    h = np.sin(half_dphi) ** 2 + math.cos(phi1) * np.cos(phi2) * np.sin(half_dlambda) ** 2
    return 2.0 * EARTH_MEAN_RADIUS_M * np.arcsin(np.minimum(1.0, np.sqrt(h)))


def within_radius(lon: float, lat: float, lons, lats, radius_m: float) -> list[int]:
    """Indices of the points within `radius_m` metres (inclusive), nearest first.

    Ties keep input order (stable sort), so results are deterministic.
    """
    if radius_m < 0:
        raise ValueError(f"半径不能为负数：{radius_m}")
    distances = haversine_many(lon, lat, lons, lats)
    inside = np.flatnonzero(distances <= radius_m)
    order = np.argsort(distances[inside], kind="stable")
    return [int(i) for i in inside[order]]
