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

    rules_at: dict[int, list] = {}
    for rule in rules:
        rules_at.setdefault(rule[1], []).append(rule)

    def bearing(e):
        d = xy[graph.edge_to[e]] - xy[graph.edge_from[e]]
        return math.degrees(math.atan2(d[0], d[1]))

    arcs: dict[int, list[tuple[int, float]]] = {}
    for e in range(graph.n_edges):
        if not usable[e]:
            continue
        v = int(graph.edge_to[e])
        gate = bool(graph.extras["barrier"][v] & bit)
        for f in out_edges.get(v, []):
            u_turn = int(graph.edge_to[f]) == int(graph.edge_from[e])
            if gate and not u_turn:  # a barrier: turn back or nothing
                continue
            if u_turn and len(neighbours[v]) > 1 and not gate:
                continue
            banned = False
            for from_way, via, to_way, flags in rules_at.get(v, ()):
                if graph.way_id[e] == from_way:
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
    edges = np.flatnonzero(main & ~graph.closed)  # brute force over every segment (vectorised)
    a, b = xy[graph.edge_from[edges]], xy[graph.edge_to[edges]]
    ab = b - a
    t = np.clip(((p - a) * ab).sum(1) / np.maximum((ab * ab).sum(1), 1e-12), 0.0, 1.0)
    d = np.hypot(*(a + ab * t[:, None] - p).T)
    i = int(np.argmin(d))
    return int(edges[i]), float(t[i]), float(d[i])


def _states(graph, profile, lon, lat):
    usable, _, _, _ = _setup(graph, profile)
    e, t, d = snap(graph, profile, lon, lat)
    states = [(e, t)]
    twins = np.flatnonzero((graph.edge_from == graph.edge_to[e]) & (graph.edge_to == graph.edge_from[e]))
    for f in twins:
        if usable[f]:
            states.append((int(f), 1.0 - t))
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
                tt = end_frac[f]
                best = min(best, d + (w - (1.0 - tt) * secs[f] if tt > 0 else 0.0))
            if d + w < dist.get(f, math.inf):
                dist[f] = d + w
                heapq.heappush(heap, (d + w, f))
    return best + _access_s(da) + _access_s(db)
