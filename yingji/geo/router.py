"""Routing on the edge-based graph (turn costs, restrictions, barriers, profiles) with points
snapped onto the nearest road *segment*. Pure Python (numpy / scipy); no Django imports.

This is the router of the console, the API, dispatch and ``yingji road matrix``; the node-based
functions of :mod:`yingji.geo.routing` remain as the bare baseline of the benchmark.

Conventions
-----------
* Points are ``(lon, lat)`` WGS-84 degrees; times seconds, distances metres.
* A point is snapped to the nearest point of the nearest segment the profile may use (in the
  largest strongly connected part of the profile's graph without closures). The straight leg
  to it (``snap_m``) is travelled at :data:`~yingji.geo.routing.ACCESS_SPEED_KMH` and counted
  in every time and distance; the snapped segment is entered or left part-way, at the time and
  length of the part driven, in either direction the road allows.
* A point farther than ``max_snap_m`` from any road raises :class:`SnapError`.
* Closed roads have no arcs; what they cut off is ``inf`` (unreachable).

Matrix engines
--------------
:func:`matrix` (seconds only) answers from a contraction hierarchy of the profile's edge graph
(:mod:`yingji.geo.roads.ch`, bucket many-to-many) when the graph has **no closure** and a
hierarchy is at hand; otherwise — closures, distances asked for, or no hierarchy — it runs the
exact scipy search of the reduced graph (:func:`_reduced_search`). Both give the same seconds
(tests/geo/test_router_matrix.py). A hierarchy is built once per graph version and profile and
kept on the cached edge graph like the chain contraction; :data:`MATRIX_CH` says when to build
it: ``"auto"`` builds it on the first matrix of an edge graph of at most
:data:`CH_AUTO_BUILD_NODES` nodes (a larger one is prepared explicitly with :func:`prepare_ch`:
the contraction of the 434 584-node synthetic grid takes minutes; the platform builds it in a
background task and stores it, and :func:`attach_hierarchy_store` tells the router where stored
ones are found), ``"always"`` builds it for
any graph, ``"never"`` keeps the scipy search. A graph with closures never uses one: its weights differ from the hierarchy's and
a hierarchy cannot be re-customised, so it falls back to the exact scipy search.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, NamedTuple, Sequence

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph
from scipy.spatial import cKDTree

from yingji.geo.roads import RoadGraph
from yingji.geo.roads import ch as hierarchy
from yingji.geo.roads.chains import Chains, contract_chains
from yingji.geo.roads.turns import EdgeGraph, edge_graph
from yingji.geo.routing import ACCESS_SPEED_KMH

DEFAULT_MAX_SNAP_M = 5_000.0
SHIFT_S = 1.0  # added to virtual arcs (csgraph drops zero weights), subtracted afterwards
SAMPLE_SPACING_M = 150.0  # spacing of the points that index segments for snapping
SOURCE_CHUNK = 16  # dense rows per Dijkstra call (memory: chunk x edges floats)
REDUCED_CELLS = 8_000_000  # at most this many floats of rows per search on the reduced graph

MATRIX_CH = "auto"  # "auto" | "always" | "never": see "Matrix engines" above
CH_AUTO_BUILD_NODES = 50_000  # edge-graph nodes up to which "auto" builds a hierarchy unasked

Point = tuple[float, float]


class SnapError(ValueError):
    """Some points are too far from any road the profile may use."""

    def __init__(self, indices: list[int], distances: list[float], max_snap_m: float):
        self.indices, self.distances, self.max_snap_m = indices, distances, max_snap_m
        super().__init__(f"{len(indices)} 个点距最近可通行道路超过 {max_snap_m:.0f} 米"
                         f"（最远 {max(distances):.0f} 米），不在已导入路网范围内")


@dataclass
class Snapped:
    """Points snapped onto segments: edge, its reverse twin (``-1`` none), fraction along the
    edge from its start, straight distance, and the snapped coordinates."""

    edge: np.ndarray
    twin: np.ndarray
    t: np.ndarray
    snap_m: np.ndarray
    lon: np.ndarray
    lat: np.ndarray

    def states(self, i: int) -> list[tuple[int, float]]:
        """``(edge, fraction)`` entry states of point ``i``."""
        out = [(int(self.edge[i]), float(self.t[i]))]
        if self.twin[i] >= 0:
            out.append((int(self.twin[i]), 1.0 - float(self.t[i])))
        return out


class RankedTarget(NamedTuple):
    id: object
    seconds: float
    metres: float
    route: list[Point]


def access_seconds(metres) -> np.ndarray:
    return np.asarray(metres, dtype=np.float64) / (ACCESS_SPEED_KMH / 3.6)


# ====================================================================== snapping
def _segment_index(eg: EdgeGraph):
    cached = eg.__dict__.get("_segments")
    if cached is not None:
        return cached
    g = eg.graph.base
    edges = np.flatnonzero(eg.main_mask)
    a = g.project(g.lon[g.edge_from[edges]], g.lat[g.edge_from[edges]])
    b = g.project(g.lon[g.edge_to[edges]], g.lat[g.edge_to[edges]])
    length = np.hypot(*(b - a).T)
    parts = np.maximum(np.ceil(length / SAMPLE_SPACING_M).astype(np.int64), 1)
    owner = np.repeat(np.arange(len(edges)), parts + 1)
    step = np.arange(len(owner)) - np.repeat(np.cumsum(parts + 1) - (parts + 1), parts + 1)
    frac = step / np.repeat(parts, parts + 1)
    samples = a[owner] + (b - a)[owner] * frac[:, None]
    spacing = float((length / parts).max()) if len(parts) else SAMPLE_SPACING_M
    cached = eg.__dict__["_segments"] = (cKDTree(samples), owner, edges, a, b, spacing)
    return cached


def snap(graph: RoadGraph, profile: str, lon, lat, max_snap_m: float | None = DEFAULT_MAX_SNAP_M) -> Snapped:
    """Nearest point on the nearest usable segment of each point (see module docstring)."""
    eg = edge_graph(graph.base, profile)
    tree, owner, edges, a, b, spacing = _segment_index(eg)
    if len(edges) == 0:
        raise SnapError(list(range(len(np.atleast_1d(lon)))), [float("inf")], max_snap_m or 0.0)
    open_edge = ~graph.closed[edges]
    p = graph.project(np.atleast_1d(lon), np.atleast_1d(lat))
    n = len(p)
    best_pos = np.zeros(n, dtype=np.int64)
    best_t = np.zeros(n)
    best_d = np.full(n, np.inf)
    todo = np.arange(n)
    k = 16
    while len(todo):
        kk = min(k, tree.n)
        sample_d, sample_i = tree.query(p[todo], k=kk)
        sample_d, sample_i = sample_d.reshape(len(todo), kk), sample_i.reshape(len(todo), kk)
        cand = owner[sample_i]
        ab = (b - a)[cand]
        ap = p[todo][:, None, :] - a[cand]
        t = np.clip((ap * ab).sum(-1) / np.maximum((ab * ab).sum(-1), 1e-12), 0.0, 1.0)
        d = np.hypot(*(ap - ab * t[..., None]).transpose(2, 0, 1))
        d = np.where(open_edge[cand], d, np.inf)
        j = np.argmin(d, axis=1)
        rows = np.arange(len(todo))
        best_pos[todo], best_t[todo], best_d[todo] = cand[rows, j], t[rows, j], d[rows, j]
        # exact once every sample not looked at is too far to hide a nearer segment
        done = (sample_d[:, -1] >= best_d[todo] + spacing / 2) | (kk >= tree.n)
        todo = todo[~done]
        k *= 8
    if max_snap_m is not None and np.any(best_d > max_snap_m):
        bad = np.flatnonzero(best_d > max_snap_m)
        raise SnapError(bad.tolist(), best_d[bad].tolist(), max_snap_m)
    edge = edges[best_pos]
    xy = a[best_pos] + (b - a)[best_pos] * best_t[:, None]
    g = graph.base
    scale = np.radians(1.0) * 6_371_008.8
    snapped_lat = xy[:, 1] / scale
    snapped_lon = xy[:, 0] / (scale * np.cos(np.radians(g.reference_lat)))
    return Snapped(edge, _twins(graph, eg, edge), best_t, best_d, snapped_lon, snapped_lat)


def _twins(graph: RoadGraph, eg: EdgeGraph, edge: np.ndarray) -> np.ndarray:
    """The opposite direction of each edge, ``-1`` when the road is one-way there."""
    g = graph
    cached = eg.__dict__.get("_pair_keys")
    if cached is None:
        usable = np.flatnonzero(edge_graph(g.base, eg.profile).usable)
        keys = g.edge_from[usable].astype(np.int64) * g.n_nodes + g.edge_to[usable]
        order = np.argsort(keys, kind="stable")
        cached = eg.__dict__["_pair_keys"] = (keys[order], usable[order])
    keys, owners = cached
    if len(keys) == 0:
        return np.full(len(edge), -1, dtype=np.int64)
    want = g.edge_to[edge].astype(np.int64) * g.n_nodes + g.edge_from[edge]
    pos = np.minimum(np.searchsorted(keys, want), len(keys) - 1)
    twin = np.where(keys[pos] == want, owners[pos], -1)
    return np.where((twin >= 0) & ~g.closed[np.maximum(twin, 0)], twin, -1)


# ====================================================================== searches
def _augmented(matrix: sparse.csr_matrix, virtual_arcs: list[list[tuple[int, float]]]) -> sparse.csr_matrix:
    """``matrix`` with one extra row per entry of ``virtual_arcs`` (arcs to real nodes)."""
    n = matrix.shape[0]
    extra_ptr, extra_idx, extra_w = [], [], []
    for arcs in virtual_arcs:
        best: dict[int, float] = {}
        for node, w in arcs:
            best[node] = min(w, best.get(node, np.inf))
        extra_ptr.append(len(best))
        extra_idx.extend(sorted(best))
        extra_w.extend(best[k] for k in sorted(best))
    m = n + len(virtual_arcs)
    indptr = np.concatenate([matrix.indptr, matrix.indptr[-1] + np.cumsum(extra_ptr, dtype=np.int64)])
    indices = np.concatenate([matrix.indices, np.asarray(extra_idx, dtype=matrix.indices.dtype)])
    data = np.concatenate([matrix.data, np.asarray(extra_w, dtype=np.float64)])
    return sparse.csr_matrix((data, indices, indptr), shape=(m, m))


def _in_arcs(eg: EdgeGraph, f: int) -> tuple[np.ndarray, np.ndarray]:
    rev = eg.reverse_csr
    lo, hi = rev.indptr[f], rev.indptr[f + 1]
    return rev.indices[lo:hi], rev.data[lo:hi]


def _forward(eg: EdgeGraph, src: Snapped, rows: Sequence[int], predecessors: bool = False):
    """Dijkstra from the virtual nodes of source points ``rows``: (D, predecessors, n)."""
    arcs = [[(e, (1.0 - t) * eg.edge_s[e] + float(access_seconds(src.snap_m[i])) + SHIFT_S)
             for e, t in src.states(i) if eg.usable[e]] for i in rows]
    n = eg.csr.shape[0]
    matrix = _augmented(eg.csr, arcs)
    out = csgraph.dijkstra(matrix, directed=True, indices=np.arange(n, n + len(rows)),
                           return_predecessors=predecessors)
    return out


def _chains(eg: EdgeGraph) -> Chains:
    """The degree-2 chains of the profile's edge graph, contracted once per graph version."""
    cached = eg.__dict__.get("_chains")
    if cached is None:
        cached = eg.__dict__["_chains"] = contract_chains(eg.csr)
    return cached


