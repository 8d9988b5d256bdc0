"""Node-based travel times, routes, nearest resources and coverage on a
:class:`~yingji.geo.roads.RoadGraph` (car edges, no turns): the bare baseline of
``bench/bench_routing.py``. The platform routes with :mod:`yingji.geo.router` (edge-based,
segment snapping, profiles); :data:`ACCESS_SPEED_KMH` is shared by both.

Pure Python (numpy / scipy.sparse.csgraph); no Django imports.

Conventions
-----------
* Points are ``(lon, lat)`` in WGS-84 degrees; times are seconds, distances metres.
* A point off the network is *snapped* to the nearest node of the graph's main strongly
  connected component (see :mod:`yingji.geo.roads`). The straight line between the point and
  that node is the *access leg*; it is travelled at :data:`ACCESS_SPEED_KMH` (a slow speed for
  a yard, field track or village lane) and its time and length are included in every result.
* Closed roads (``graph.with_closures(...)``) are simply missing edges; a destination cut off by
  closures gets ``inf`` seconds.
* Turn restrictions, turn costs and barriers are not applied here (node-based graph).
"""

from __future__ import annotations

from typing import NamedTuple, Sequence

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph

from yingji.geo.roads import RoadGraph

ACCESS_SPEED_KMH = 15.0
NO_PREDECESSOR = -9999  # scipy.sparse.csgraph marker
# Super-source arcs get this constant added (a zero weight would be no arc for csgraph);
# being the same for every source it changes no choice and is subtracted from the result.
SUPER_SOURCE_SHIFT_S = 1.0

Point = tuple[float, float]


class RankedTarget(NamedTuple):
    """One row of :func:`nearest_k`."""

    id: object
    seconds: float
    metres: float
    route: list[Point]  # from the target to the origin (or origin to target, see direction)


def access_seconds(distance_m) -> np.ndarray:
    """Time of an access leg of the given straight-line length."""
    return np.asarray(distance_m, dtype=np.float64) / (ACCESS_SPEED_KMH / 3.6)


# ====================================================================== single source
def travel_times_from(graph: RoadGraph, lon: float, lat: float) -> np.ndarray:
    """Seconds from the point to every graph node (access leg included; ``inf`` unreachable)."""
    node, distance = graph.snap(lon, lat)
    seconds = csgraph.dijkstra(graph.csr, directed=True, indices=int(node[0]))
    return seconds + access_seconds(distance[0])


def travel_times_to(graph: RoadGraph, lon: float, lat: float) -> np.ndarray:
    """Seconds from every graph node to the point (access leg included; ``inf`` unreachable)."""
    node, distance = graph.snap(lon, lat)
    seconds = csgraph.dijkstra(graph.reverse_csr, directed=True, indices=int(node[0]))
    return seconds + access_seconds(distance[0])


def route(graph: RoadGraph, a: Point, b: Point) -> tuple[float, float, list[Point]]:
    """Fastest route from ``a`` to ``b``: (seconds, metres, [(lon, lat), ...]).

    The coordinates start at ``a``, follow the graph nodes and end at ``b``. When ``b`` cannot
    be reached the result is ``(inf, inf, [])``.
    """
    nodes, distances = graph.snap([a[0], b[0]], [a[1], b[1]])
    seconds, predecessors = csgraph.dijkstra(graph.csr, directed=True, indices=int(nodes[0]),
                                             return_predecessors=True)
    if not np.isfinite(seconds[nodes[1]]):
        return float("inf"), float("inf"), []
    path = _path_from_tree(predecessors, int(nodes[1]))  # origin node ... target node
    metres = path_metres(graph, path) + float(distances.sum())
    total = float(seconds[nodes[1]]) + float(access_seconds(distances).sum())
    return total, metres, [tuple(a)] + _node_coords(graph, path) + [tuple(b)]


def path_metres(graph: RoadGraph, path: Sequence[int]) -> float:
    """Length of a node path along the open edges the router uses."""
    if len(path) < 2:
        return 0.0
    path = np.asarray(path)
    edges = graph.edges_between(path[:-1], path[1:])
    if (edges < 0).any():
        raise ValueError("路径包含不存在或已封闭的路段")
    return float(graph.length_m[edges].sum())


def _path_from_tree(predecessors: np.ndarray, end: int) -> list[int]:
    """Nodes from the tree root to ``end`` following a predecessor array."""
    path = [end]
    while predecessors[path[-1]] != NO_PREDECESSOR:
        path.append(int(predecessors[path[-1]]))
    path.reverse()
    return path


def _node_coords(graph: RoadGraph, nodes: Sequence[int]) -> list[Point]:
    idx = np.asarray(nodes, dtype=np.int64)
    return list(zip(graph.lon[idx].tolist(), graph.lat[idx].tolist()))


