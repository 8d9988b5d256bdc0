"""Travel times, routes and nearest resources on the active road network (closures applied)."""

from __future__ import annotations

import math
from typing import Sequence

from yingji.core.errors import ValidationFailed
from yingji.geo import routing as geo_routing

from . import network, targets

MAX_K = 200


def check_point(lon, lat, name: str = "") -> tuple[float, float]:
    try:
        lon, lat = float(lon), float(lat)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(f"{name}经纬度必须是数字", fields={"lon": ["必须是数字"]}) from exc
    if not (math.isfinite(lon) and math.isfinite(lat)) or not (73 <= lon <= 136 and 3 <= lat <= 54):
        raise ValidationFailed(f"{name}坐标（{lon}, {lat}）不在中国范围内，请检查经纬度是否填反",
                               fields={"lon": ["坐标超出范围"]})
    return lon, lat


def _finite(value: float) -> float | None:
    return round(value, 1) if math.isfinite(value) else None


def route_between(a: Sequence[float], b: Sequence[float]) -> dict:
    """Fastest route from ``a`` to ``b`` on the active network with closures applied."""
    a, b = check_point(*a, name="起点"), check_point(*b, name="终点")
    seconds, metres, coords = geo_routing.route(network.graph_for(), a, b)
    return {"seconds": _finite(seconds), "metres": _finite(metres), "reachable": math.isfinite(seconds),
            "route": [[round(x, 6), round(y, 6)] for x, y in coords]}


def nearest_points(origin: Sequence[float], points: Sequence[tuple], k: int = 5,
                   towards_origin: bool = True, with_routes: bool = True) -> list[dict]:
    """Nearest of arbitrary ``(id, lon, lat)`` points ranked by travel time."""
    origin = check_point(*origin, name="事发点")
    k = _check_k(k)
    clean = [(p[0], *check_point(p[1], p[2], name=f"目标 {p[0]} ")) for p in points]
    ranked = geo_routing.nearest_k(network.graph_for(), origin, clean, k, towards_origin=towards_origin,
                                   include_unreachable=True)
    return [_row(r, with_routes) for r in ranked]


def nearest(user, lon, lat, kind: str, *, k: int = 5, specialty: str = "", available_only: bool = True,
            with_routes: bool = True) -> dict:
    """The ``k`` nearest teams / warehouses / experts / shelters of the user's scope by travel time."""
    origin = check_point(lon, lat, name="事发点")
    k = _check_k(k)
    rows = targets.targets(user, kind, specialty=specialty, available_only=available_only)
    by_id = {t.id: t for t in rows}
    ranked = geo_routing.nearest_k(network.graph_for(), origin, [(t.id, t.lon, t.lat) for t in rows], k,
                                   towards_origin=targets.TOWARDS_ORIGIN[kind], include_unreachable=True)
    results = []
    for r in ranked:
        t = by_id[r.id]
        results.append({**_row(r, with_routes), "name": t.name, "kind": kind, "status": t.status,
                        "lon": t.lon, "lat": t.lat, "url": t.url, **t.extra})
    net = network.active_network()
    return {"origin": list(origin), "kind": kind, "kind_label": targets.KINDS[kind], "specialty": specialty,
            "candidates": len(rows), "results": results,
            "network": {"id": net.pk, "name": net.name, "synthetic": net.is_synthetic, "licence": net.licence,
                        "active_closures": network.active_closures(net).count()}}


def _row(r, with_routes: bool) -> dict:
    row = {"id": r.id, "seconds": _finite(r.seconds), "metres": _finite(r.metres),
           "minutes": _finite(r.seconds / 60) if math.isfinite(r.seconds) else None,
           "reachable": math.isfinite(r.seconds)}
    if with_routes:
        row["route"] = [[round(x, 6), round(y, 6)] for x, y in r.route]
    return row


def _check_k(k) -> int:
    try:
        k = int(k)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed("k 必须是整数", fields={"k": ["必须是整数"]}) from exc
    if not 1 <= k <= MAX_K:
        raise ValidationFailed(f"k 必须在 1–{MAX_K} 之间", fields={"k": [f"1–{MAX_K}"]})
    return k