def prepare_ch(graph: RoadGraph, profile: str) -> "hierarchy.ContractionHierarchy":
    """Build (once) and return the contraction hierarchy of the profile's edge graph of
    ``graph`` without closures (the graph a closure-free matrix searches)."""
    eg = edge_graph(graph.base, profile)
    cached = eg.__dict__.get("_ch")
    if cached is None:
        cached = eg.__dict__["_ch"] = hierarchy.build(eg.csr)
    return cached


def ch_fingerprint(graph: RoadGraph, profile: str) -> str:
    """The fingerprint a hierarchy of ``graph`` (without closures) for ``profile`` must carry
    (:func:`yingji.geo.roads.ch.fingerprint`), computed once per graph and profile."""
    eg = edge_graph(graph.base, profile)
    cached = eg.__dict__.get("_fingerprint")
    if cached is None:
        cached = eg.__dict__["_fingerprint"] = hierarchy.fingerprint(eg.csr)
    return cached


HierarchyStore = Callable[[str, str], "hierarchy.ContractionHierarchy | None"]


def attach_hierarchy_store(graph: RoadGraph, store: HierarchyStore) -> None:
    """Where hierarchies built beforehand (by a background task, possibly in another process) are
    found: ``store(profile, fingerprint)`` returns the stored hierarchy with that fingerprint, or
    None. Asked on every matrix until it answers; kept on the graph without closures."""
    graph.base.__dict__["_ch_store"] = store


