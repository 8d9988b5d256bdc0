"""'What is near here': resources of every map layer within a radius, nearest first
(straight-line distance; road travel time belongs to the routing layer)."""

from __future__ import annotations

import math

from yingji.core.errors import ValidationFailed
from yingji.core.links import record_url
from yingji.core.registry import REGISTRIES
from yingji.geo.distance import haversine_many, within_radius

MAX_RADIUS_M = 100_000
MAX_RESULTS = 500
METRES_PER_DEGREE_LAT = 111_320.0


def map_layers() -> dict:
    return {key: r for key, r in REGISTRIES.items() if r.map_layer}


def parse_kinds(kinds: str | list[str] | None) -> list[str]:
    layers = map_layers()
    if not kinds:
        return list(layers)
    wanted = kinds.split(",") if isinstance(kinds, str) else list(kinds)
    wanted = [k.strip() for k in wanted if k.strip()]
    unknown = [k for k in wanted if k not in layers]
    if unknown:
        raise ValidationFailed(f"未知图层：{'、'.join(unknown)}；可选：{'、'.join(layers)}", fields={"kinds": ["未知图层"]})
    return wanted


def nearby(user, lon: float, lat: float, radius_m: float, kinds=None, limit: int = MAX_RESULTS) -> list[dict]:
    """Resources the user may see within ``radius_m`` metres of (lon, lat), WGS-84, nearest first."""
    if not (73 <= lon <= 136 and 3 <= lat <= 54):
        raise ValidationFailed("查询点不在中国范围内，请检查经纬度", fields={"lon": ["超出范围"]})
    if not 0 < radius_m <= MAX_RADIUS_M:
        raise ValidationFailed(f"半径须在 1–{MAX_RADIUS_M} 米之间", fields={"radius_m": ["超出范围"]})
    dlat = radius_m / METRES_PER_DEGREE_LAT
    dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
    found = []
    for key in parse_kinds(kinds):
        registry = REGISTRIES[key]
        objs = list(registry.queryset(user).filter(lon__isnull=False, lon__gte=lon - dlon, lon__lte=lon + dlon,
                                                   lat__gte=lat - dlat, lat__lte=lat + dlat))
        if not objs:
            continue
        distances = haversine_many(lon, lat, [o.lon for o in objs], [o.lat for o in objs])
        for i in within_radius(lon, lat, [o.lon for o in objs], [o.lat for o in objs], radius_m):
            obj = objs[i]
            found.append({"kind": key, "layer": registry.label, "id": obj.pk, "name": str(obj),
                          "distance_m": round(float(distances[i]), 1), "lon": obj.lon, "lat": obj.lat,
                          "summary": registry.map_summary(obj) if registry.map_summary else "",
                          "synthetic": obj.is_synthetic, "url": record_url(key, obj.pk)})
    found.sort(key=lambda item: (item["distance_m"], item["kind"], item["id"]))
    return found[:limit]
