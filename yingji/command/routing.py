"""Travel times, routes, matrices and nearest resources on the active road network (closures
applied), on the edge-based router :mod:`yingji.geo.router` (turn costs, restrictions, barriers,
segment snapping). Two vehicle profiles: ``car`` and ``emergency``; dispatch uses ``emergency``."""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
from django.conf import settings

from yingji.core.errors import ValidationFailed
from yingji.geo import router
from yingji.geo.roads.turns import PROFILE_LABELS, PROFILES

from . import network, targets

MAX_K = 200
DISPATCH_PROFILE = "emergency"
# A point farther than this from any road of the network is refused (settings override).
DEFAULT_MAX_SNAP_M = router.DEFAULT_MAX_SNAP_M
MAX_MATRIX_CELLS = 250_000


def max_snap_m() -> float:
    return float(getattr(settings, "YINGJI_ROUTING_MAX_SNAP_M", DEFAULT_MAX_SNAP_M))


def check_profile(profile: str) -> str:
    if profile not in PROFILES:
        raise ValidationFailed(f"车辆类型“{profile}”无效，可选：car（小汽车）、emergency（应急车辆）",
                               fields={"profile": ["可选 car、emergency"]})
    return profile


def check_point(lon, lat, name: str = "") -> tuple[float, float]:
    """A finite WGS-84 point; the swapped-order mistake is named. The network's own extent is
    checked where a graph is at hand (:func:`check_in_network`)."""
    try:
        lon, lat = float(lon), float(lat)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(f"{name}经纬度必须是数字", fields={"lon": ["必须是数字"]}) from exc
    if not (math.isfinite(lon) and math.isfinite(lat)) or not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValidationFailed(f"{name}坐标（{lon}, {lat}）不是有效的经纬度，请检查经纬度是否填反",
                               fields={"lon": ["坐标超出范围"]})
    return lon, lat


def check_in_network(graph, points: Sequence[tuple[float, float]], names: Sequence[str] | None = None) -> None:
    """Refuse points outside the imported network's extent (plus the snapping distance)."""
    if not len(points):
        return
    margin = max_snap_m()
    lon0, lon1 = float(graph.lon.min()), float(graph.lon.max())
    lat0, lat1 = float(graph.lat.min()), float(graph.lat.max())
    dlat = margin / 111_320.0
    dlon = dlat / max(math.cos(math.radians((lat0 + lat1) / 2)), 0.01)
    for i, (lon, lat) in enumerate(points):
        if not (lon0 - dlon <= lon <= lon1 + dlon and lat0 - dlat <= lat <= lat1 + dlat):
            name = names[i] if names else ""
            swapped = (lon0 - dlon <= lat <= lon1 + dlon and lat0 - dlat <= lon <= lat1 + dlat)
            hint = "，请检查经纬度是否填反" if swapped else "，请导入覆盖该地区的路网"
            raise ValidationFailed(
                f"{name}坐标（{lon}, {lat}）不在当前路网范围内（经度 {lon0:.3f}–{lon1:.3f}，纬度 {lat0:.3f}–{lat1:.3f}）{hint}",
                code="outside_network", fields={"lon": ["不在路网范围内"]})


def _snap_guard(call, names: Sequence[str] = ()):
    try:
        return call()
    except router.SnapError as exc:
        which = "、".join(names[i] for i in exc.indices[:5] if i < len(names)) if names else ""
        raise ValidationFailed(
            f"{which or '所给地点'}距最近可通行道路 {max(exc.distances):.0f} 米，超过 {exc.max_snap_m:.0f} 米，"
            "请检查坐标或导入覆盖该处的路网", code="too_far_from_road",
            fields={"lon": ["距道路过远"]}) from exc


def _finite(value: float) -> float | None:
    return round(float(value), 1) if math.isfinite(value) else None


def profile_info(profile: str) -> dict:
    return {"profile": profile, "profile_label": PROFILE_LABELS[profile]}


def route_between(a: Sequence[float], b: Sequence[float], profile: str = "car") -> dict:
    """Fastest route from ``a`` to ``b`` on the active network with closures applied."""
    profile = check_profile(profile)
    a, b = check_point(*a, name="起点"), check_point(*b, name="终点")
    graph = network.graph_for()
    check_in_network(graph, [a, b], ["起点", "终点"])
    seconds, metres, coords, snapped = _snap_guard(
        lambda: router.route(graph, profile, a, b, max_snap_m()), ["起点", "终点"])
    return {"seconds": _finite(seconds), "metres": _finite(metres), "reachable": math.isfinite(seconds),
            "route": [[round(x, 6), round(y, 6)] for x, y in coords],
            "snap_m": [round(float(d), 1) for d in snapped.snap_m], **profile_info(profile)}