def _matrix_ch(graph: RoadGraph, eg: EdgeGraph):
    """The hierarchy a seconds-only matrix on ``graph`` may use, or None (see the module
    docstring): one already in memory, else a stored one, else — for a small graph under
    ``"auto"``, or any graph under ``"always"`` — one built now."""
    if MATRIX_CH == "never" or graph.closed.any():
        return None
    base_eg = edge_graph(graph.base, eg.profile)  # a copy with no closure: the base's
    cached = base_eg.__dict__.get("_ch")
    if cached is None and (store := graph.base.__dict__.get("_ch_store")) is not None:
        stored = store(eg.profile, ch_fingerprint(graph, eg.profile))
        if stored is not None:
            cached = base_eg.__dict__["_ch"] = stored
    if cached is None and (MATRIX_CH == "always" or eg.csr.shape[0] <= CH_AUTO_BUILD_NODES):
        cached = prepare_ch(graph, eg.profile)
    return cached


def _ch_durations(eg: EdgeGraph, ch, src: Snapped, tgt: Snapped) -> np.ndarray:
    """Seconds (sources x targets) from the hierarchy: the same costs as :func:`_target_costs`
    on a forward search, with the virtual source and target of every point."""
    sources = [[(e, offset - SHIFT_S) for e, offset in _start_arcs(eg, src, i)] for i in range(len(src.edge))]
    rev, edge_s = eg.reverse_csr, eg.edge_s
    targets = []
    for j in range(len(tgt.edge)):
        arcs = []
        for f, frac in tgt.states(j):
            if not eg.usable[f]:
                continue
            lo, hi = rev.indptr[f], rev.indptr[f + 1]
            # a target at the very start of its segment is reached at the node, before any turn
            costs = rev.data[lo:hi] - (1.0 - frac) * edge_s[f] if frac > 0.0 else np.zeros(hi - lo)
            arcs += zip(rev.indices[lo:hi].tolist(), costs.tolist())
        targets.append(arcs)
    out = ch.many_to_many(sources, targets)
    by_edge: dict[int, list[tuple[int, float]]] = {}
    for j in range(len(tgt.edge)):
        for f, tt in tgt.states(j):
            if eg.usable[f]:
                by_edge.setdefault(f, []).append((j, tt))
    for i in range(len(src.edge)):  # the same segment, driven forward
        access = float(access_seconds(src.snap_m[i]))
        for e, ts in src.states(i):
            for j, tt in by_edge.get(e, ()):
                if ts <= tt:
                    out[i, j] = min(out[i, j], access + (tt - ts) * edge_s[e])
    return out + access_seconds(tgt.snap_m)[None, :]