# ====================================================================== nearest resources
def nearest_k(graph: RoadGraph, origin: Point, targets: Sequence[tuple[object, float, float]],
              k: int, towards_origin: bool = True,
              include_unreachable: bool = False) -> list[RankedTarget]:
    """The ``k`` targets ``(id, lon, lat)`` fastest to reach, ranked by travel seconds.

    With ``towards_origin=True`` (default; dispatching teams or materials to an incident at
    ``origin``) times are measured from each target *to* the origin and each route runs from the
    target to the origin. With ``False`` they are measured from the origin to each target
    (e.g. nearest shelters from a village) and routes run origin -> target.

    Both access legs are included. Targets that cannot reach (be reached) are left out, unless
    ``include_unreachable`` is set: then they follow the reachable ones with ``inf`` seconds and
    metres and an empty route. One Dijkstra search is run whatever the number of targets.
    """
    if k <= 0 or not targets:
        return []
    origin_node, origin_distance = graph.snap(origin[0], origin[1])
    matrix = graph.reverse_csr if towards_origin else graph.csr
    seconds, predecessors = csgraph.dijkstra(matrix, directed=True, indices=int(origin_node[0]),
                                             return_predecessors=True)
    target_lon = np.asarray([t[1] for t in targets], dtype=np.float64)
    target_lat = np.asarray([t[2] for t in targets], dtype=np.float64)
    target_nodes, target_distance = graph.snap(target_lon, target_lat)
    total = (seconds[target_nodes] + access_seconds(target_distance)
             + access_seconds(origin_distance[0]))
    order = np.argsort(total, kind="stable")
    reachable = order[np.isfinite(total[order])]
    ranked = [_ranked_target(graph, targets[i], origin, int(target_nodes[i]),
                             float(target_distance[i]) + float(origin_distance[0]),
                             float(total[i]), predecessors, towards_origin)
              for i in reachable[:k]]
    if include_unreachable and len(ranked) < k:
        unreachable = order[~np.isfinite(total[order])][: k - len(ranked)]
        ranked += [RankedTarget(targets[i][0], float("inf"), float("inf"), []) for i in unreachable]
    return ranked


def _ranked_target(graph, target, origin, target_node, access_m, seconds, predecessors,
                   towards_origin) -> RankedTarget:
    tree_path = _path_from_tree(predecessors, target_node)  # origin node ... target node
    if towards_origin:
        node_path = tree_path[::-1]  # real driving direction: target -> origin
        coords = [(target[1], target[2])] + _node_coords(graph, node_path) + [tuple(origin)]
    else:
        node_path = tree_path
        coords = [tuple(origin)] + _node_coords(graph, node_path) + [(target[1], target[2])]
    metres = path_metres(graph, node_path) + access_m
    return RankedTarget(target[0], seconds, metres, coords)


# ====================================================================== many sources
def multi_source_times(graph: RoadGraph, sources: Sequence[Point],
                       limit_s: float = np.inf) -> np.ndarray:
    """Seconds from the nearest of ``sources`` to every node (``inf`` beyond ``limit_s``).

    Each source's access leg is honoured exactly: a virtual super-source joined to every
    snapped source node by an arc of its access time is searched once (one Dijkstra for all
    sources). Nodes with a time above ``limit_s`` are reported as ``inf``.
    """
    if len(sources) == 0:
        return np.full(graph.n_nodes, np.inf)
    lon = np.asarray([s[0] for s in sources], dtype=np.float64)
    lat = np.asarray([s[1] for s in sources], dtype=np.float64)
    nodes, distances = graph.snap(lon, lat)
    offsets = access_seconds(distances) + SUPER_SOURCE_SHIFT_S
    augmented = _with_super_source(graph.csr, nodes, offsets)
    seconds = csgraph.dijkstra(augmented, directed=True, indices=graph.n_nodes,
                               limit=limit_s + SUPER_SOURCE_SHIFT_S)
    return seconds[: graph.n_nodes] - SUPER_SOURCE_SHIFT_S


def _with_super_source(matrix: sparse.csr_matrix, nodes: np.ndarray,
                       offsets: np.ndarray) -> sparse.csr_matrix:
    """Append one row (a super-source) with arcs ``-> nodes`` weighted by ``offsets``."""
    best = {}
    for node, offset in zip(nodes.tolist(), offsets.tolist()):
        best[node] = min(offset, best.get(node, np.inf))
    targets = np.asarray(sorted(best), dtype=matrix.indices.dtype)
    weights = np.asarray([best[t] for t in targets.tolist()], dtype=np.float64)
    n = matrix.shape[0]
    indptr = np.concatenate([matrix.indptr, [matrix.indptr[-1] + len(targets)]])
    indices = np.concatenate([matrix.indices, targets])
    data = np.concatenate([matrix.data, weights])
    return sparse.csr_matrix((data, indices, indptr), shape=(n + 1, n + 1))


def reachable_mask(graph: RoadGraph, sources: Sequence[Point], limit_s: float) -> np.ndarray:
    """Boolean per node: reachable from at least one source within ``limit_s`` seconds."""
    return multi_source_times(graph, sources, limit_s) <= limit_s


def sample_times(graph: RoadGraph, sources: Sequence[Point],
                 sample_points: Sequence[tuple[float, float, float]],
                 limit_s: float = np.inf) -> np.ndarray:
    """Seconds from the nearest source to each sample ``(lon, lat, weight)`` incl. access legs."""
    node_seconds = multi_source_times(graph, sources, limit_s)
    lon = np.asarray([p[0] for p in sample_points], dtype=np.float64)
    lat = np.asarray([p[1] for p in sample_points], dtype=np.float64)
    nodes, distances = graph.snap(lon, lat)
    return node_seconds[nodes] + access_seconds(distances)


def coverage(graph: RoadGraph, sources: Sequence[Point], limit_s: float,
             sample_points: Sequence[tuple[float, float, float]]) -> float:
    """Weighted share (0..1) of ``sample_points`` ``(lon, lat, weight)`` reachable in ``limit_s``.

    Travel runs from the sources (teams, warehouses) to the samples (villages, population
    cells), access legs at both ends included. Returns 0.0 when the total weight is zero.
    """
    if len(sample_points) == 0:
        return 0.0
    weights = np.asarray([p[2] for p in sample_points], dtype=np.float64)
    total = weights.sum()
    if total <= 0:
        return 0.0
    covered = sample_times(graph, sources, sample_points, limit_s) <= limit_s
    return float(weights[covered].sum() / total)