def travel_matrix(sources: Sequence[Sequence[float]], destinations: Sequence[Sequence[float]], *,
                  profile: str = "car", with_distances: bool = True) -> dict:
    """Seconds and metres from every source to every destination (``None`` unreachable) and the
    snapping distance of every point: the computation of the API, the CLI, allocation and dispatch."""
    profile = check_profile(profile)
    if not sources or not destinations:
        raise ValidationFailed("起点和终点都至少需要一个", fields={"sources": ["必填"]})
    if len(sources) * len(destinations) > MAX_MATRIX_CELLS:
        raise ValidationFailed(f"起点数 × 终点数不能超过 {MAX_MATRIX_CELLS}", fields={"sources": ["太多"]})
    src = [check_point(*p[:2], name=f"起点 {i + 1} ") for i, p in enumerate(sources)]
    dst = [check_point(*p[:2], name=f"终点 {i + 1} ") for i, p in enumerate(destinations)]
    graph = network.graph_for()
    names = [f"起点 {i + 1}" for i in range(len(src))] + [f"终点 {i + 1}" for i in range(len(dst))]
    check_in_network(graph, src + dst, names)
    result = _snap_matrix(graph, profile, src, dst, with_distances, names)
    clean = lambda m: [[_finite(v) for v in row] for row in m.tolist()]
    out = {"durations_s": clean(result.durations_s),
           "snap_m": {"sources": [round(float(d), 1) for d in result.source_snap.snap_m],
                      "destinations": [round(float(d), 1) for d in result.target_snap.snap_m]},
           **profile_info(profile)}
    if with_distances:
        out["distances_m"] = clean(result.distances_m)
    return out


def _snap_matrix(graph, profile, src, dst, with_distances, names=()):
    return _snap_guard(lambda: router.matrix(graph, profile, src, dst, with_distances, max_snap_m()), names)


def seconds_matrix(graph, profile: str, sources, destinations, names=()) -> np.ndarray:
    """Seconds only (allocation and evacuation), points already checked."""
    return _snap_guard(lambda: router.matrix(graph, profile, sources, destinations, False, max_snap_m()),
                       names).durations_s


def nearest_points(origin: Sequence[float], points: Sequence[tuple], k: int = 5,
                   towards_origin: bool = True, with_routes: bool = True, profile: str = DISPATCH_PROFILE) -> list[dict]:
    """Nearest of arbitrary ``(id, lon, lat)`` points ranked by travel time."""
    profile = check_profile(profile)
    origin = check_point(*origin, name="事发点")
    k = _check_k(k)
    clean = [(p[0], *check_point(p[1], p[2], name=f"目标 {p[0]} ")) for p in points]
    graph = network.graph_for()
    check_in_network(graph, [origin] + [(p[1], p[2]) for p in clean], ["事发点"] + [f"目标 {p[0]} " for p in clean])
    ranked = _snap_guard(lambda: router.nearest_k(graph, profile, origin, clean, k, towards_origin=towards_origin,
                                                  include_unreachable=True, with_routes=with_routes,
                                                  max_snap_m=max_snap_m()))
    return [_row(r, with_routes) for r in ranked]


def nearest(user, lon, lat, kind: str, *, k: int = 5, specialty: str = "", available_only: bool = True,
            with_routes: bool = True, profile: str = DISPATCH_PROFILE) -> dict:
    """The ``k`` nearest teams / warehouses / experts / shelters of the user's scope by travel time."""
    profile = check_profile(profile)
    origin = check_point(lon, lat, name="事发点")
    k = _check_k(k)
    graph = network.graph_for()
    check_in_network(graph, [origin], ["事发点"])
    rows = targets.targets(user, kind, specialty=specialty, available_only=available_only)
    by_id = {t.id: t for t in rows}
    # a resource far from any road still ranks (with its long access leg) rather than refusing the query
    ranked = _snap_guard(lambda: router.nearest_k(
        graph, profile, origin, [(t.id, t.lon, t.lat) for t in rows], k, towards_origin=targets.TOWARDS_ORIGIN[kind],
        include_unreachable=True, with_routes=with_routes, max_snap_m=None), ["事发点"])
    results = []
    for r in ranked:
        t = by_id[r.id]
        results.append({**_row(r, with_routes), "name": t.name, "kind": kind, "status": t.status,
                        "lon": t.lon, "lat": t.lat, "url": t.url, **t.extra})
    net = network.active_network()
    return {"origin": list(origin), "kind": kind, "kind_label": targets.KINDS[kind], "specialty": specialty,
            "candidates": len(rows), "results": results, **profile_info(profile),
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