def _start_arcs(eg: EdgeGraph, src: Snapped, i: int) -> list[tuple[int, float]]:
    """``(edge, seconds + SHIFT_S)`` at which source point ``i`` is at the end of each edge it
    may start on."""
    access = float(access_seconds(src.snap_m[i]))
    return [(e, (1.0 - t) * eg.edge_s[e] + access + SHIFT_S) for e, t in src.states(i) if eg.usable[e]]


def _forward_durations(eg: EdgeGraph, src: Snapped, rows: Sequence[int]):
    """What :func:`_forward` returns as distances (as a function of the wanted columns)."""
    return _reduced_search(eg, [_start_arcs(eg, src, i) for i in rows])


def _reduced_search(eg: EdgeGraph, starts: list[list[tuple[int, float]]], limit: float = np.inf):
    """Dijkstra from one virtual node per row of ``starts`` on the edge graph with its degree-2
    chains contracted (:mod:`yingji.geo.roads.chains`), one scipy call for all rows. Returns
    ``columns(nodes) -> distances (rows x nodes)``, equal to a search on the whole graph."""
    ch = _chains(eg)
    arcs, on_chain = [], []
    for r, row in enumerate(starts):
        row_arcs = []
        for e, offset in row:
            entry = ch.entry(e, offset)
            if entry is not None:
                row_arcs.append(entry)
            if ch.kept_index[e] < 0:
                on_chain.append((r, e, offset))
        arcs.append(row_arcs)
    n = ch.reduced.shape[0]
    reduced = csgraph.dijkstra(_augmented(ch.reduced, arcs), directed=True,
                               indices=np.arange(n, n + len(starts)), limit=limit)[:, :n]

    def columns(nodes: np.ndarray) -> np.ndarray:
        dist = ch.full(reduced, nodes)
        if on_chain:
            r, e, offset = (np.asarray(x) for x in zip(*on_chain))
            ch.start_on_chain(dist, r, nodes, e, offset)
        dist[dist > limit] = np.inf
        return dist
    return columns


