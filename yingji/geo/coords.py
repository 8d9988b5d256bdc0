"""Conversions between the coordinate systems met in Chinese emergency work.

Systems
-------
* ``WGS84``   – GPS receivers, OpenStreetMap, GeoJSON (RFC 7946). Internal
  storage of Yingji is always WGS-84 longitude/latitude in degrees.
* ``CGCS2000`` – 2000 国家大地坐标系, the national datum used by 天地图 and by
  official surveying data (EPSG:4490). Its ellipsoid differs from WGS-84's
  only in the flattening (semi-minor axis differs by about 0.1 mm) and the
  frame is tied to ITRF97 at epoch 2000.0, so CGCS2000 and WGS-84 (G1762)
  coordinates of the same point differ by a few decimetres at most. That is
  far below the accuracy of anything this platform stores (township
  boundaries, incident locations from phones), so CGCS2000 is treated as
  WGS-84 without transformation.
* ``GCJ02``   – 国测局坐标 ("Mars coordinates"), the obfuscated system that
  Chinese law requires for published maps: 高德 (AMap), 腾讯 (Tencent) and
  most Chinese phone map apps. Offset from WGS-84 is a few hundred metres.
* ``BD09``    – Baidu's own system, a second obfuscation on top of GCJ-02.

Formulas
--------
The forward WGS-84 → GCJ-02 transform is the widely published algorithm
(Krasovsky-ellipsoid based polynomial-plus-sine offsets around 105°E 35°N).
It has no closed-form inverse; ``gcj02_to_wgs84`` inverts it by fixed-point
iteration until the forward image matches the input to better than 1e-9°
(~0.1 mm), well within the 1e-7° requirement. The BD-09 ↔ GCJ-02 pair uses
the equally well-known rotation formula; its inverse is also refined by
iteration. Points outside China's rough bounding box are not shifted, which
is the convention of every published implementation (GCJ-02 is only defined
for China).
"""

from __future__ import annotations

import math

# Systems accepted by to_wgs84 / from_wgs84, with labels for forms and lists.
SUPPORTED_SYSTEMS: dict[str, str] = {
    "WGS84": "WGS-84（GPS 原始坐标、OpenStreetMap）",
    "CGCS2000": "CGCS2000（2000 国家大地坐标系、天地图，按 WGS-84 处理）",
    "GCJ02": "GCJ-02（国测局坐标：高德、腾讯地图）",
    "BD09": "BD-09（百度地图坐标）",
}

# Krasovsky 1940 ellipsoid, as used by the GCJ-02 algorithm.
_KRASOVSKY_SEMI_MAJOR_AXIS = 6378245.0
_KRASOVSKY_ECCENTRICITY_SQUARED = 0.00669342162296594323

# BD-09 rotation constant (pi * 3000 / 180).
_BD_FACTOR = math.pi * 3000.0 / 180.0

# Rough bounding box of China used by the GCJ-02 convention.
_CHINA_MIN_LON, _CHINA_MAX_LON = 72.004, 137.8347
_CHINA_MIN_LAT, _CHINA_MAX_LAT = 0.8293, 55.8271

_INVERSE_TOLERANCE_DEG = 1e-9
_INVERSE_MAX_STEPS = 50


def _normalise_system_name(system: str) -> str:
    """Accept 'wgs84', 'WGS-84', 'gcj_02', 'bd09' … and return the canonical key."""
    if not isinstance(system, str):
        raise ValueError(f"坐标系名称必须是字符串，收到：{system!r}")
    key = system.strip().upper().replace("-", "").replace("_", "").replace(" ", "")
    if key not in SUPPORTED_SYSTEMS:
        supported = "、".join(SUPPORTED_SYSTEMS)
        raise ValueError(f"不支持的坐标系：{system!r}。支持的坐标系：{supported}")
    return key


class CoordinateError(ValueError):
    """A longitude/latitude that is not a finite number in range (the caller's input, not a bug)."""


def validate_lon_lat(lon: float, lat: float) -> tuple[float, float]:
    """Return (lon, lat) as floats, or raise CoordinateError with a Chinese message."""
    try:
        lon_f = float(lon)
        lat_f = float(lat)
    except (TypeError, ValueError):
        raise CoordinateError(f"经纬度必须是数字，收到：经度 {lon!r}，纬度 {lat!r}") from None
    if not (math.isfinite(lon_f) and math.isfinite(lat_f)):
        raise CoordinateError(f"经纬度必须是有限数值，收到：经度 {lon!r}，纬度 {lat!r}")
    if not -180.0 <= lon_f <= 180.0:
        raise CoordinateError(f"经度超出范围（-180 至 180）：{lon_f}")
    if not -90.0 <= lat_f <= 90.0:
        raise CoordinateError(f"纬度超出范围（-90 至 90）：{lat_f}")
    return lon_f, lat_f


def is_outside_china(lon: float, lat: float) -> bool:
    """True when GCJ-02 leaves the point unshifted (outside China's rough box)."""
    return not (
        _CHINA_MIN_LON <= lon <= _CHINA_MAX_LON and _CHINA_MIN_LAT <= lat <= _CHINA_MAX_LAT
    )


def _latitude_offset_term(x: float, y: float) -> float:
    """Latitude offset polynomial of the GCJ-02 algorithm (x, y relative to 105E, 35N)."""
    term = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    term += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    term += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    term += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return term


def _longitude_offset_term(x: float, y: float) -> float:
    """Longitude offset polynomial of the GCJ-02 algorithm (x, y relative to 105E, 35N)."""
    term = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    term += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    term += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    term += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return term


