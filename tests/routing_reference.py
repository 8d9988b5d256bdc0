"""An independent, textbook implementation of the edge-based router for tests: brute-force segment
snapping, turn arcs built edge by edge in plain Python, heapq Dijkstra. Shares only the rule
functions (turn cost by angle, the profile bits) and the main-component mask with the router."""

from __future__ import annotations

import heapq
import math

import numpy as np

from yingji.geo.roads.turns import PROFILES, U_TURN_PENALTY_S, edge_graph, turn_seconds
from yingji.geo.routing import ACCESS_SPEED_KMH

_cache: dict = {}


def _access_s(metres: float) -> float:
    return metres / (ACCESS_SPEED_KMH / 3.6)


def _setup(graph, profile):
    key = (id(graph), profile)
    if key in _cache and _cache[key][0] is graph:
        return _cache[key][1]
    bit = PROFILES[profile]
    usable = [bool(graph.extras["access"][e] & bit) and not graph.closed[e] for e in range(graph.n_edges)]
    speed = graph.speed_kmh if profile == "car" else graph.extras["emergency_speed_kmh"]
    seconds = [max(float(graph.length_m[e]) / (float(speed[e]) / 3.6), 1e-3) for e in range(graph.n_edges)]
    xy = graph.project(graph.lon, graph.lat)
    out_edges: dict[int, list[int]] = {}
    neighbours: dict[int, set] = {}
    for e in range(graph.n_edges):
        if usable[e]:
            u, v = int(graph.edge_from[e]), int(graph.edge_to[e])
            out_edges.setdefault(u, []).append(e)
            neighbours.setdefault(u, set()).add(v)
            neighbours.setdefault(v, set()).add(u)
    rules = [tuple(int(x) for x in row) for row in graph.extras["restrictions"]
             if not (profile == "emergency" and row[3] & 2)]

    def bearing(e):
        d = xy[graph.edge_to[e]] - xy[graph.edge_from[e]]
        return math.degrees(math.atan2(d[0], d[1]))

    arcs: dict[int, list[tuple[int, float]]] = {}
    for e in range(graph.n_edges):
        if not usable[e]:
            continue
        v = int(graph.edge_to[e])
        if graph.extras["barrier"][v] & bit:
            continue
        for f in out_edges.get(v, []):
            u_turn = int(graph.edge_to[f]) == int(graph.edge_from[e])
            if u_turn and len(neighbours[v]) > 1:
                continue
            banned = False
            for from_way, via, to_way, flags in rules:
                if via == v and graph.way_id[e] == from_way:
                    if flags & 1 and graph.way_id[f] != to_way or not flags & 1 and graph.way_id[f] == to_way:
                        banned = True
            if banned:
                continue
            w = seconds[f] + float(graph.extras["node_penalty_s"][v])
            if len(neighbours[v]) > 2 or u_turn:
                angle = 180.0 if u_turn else (bearing(f) - bearing(e) + 180.0) % 360.0 - 180.0
                w += float(turn_seconds(angle)) + (U_TURN_PENALTY_S if u_turn else 0.0)
            arcs.setdefault(e, []).append((f, w))
    data = (usable, seconds, arcs, xy)
    _cache[key] = (graph, data)
    return data


def snap(graph, profile, lon, lat):
    """(edge, fraction, metres) of the nearest point on a usable main-component segment."""
    usable, _, _, xy = _setup(graph, profile)
    main = edge_graph(graph.base, profile).main_mask
    p = graph.project(lon, lat)
    best = (None, 0.0, math.inf)
    for e in np.flatnonzero(main & ~graph.closed):
        a, b = xy[graph.edge_from[e]], xy[graph.edge_to[e]]
        ab = b - a
        t = min(max(float(np.dot(p - a, ab) / max(np.dot(ab, ab), 1e-12)), 0.0), 1.0)
        d = float(np.hypot(*(a + ab * t - p)))
        if d < best[2]:
            best = (int(e), t, d)
    return best


def _states(graph, profile, lon, lat):
    usable, _, _, _ = _setup(graph, profile)
    e, t, d = snap(graph, profile, lon, lat)
    states = [(e, t)]
    for f in range(graph.n_edges):
        if (usable[f] and graph.edge_from[f] == graph.edge_to[e] and graph.edge_to[f] == graph.edge_from[e]):
            states.append((f, 1.0 - t))
            break
    return states, d


def seconds(graph, profile, a, b) -> float:
    """Travel seconds a -> b, access legs included (``inf`` unreachable)."""
    usable, secs, arcs, _ = _setup(graph, profile)
    starts, da = _states(graph, profile, *a)
    ends, db = _states(graph, profile, *b)
    dist: dict[int, float] = {}
    heap = []
    best = math.inf
    for e, ts in starts:
        if usable[e]:
            c = (1.0 - ts) * secs[e]
            if c < dist.get(e, math.inf):
                dist[e] = c
                heapq.heappush(heap, (c, e))
            for f, tt in ends:
                if f == e and ts <= tt:
                    best = min(best, (tt - ts) * secs[e])
    end_frac = {f: tt for f, tt in ends}
    while heap:
        d, e = heapq.heappop(heap)
        if d > dist.get(e, math.inf):
            continue
        for f, w in arcs.get(e, []):
            if f in end_frac:
                best = min(best, d + w - (1.0 - end_frac[f]) * secs[f])
            if d + w < dist.get(f, math.inf):
                dist[f] = d + w
                heapq.heappush(heap, (d + w, f))
    return best + _access_s(da) + _access_s(db)