def _target_costs(eg: EdgeGraph, dist: np.ndarray, src: Snapped, rows, tgt: Snapped):
    """Seconds (len(rows) x targets) from forward distances ``dist`` (with the shift)."""
    out = np.full((len(rows), len(tgt.edge)), np.inf)
    via = np.full((len(rows), len(tgt.edge)), -1, dtype=np.int64)  # last edge before the target's
    state = np.zeros((len(rows), len(tgt.edge)), dtype=np.int64)  # which target state won
    starts: dict[int, list[tuple[int, float, float]]] = {}
    for r, i in enumerate(rows):
        for e, ts, access in _direct_states(src, i):
            starts.setdefault(e, []).append((r, ts, access))
    rev = eg.reverse_csr
    for s_index, (edges, fracs) in enumerate(((tgt.edge, tgt.t), (tgt.twin, 1.0 - tgt.t))):
        ok = (edges >= 0) & eg.usable[np.maximum(edges, 0)]
        cols = np.flatnonzero(ok)
        f = edges[cols]
        count = rev.indptr[f + 1] - rev.indptr[f]
        arc = np.repeat(rev.indptr[f], count) + np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
        owner = np.repeat(np.arange(len(cols)), count)  # position in cols of each in-arc
        if len(arc):
            preds = rev.indices[arc]
            frac = fracs[cols][owner]
            # a target at the very start of its segment is reached at the node, before any turn
            arc_cost = np.where(frac > 0.0, rev.data[arc] - (1.0 - frac) * eg.edge_s[f][owner], 0.0)
            costs = (dist(preds) if callable(dist) else dist[:, preds]) + arc_cost[None, :] - SHIFT_S
            has = count > 0
            starts_at = (np.cumsum(count) - count)[has]
            best = np.minimum.reduceat(costs, starts_at, axis=1)
            # arg-min per group: the first arc whose cost equals the group minimum
            hit = costs == np.repeat(best, count[has], axis=1)
            pos = np.where(hit, np.arange(len(arc))[None, :], len(arc))
            first = np.minimum.reduceat(pos, starts_at, axis=1)
            target_cols = cols[has]
            better = best < out[:, target_cols]
            rr, cc = np.nonzero(better)
            out[rr, target_cols[cc]] = best[rr, cc]
            via[rr, target_cols[cc]] = preds[first[rr, cc]]
            state[rr, target_cols[cc]] = s_index
        for j, fj, tt in zip(cols.tolist(), f.tolist(), fracs[cols].tolist()):
            for r, ts, access in starts.get(fj, ()):  # the same segment, driven forward
                c = access + (tt - ts) * eg.edge_s[fj]
                if ts <= tt and c < out[r, j]:
                    out[r, j], via[r, j], state[r, j] = c, -2, s_index
    out += access_seconds(tgt.snap_m)[None, :]
    return out, via, state