def _gcj02_offset_degrees(lon: float, lat: float) -> tuple[float, float]:
    """(dlon, dlat) in degrees that GCJ-02 adds to a WGS-84 point inside China."""
    x, y = lon - 105.0, lat - 35.0
    lat_rad = math.radians(lat)
    sin_lat = math.sin(lat_rad)
    w = 1.0 - _KRASOVSKY_ECCENTRICITY_SQUARED * sin_lat * sin_lat
    sqrt_w = math.sqrt(w)
    meridian_radius = _KRASOVSKY_SEMI_MAJOR_AXIS * (1.0 - _KRASOVSKY_ECCENTRICITY_SQUARED) / (w * sqrt_w)
    parallel_radius = _KRASOVSKY_SEMI_MAJOR_AXIS / sqrt_w * math.cos(lat_rad)
    dlat = _latitude_offset_term(x, y) * 180.0 / (meridian_radius * math.pi)
    dlon = _longitude_offset_term(x, y) * 180.0 / (parallel_radius * math.pi)
    return dlon, dlat


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """WGS-84 → GCJ-02. Points outside China are returned unchanged."""
    lon, lat = validate_lon_lat(lon, lat)
    if is_outside_china(lon, lat):
        return lon, lat
    dlon, dlat = _gcj02_offset_degrees(lon, lat)
    return lon + dlon, lat + dlat


def _invert_by_iteration(forward, target_lon: float, target_lat: float) -> tuple[float, float]:
    """Find (lon, lat) with forward(lon, lat) == target, by fixed-point iteration.

    The obfuscation offsets vary slowly with position, so each step
    ``guess += target - forward(guess)`` shrinks the error by orders of
    magnitude; a handful of steps reach 1e-9 degrees.
    """
    lon, lat = target_lon, target_lat
    for _ in range(_INVERSE_MAX_STEPS):
        image_lon, image_lat = forward(lon, lat)
        error_lon, error_lat = target_lon - image_lon, target_lat - image_lat
        if abs(error_lon) < _INVERSE_TOLERANCE_DEG and abs(error_lat) < _INVERSE_TOLERANCE_DEG:
            break
        lon, lat = lon + error_lon, lat + error_lat
    return lon, lat


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """GCJ-02 → WGS-84 by iteration (error < 1e-9°). Outside China: unchanged."""
    lon, lat = validate_lon_lat(lon, lat)
    if is_outside_china(lon, lat):
        return lon, lat
    return _invert_by_iteration(wgs84_to_gcj02, lon, lat)


def gcj02_to_bd09(lon: float, lat: float) -> tuple[float, float]:
    """GCJ-02 → BD-09 (Baidu)."""
    lon, lat = validate_lon_lat(lon, lat)
    radius = math.hypot(lon, lat) + 0.00002 * math.sin(lat * _BD_FACTOR)
    angle = math.atan2(lat, lon) + 0.000003 * math.cos(lon * _BD_FACTOR)
    return radius * math.cos(angle) + 0.0065, radius * math.sin(angle) + 0.006


def _bd09_to_gcj02_first_guess(lon: float, lat: float) -> tuple[float, float]:
    """Closed-form approximate inverse of gcj02_to_bd09 (error ~1e-6°)."""
    x, y = lon - 0.0065, lat - 0.006
    radius = math.hypot(x, y) - 0.00002 * math.sin(y * _BD_FACTOR)
    angle = math.atan2(y, x) - 0.000003 * math.cos(x * _BD_FACTOR)
    return radius * math.cos(angle), radius * math.sin(angle)


def bd09_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """BD-09 → GCJ-02: closed-form approximation refined by iteration."""
    lon, lat = validate_lon_lat(lon, lat)
    guess_lon, guess_lat = _bd09_to_gcj02_first_guess(lon, lat)
    for _ in range(_INVERSE_MAX_STEPS):
        image_lon, image_lat = gcj02_to_bd09(guess_lon, guess_lat)
        error_lon, error_lat = lon - image_lon, lat - image_lat
        if abs(error_lon) < _INVERSE_TOLERANCE_DEG and abs(error_lat) < _INVERSE_TOLERANCE_DEG:
            break
        guess_lon, guess_lat = guess_lon + error_lon, guess_lat + error_lat
    return guess_lon, guess_lat


def wgs84_to_bd09(lon: float, lat: float) -> tuple[float, float]:
    """WGS-84 → BD-09 (via GCJ-02)."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """BD-09 → WGS-84 (via GCJ-02)."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


_TO_WGS84 = {
    "WGS84": validate_lon_lat,
    "CGCS2000": validate_lon_lat,
    "GCJ02": gcj02_to_wgs84,
    "BD09": bd09_to_wgs84,
}

_FROM_WGS84 = {
    "WGS84": validate_lon_lat,
    "CGCS2000": validate_lon_lat,
    "GCJ02": wgs84_to_gcj02,
    "BD09": wgs84_to_bd09,
}


def to_wgs84(lon: float, lat: float, system: str = "WGS84") -> tuple[float, float]:
    """Convert a point given in `system` (a key of SUPPORTED_SYSTEMS) to WGS-84."""
    return _TO_WGS84[_normalise_system_name(system)](lon, lat)


def from_wgs84(lon: float, lat: float, system: str = "WGS84") -> tuple[float, float]:
    """Convert a WGS-84 point to `system`, e.g. for display on AMap (GCJ02) or Baidu (BD09)."""
    return _FROM_WGS84[_normalise_system_name(system)](lon, lat)


def canonical_system(system: str) -> str:
    """Canonical key ('WGS84', 'CGCS2000', 'GCJ02', 'BD09') for a user-supplied name."""
    return _normalise_system_name(system)
