"""The edge-based graph of a :class:`~yingji.geo.roads.RoadGraph` for one vehicle profile.

Pure Python (numpy / scipy); no Django imports.

Every directed road segment (edge) usable by the profile is a node of this graph; an arc
``e -> f`` is the move from the end of ``e`` into ``f`` across their shared node ``v``. Its weight
is the travel time of ``f`` plus what happens at ``v``:

* the node's penalty (traffic signals, stop and give-way signs, crossings);
* a turn cost by angle, the sigmoid of OSRM's car profile (``turn_penalty`` 7.5 s,
  ``turn_bias`` 1.075 for right-hand traffic: a 90° right turn costs ≈2.1 s, a 90° left turn
  ≈5.4 s), charged where more than two roads meet (a bend in a road costs nothing);
* U-turns only at dead ends and at barriers, with OSRM's ``u_turn_penalty`` of 20 s on top.

Arcs are left out where a barrier at ``v`` stops the profile (only the U-turn remains), and where a turn restriction
forbids them: ``no_*`` drops the arc ``from way -> to way`` at the via node, ``only_*`` drops every
other arc leaving the via node from the ``from`` way. Restrictions tagged ``except=emergency``
do not bind the ``emergency`` profile. Closed edges have no arcs.

Profiles: ``car`` uses the edges with the car access bit and ``speed_kmh``; ``emergency``
those with the emergency bit and ``extras["emergency_speed_kmh"]`` (see
:mod:`yingji.geo.roads.osm` for which roads each may use).
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph

from .graph import ACCESS_CAR, ACCESS_EMERGENCY, MIN_EDGE_SECONDS, RoadGraph

PROFILES = {"car": ACCESS_CAR, "emergency": ACCESS_EMERGENCY}
PROFILE_LABELS = {"car": "小汽车", "emergency": "应急车辆"}
TURN_PENALTY_S = 7.5
TURN_BIAS = 1.075
U_TURN_PENALTY_S = 20.0


def turn_seconds(angle_deg) -> np.ndarray:
    """OSRM car-profile turn cost; ``angle_deg`` 0 straight, positive right, negative left."""
    angle = np.asarray(angle_deg, dtype=np.float64)
    right = TURN_PENALTY_S / (1 + np.exp(-((13 / TURN_BIAS) * angle / 180 - 6.5 * TURN_BIAS)))
    left = TURN_PENALTY_S / (1 + np.exp(-((13 * TURN_BIAS) * -angle / 180 - 6.5 / TURN_BIAS)))
    return np.where(angle >= 0, right, left)


def edge_graph(graph: RoadGraph, profile: str) -> "EdgeGraph":
    """The (cached) edge-based graph of ``graph`` for ``profile``."""
    if profile not in PROFILES:
        raise ValueError(f"未知的车辆类型：{profile}（可选 car、emergency）")
    cache = graph.__dict__.setdefault("_edge_graphs", {})
    if profile not in cache:
        cache[profile] = EdgeGraph(graph, profile)
    return cache[profile]


class EdgeGraph:
    """See the module docstring. Node ``i`` of :attr:`csr` is edge ``i`` of the road graph."""

    def __init__(self, graph: RoadGraph, profile: str):
        self.graph, self.profile = graph, profile
        bit = PROFILES[profile]
        self.usable = ((graph.extras["access"] & bit) != 0) & ~graph.closed
        speed = graph.speed_kmh if profile == "car" else graph.extras["emergency_speed_kmh"]
        self.edge_s = np.maximum(graph.length_m / (np.maximum(speed, 1e-3) / 3.6), MIN_EDGE_SECONDS)
        src, dst, weight = self._arcs(bit)
        n = graph.n_edges
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
        self.csr = sparse.csr_matrix((weight, dst.astype(np.int32), indptr), shape=(n, n))
        self.csr.sort_indices()
        self.n_arcs = len(src)

    # ------------------------------------------------------------------ construction
    def _arcs(self, bit: int):
        g = self.graph
        edges = np.flatnonzero(self.usable)
        ef, et = g.edge_from, g.edge_to
        order = edges[np.argsort(ef[edges], kind="stable")]
        out_start = np.zeros(g.n_nodes + 1, dtype=np.int64)
        np.cumsum(np.bincount(ef[edges], minlength=g.n_nodes), out=out_start[1:])
        count = np.diff(out_start)[et[edges]]
        src = np.repeat(edges, count)
        first = np.repeat(np.cumsum(count) - count, count)
        dst = order[np.repeat(out_start[et[edges]], count) + np.arange(count.sum()) - first]
        via = et[src]

        neighbours = _distinct_neighbours(g.n_nodes, ef[edges], et[edges])
        u_turn = et[dst] == ef[src]
        blocked = (g.extras["barrier"][via] & bit) != 0
        keep = np.where(blocked, u_turn, ~u_turn | (neighbours[via] <= 1))
        keep &= ~self._restricted(src, dst, via)
        src, dst, via, u_turn = src[keep], dst[keep], via[keep], u_turn[keep]

        bearing = _bearings(g)
        angle = (bearing[dst] - bearing[src] + 180.0) % 360.0 - 180.0
        angle = np.where(u_turn, 180.0, angle)
        intersection = (neighbours[via] > 2) | u_turn
        weight = (self.edge_s[dst] + g.extras["node_penalty_s"][via]
                  + np.where(intersection, turn_seconds(angle), 0.0)
                  + np.where(u_turn, U_TURN_PENALTY_S, 0.0))
        return src, dst, weight

    def _restricted(self, src, dst, via) -> np.ndarray:
        g = self.graph
        rows = g.extras["restrictions"]
        banned = np.zeros(len(src), dtype=bool)
        if len(rows) == 0:
            return banned
        if self.profile == "emergency":
            rows = rows[(rows[:, 3] & 2) == 0]
        order = np.argsort(via, kind="stable")
        sorted_via = via[order]
        for from_way, via_node, to_way, flags in rows.tolist():
            lo, hi = np.searchsorted(sorted_via, [via_node, via_node + 1])
            arcs = order[lo:hi]
            from_arcs = arcs[g.way_id[src[arcs]] == from_way]
            to_match = g.way_id[dst[from_arcs]] == to_way
            banned[from_arcs[~to_match if flags & 1 else to_match]] = True
        return banned

    # ------------------------------------------------------------------ derived
    @property
    def reverse_csr(self) -> sparse.csr_matrix:
        cached = self.__dict__.get("_reverse")
        if cached is None:
            cached = self.__dict__["_reverse"] = self.csr.transpose().tocsr()
        return cached

    @property
    def main_mask(self) -> np.ndarray:
        """Edges in the largest strongly connected part of the profile's graph *without closures*
        (points are snapped only to them)."""
        base = self.graph.base
        if base is not self.graph:
            return edge_graph(base, self.profile).main_mask
        cached = self.__dict__.get("_main")
        if cached is None:
            _, labels = csgraph.connected_components(self.csr, directed=True, connection="strong")
            counts = np.bincount(labels[self.usable]) if self.usable.any() else np.zeros(1, int)
            cached = self.__dict__["_main"] = self.usable & (labels == int(np.argmax(counts)))
        return cached


def _distinct_neighbours(n_nodes: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Number of distinct nodes joined to each node by a usable edge (either direction)."""
    keys = np.unique(np.concatenate([a.astype(np.int64) * n_nodes + b, b.astype(np.int64) * n_nodes + a]))
    return np.bincount(keys // n_nodes, minlength=n_nodes)


def _bearings(graph: RoadGraph) -> np.ndarray:
    """Compass bearing (degrees clockwise from north) of every edge."""
    xy_from = graph.project(graph.lon[graph.edge_from], graph.lat[graph.edge_from])
    xy_to = graph.project(graph.lon[graph.edge_to], graph.lat[graph.edge_to])
    d = xy_to - xy_from
    return np.degrees(np.arctan2(d[:, 0], d[:, 1]))