def _direct_states(src, i: int) -> list[tuple[int, float, float]]:
    if isinstance(src, _AllSources):
        return src.all_states
    access = float(access_seconds(src.snap_m[i]))
    return [(e, t, access) for e, t in src.states(i)]


@dataclass
class Matrix:
    durations_s: np.ndarray
    distances_m: np.ndarray | None
    source_snap: Snapped
    target_snap: Snapped


def matrix(graph: RoadGraph, profile: str, sources: Sequence[Point], targets: Sequence[Point],
           with_distances: bool = False, max_snap_m: float | None = DEFAULT_MAX_SNAP_M) -> Matrix:
    """Travel seconds (and metres along the fastest route) from every source to every target."""
    eg = edge_graph(graph, profile)
    points = list(sources) + list(targets)
    both = snap(graph, profile, [p[0] for p in points], [p[1] for p in points], max_snap_m)
    src = _subset(both, np.arange(len(sources)))
    tgt = _subset(both, np.arange(len(sources), len(points)))
    ch = None if with_distances else _matrix_ch(graph, eg)
    if ch is not None:
        return Matrix(_ch_durations(eg, ch, src, tgt), None, src, tgt)
    seconds = np.full((len(sources), len(targets)), np.inf)
    metres = np.full((len(sources), len(targets)), np.inf) if with_distances else None
    # rows per search: dense rows of the (reduced) graph, about REDUCED_CELLS floats at most
    chunk = SOURCE_CHUNK if with_distances else max(SOURCE_CHUNK, REDUCED_CELLS // max(_chains(eg).reduced.shape[0], 1))
    for start in range(0, len(sources), chunk):
        rows = list(range(start, min(start + chunk, len(sources))))
        if with_distances:
            dist, pred = _forward(eg, src, rows, predecessors=True)
        else:
            dist, pred = _forward_durations(eg, src, rows), None
        costs, via, state = _target_costs(eg, dist, src, rows, tgt)
        seconds[rows] = costs
        if with_distances:
            metres[rows] = _path_metres(eg, pred, via, state, src, rows, tgt) + \
                src.snap_m[rows][:, None] + tgt.snap_m[None, :]
    if metres is not None:
        metres[~np.isfinite(seconds)] = np.inf
    return Matrix(seconds, metres, src, tgt)


def _path_metres(eg, pred, via, state, src, rows, tgt) -> np.ndarray:
    """Metres of the winning paths, walking all predecessor chains at once."""
    g, n = eg.graph, eg.csr.shape[0]
    length = g.length_m
    out = np.zeros(via.shape)
    target_state = np.where(state == 0, tgt.edge[None, :], tgt.twin[None, :])
    frac = np.where(state == 0, tgt.t[None, :], 1.0 - tgt.t[None, :])
    out += np.where(via >= -1, frac * length[np.maximum(target_state, 0)], 0.0)
    for r, i in enumerate(rows):  # direct, same-segment
        for e, ts in src.states(i):
            direct = (via[r] == -2) & (target_state[r] == e)
            out[r, direct] = (frac[r, direct] - ts) * length[e]
    start_t = {(r, e): t for r, i in enumerate(rows) for e, t in src.states(i)}
    row_idx, col_idx = np.nonzero(via >= 0)
    cur = via[row_idx, col_idx]
    acc = np.zeros(len(cur))
    while len(cur):
        p = pred[row_idx, cur]
        first = p >= n  # came straight from the virtual source: only part of the edge
        part = np.array([1.0 - start_t.get((int(r), int(e)), 0.0) for r, e in zip(row_idx[first], cur[first])])
        add = length[cur].copy()
        if len(part):
            add[first] = part * length[cur[first]]
        acc += add
        ended = first | (p < 0)
        out[row_idx[ended], col_idx[ended]] += acc[ended]
        keep = ~ended
        row_idx, col_idx, cur, acc = row_idx[keep], col_idx[keep], p[keep], acc[keep]
    return out


# ====================================================================== single routes
def route(graph: RoadGraph, profile: str, a: Point, b: Point,
          max_snap_m: float | None = DEFAULT_MAX_SNAP_M) -> tuple[float, float, list[Point], Snapped]:
    """Fastest route ``a -> b``: (seconds, metres, coordinates a ... b, snapping of [a, b]).

    ``(inf, inf, [])`` when ``b`` cannot be reached."""
    eg = edge_graph(graph, profile)
    snapped = snap(graph, profile, [a[0], b[0]], [a[1], b[1]], max_snap_m)
    src = _subset(snapped, [0])
    tgt = _subset(snapped, [1])
    dist, pred = _forward(eg, src, [0], predecessors=True)
    costs, via, state = _target_costs(eg, dist, src, [0], tgt)
    seconds = float(costs[0, 0])
    if not np.isfinite(seconds):
        return float("inf"), float("inf"), [], snapped
    metres = float(_path_metres(eg, pred, via, state, src, [0], tgt)[0, 0] + snapped.snap_m.sum())
    edges = _edge_path(pred[0], int(via[0, 0]), eg.csr.shape[0])
    coords = _coords(graph, a, b, src, tgt, edges)
    return seconds, metres, coords, snapped


def _subset(s: Snapped, idx) -> Snapped:
    return Snapped(s.edge[idx], s.twin[idx], s.t[idx], s.snap_m[idx], s.lon[idx], s.lat[idx])


def _edge_path(pred_row: np.ndarray, last: int, n: int) -> list[int]:
    """Edges from the start edge to ``last`` (``[]`` for a same-segment route)."""
    if last < 0:
        return []
    path = [last]
    while 0 <= pred_row[path[-1]] < n:
        path.append(int(pred_row[path[-1]]))
    return path[::-1]


def _coords(graph, a, b, src: Snapped, tgt: Snapped, edges: list[int]) -> list[Point]:
    pts = [tuple(a), (float(src.lon[0]), float(src.lat[0]))]
    pts += [(float(graph.lon[graph.edge_to[e]]), float(graph.lat[graph.edge_to[e]])) for e in edges]
    pts += [(float(tgt.lon[0]), float(tgt.lat[0])), tuple(b)]
    return pts


# ====================================================================== nearest and coverage
def nearest_k(graph: RoadGraph, profile: str, origin: Point, targets: Sequence[tuple[object, float, float]],
              k: int, towards_origin: bool = True, include_unreachable: bool = False,
              with_routes: bool = True, max_snap_m: float | None = DEFAULT_MAX_SNAP_M) -> list[RankedTarget]:
    """The ``k`` targets ``(id, lon, lat)`` fastest to reach; with ``towards_origin`` (teams to an
    incident) the time runs from each target to the origin, else from the origin to each."""
    if k <= 0 or not targets:
        return []
    points = [(t[1], t[2]) for t in targets]
    if towards_origin:
        seconds = _many_to_one(graph, profile, points, origin, max_snap_m)
    else:
        seconds = matrix(graph, profile, [origin], points, max_snap_m=max_snap_m).durations_s[0]
    order = np.argsort(seconds, kind="stable")
    reachable = order[np.isfinite(seconds[order])][:k]
    ranked = []
    for i in reachable:
        t = targets[i]
        a, b = ((t[1], t[2]), tuple(origin)) if towards_origin else (tuple(origin), (t[1], t[2]))
        if with_routes:
            _, metres, coords, _ = route(graph, profile, a, b, max_snap_m)
        else:
            metres, coords = float(matrix(graph, profile, [a], [b], True, max_snap_m).distances_m[0, 0]), []
        ranked.append(RankedTarget(t[0], float(seconds[i]), metres, coords))
    if include_unreachable and len(ranked) < k:
        rest = order[~np.isfinite(seconds[order])][: k - len(ranked)]
        ranked += [RankedTarget(targets[i][0], float("inf"), float("inf"), []) for i in rest]
    return ranked


def _many_to_one(graph, profile, points, target: Point, max_snap_m) -> np.ndarray:
    """Seconds from each point to ``target`` with one backward search."""
    eg = edge_graph(graph, profile)
    tgt = snap(graph, profile, [target[0]], [target[1]], max_snap_m)
    src = snap(graph, profile, [p[0] for p in points], [p[1] for p in points], max_snap_m)
    arcs = []
    for f, tt in tgt.states(0):
        if eg.usable[f]:
            preds, w = _in_arcs(eg, f)
            arcs += [(int(p), float(wi - (1.0 - tt) * eg.edge_s[f]) + SHIFT_S) for p, wi in zip(preds, w)]
    n = eg.csr.shape[0]
    back = csgraph.dijkstra(_augmented(eg.reverse_csr, [arcs]), directed=True, indices=n)[:n] - SHIFT_S
    out = np.full(len(points), np.inf)
    tgt_states = tgt.states(0)
    for i in range(len(points)):
        for e, ts in src.states(i):
            if not eg.usable[e]:
                continue
            c = (1.0 - ts) * eg.edge_s[e] + back[e]
            for f, tt in tgt_states:
                if f == e and ts <= tt:
                    c = min(c, (tt - ts) * eg.edge_s[e])
            out[i] = min(out[i], c)
    return out + access_seconds(src.snap_m) + float(access_seconds(tgt.snap_m[0]))


def sample_times(graph: RoadGraph, profile: str, sources: Sequence[Point],
                 samples: Sequence[tuple[float, float, float]], limit_s: float = np.inf,
                 max_snap_m: float | None = None) -> np.ndarray:
    """Seconds from the nearest source to each sample ``(lon, lat, weight)`` (one search)."""
    eg = edge_graph(graph, profile)
    src = snap(graph, profile, [s[0] for s in sources], [s[1] for s in sources], max_snap_m)
    tgt = snap(graph, profile, [s[0] for s in samples], [s[1] for s in samples], max_snap_m)
    arcs = [arc for i in range(len(sources)) for arc in _start_arcs(eg, src, i)]
    dist = _reduced_search(eg, [arcs], limit=limit_s + SHIFT_S)
    # one virtual row stands for every source: the same-segment shortcut uses any of them
    costs, _, _ = _target_costs(eg, dist, _AllSources(src), [0], tgt)
    out = costs[0]
    out[out > limit_s] = np.inf
    return out


class _AllSources:
    """Adapter: every source point's states as the states of one virtual source."""

    def __init__(self, s: Snapped):
        self.all_states = [(e, t, float(access_seconds(s.snap_m[i])))
                           for i in range(len(s.edge)) for e, t in s.states(i)]


def coverage(graph: RoadGraph, profile: str, sources: Sequence[Point], limit_s: float,
             samples: Sequence[tuple[float, float, float]]) -> float:
    """Weighted share (0..1) of ``samples`` reachable from a source within ``limit_s``."""
    if not samples or not sources:
        return 0.0
    weights = np.asarray([s[2] for s in samples], dtype=np.float64)
    if weights.sum() <= 0:
        return 0.0
    covered = sample_times(graph, profile, sources, samples, limit_s) <= limit_s
    return float(weights[covered].sum() / weights.sum())
