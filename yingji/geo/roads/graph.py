"""The road graph model: nodes, directed edges, closures, CSR matrices, components and snapping
(see the package docstring of :mod:`yingji.geo.roads`). Pure Python; no Django imports."""

from __future__ import annotations

import json
import math
from functools import cached_property
from pathlib import Path
from typing import Iterable, Mapping

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph
from scipy.spatial import cKDTree

EARTH_RADIUS_M = 6_371_008.8

# Car speed profile (km/h) by road class, used when a way carries no usable ``maxspeed``.
# OSM ``highway=*`` classes: the ``speeds.highway`` table of OSRM's car profile
# (osrm-backend profiles/car.lua; see docs/rules.md), plus ``road`` (not routed by OSRM) at the
# residential speed. Then the Chinese administrative classes of the synthetic network
# (expressway 高速公路, national 国道, provincial 省道, county 县道, township 乡道).
CAR_SPEED_KMH: dict[str, float] = {
    "motorway": 90.0,
    "motorway_link": 45.0,
    "trunk": 85.0,
    "trunk_link": 40.0,
    "primary": 65.0,
    "primary_link": 30.0,
    "secondary": 55.0,
    "secondary_link": 25.0,
    "tertiary": 40.0,
    "tertiary_link": 20.0,
    "unclassified": 25.0,
    "road": 25.0,
    "residential": 25.0,
    "living_street": 10.0,
    "service": 15.0,
    # synthetic hierarchy
    "expressway": 100.0,
    "expressway_link": 40.0,
    "national": 70.0,
    "provincial": 60.0,
    "county": 50.0,
    "township": 35.0,
}

# Emergency vehicles under blue lights run faster than ordinary traffic on the through roads
# (Yingji's estimate, not an official figure; see docs/rules.md). Other classes: car speed.
EMERGENCY_SPEED_FACTOR: dict[str, float] = {
    "motorway": 1.1, "trunk": 1.2, "primary": 1.15, "secondary": 1.1,
    "expressway": 1.1, "national": 1.2, "provincial": 1.15, "county": 1.1,
}


MIN_EDGE_SECONDS = 1e-3
# Profile bits of ``extras["access"]`` (edges) and ``extras["barrier"]`` (nodes: profiles blocked).
ACCESS_CAR, ACCESS_EMERGENCY = 1, 2
EDGE_EXTRAS = ("emergency_speed_kmh", "access")
NODE_EXTRAS = ("node_penalty_s", "barrier")


def _complete_extras(extras: dict, graph: "RoadGraph") -> dict:
    """Per-profile attributes with their defaults (a graph built without them: every edge open to
    both profiles at the car speed, no barrier, no signal, no turn restriction).

    * ``emergency_speed_kmh`` (edge): speed of an emergency vehicle;
    * ``access`` (edge, uint8): profiles allowed, bits :data:`ACCESS_CAR` | :data:`ACCESS_EMERGENCY`;
    * ``node_penalty_s`` (node): seconds lost passing the node (traffic signals, crossings, stops);
    * ``barrier`` (node, uint8): profiles that cannot pass the node (same bits);
    * ``restrictions`` (k x 4 int64): ``from way id, via node index, to way id, flags`` with flag
      1 = ``only_*`` (else ``no_*``) and 2 = does not apply to emergency vehicles (``except=``).
    """
    n_edges, n_nodes = len(graph.edge_from), len(graph.lon)
    extras.setdefault("emergency_speed_kmh", graph.speed_kmh)
    extras.setdefault("access", np.full(n_edges, ACCESS_CAR | ACCESS_EMERGENCY, np.uint8))
    extras.setdefault("node_penalty_s", np.zeros(n_nodes, np.float32))
    extras.setdefault("barrier", np.zeros(n_nodes, np.uint8))
    extras.setdefault("restrictions", np.zeros((0, 4), np.int64))
    types = {"emergency_speed_kmh": np.float64, "access": np.uint8, "node_penalty_s": np.float64,
             "barrier": np.uint8, "restrictions": np.int64}
    out = {name: np.asarray(value, dtype=types.get(name)) for name, value in extras.items()}
    out["restrictions"] = out["restrictions"].reshape(-1, 4)
    return out  # csgraph must never see a zero weight (it would vanish from CSR)


class RoadGraph:
    """Directed road graph with a closure mask; see the module docstring."""

    def __init__(
        self,
        lon: np.ndarray,
        lat: np.ndarray,
        edge_from: np.ndarray,
        edge_to: np.ndarray,
        length_m: np.ndarray,
        speed_kmh: np.ndarray,
        road_class: np.ndarray,
        way_id: np.ndarray,
        class_names: Iterable[str],
        metadata: Mapping | None = None,
        closed: np.ndarray | None = None,
        _base: "RoadGraph | None" = None,
        extras: Mapping[str, np.ndarray] | None = None,
    ):
        self.lon = np.asarray(lon, dtype=np.float64)
        self.lat = np.asarray(lat, dtype=np.float64)
        self.edge_from = np.asarray(edge_from, dtype=np.int32)
        self.edge_to = np.asarray(edge_to, dtype=np.int32)
        self.length_m = np.asarray(length_m, dtype=np.float64)
        self.speed_kmh = np.asarray(speed_kmh, dtype=np.float64)
        self.road_class = np.asarray(road_class, dtype=np.int16)
        self.way_id = np.asarray(way_id, dtype=np.int64)
        self.class_names = tuple(class_names)
        self.metadata = dict(metadata or {})
        n_edges = len(self.edge_from)
        self.closed = np.zeros(n_edges, dtype=bool) if closed is None else np.asarray(closed, bool)
        self._base = _base  # graph without closures; shares component and snapping caches
        self.extras = _complete_extras(dict(extras or {}), self)
        self._check_shapes()

    def _check_shapes(self) -> None:
        if len(self.lon) != len(self.lat):
            raise ValueError("节点经纬度数组长度不一致")
        sizes = {len(a) for a in (self.edge_to, self.length_m, self.speed_kmh, self.road_class,
                                  self.way_id, self.closed)}
        sizes |= {len(self.extras[name]) for name in EDGE_EXTRAS}
        if sizes - {len(self.edge_from)}:
            raise ValueError("边属性数组长度不一致")
        if {len(self.extras[name]) for name in NODE_EXTRAS} - {len(self.lon)}:
            raise ValueError("节点属性数组长度不一致")
        if len(self.edge_from) and (max(self.edge_from.max(), self.edge_to.max()) >= self.n_nodes
                                    or min(self.edge_from.min(), self.edge_to.min()) < 0):
            raise ValueError("边引用了不存在的节点")

    # ------------------------------------------------------------------ sizes and attributes
    @property
    def n_nodes(self) -> int:
        return len(self.lon)

    @property
    def n_edges(self) -> int:
        return len(self.edge_from)

    @property
    def synthetic(self) -> bool:
        return bool(self.metadata.get("synthetic", False))

    @cached_property
    def travel_s(self) -> np.ndarray:
        """Travel seconds of every edge (closures not applied)."""
        seconds = self.length_m / (self.speed_kmh / 3.6)
        return np.maximum(seconds, MIN_EDGE_SECONDS)

    @property
    def car_ok(self) -> np.ndarray:
        """Edges an ordinary car may use (the others are for emergency vehicles only)."""
        return (self.extras["access"] & ACCESS_CAR) != 0

    def edge_class_names(self) -> np.ndarray:
        """Road class name of every edge (array of str)."""
        return np.asarray(self.class_names, dtype=object)[self.road_class]

    # ------------------------------------------------------------------ sparse matrices
    @cached_property
    def _csr_parts(self) -> tuple[sparse.csr_matrix, np.ndarray]:
        open_edges = np.flatnonzero(~self.closed & self.car_ok)
        return _fastest_edge_csr(self.n_nodes, self.edge_from[open_edges],
                                 self.edge_to[open_edges], self.travel_s[open_edges], open_edges)

    @property
    def csr(self) -> sparse.csr_matrix:
        """Travel seconds over open edges (fastest of parallel edges), shape n x n."""
        return self._csr_parts[0]

    @property
    def csr_edge(self) -> np.ndarray:
        """Edge index behind every stored entry of :attr:`csr` (same order as ``csr.data``)."""
        return self._csr_parts[1]

    @cached_property
    def reverse_csr(self) -> sparse.csr_matrix:
        """Transpose of :attr:`csr`: Dijkstra on it gives travel times *towards* the source."""
        return self.csr.transpose().tocsr()

    @cached_property
    def _csr_pair_keys(self) -> np.ndarray:
        rows = np.repeat(np.arange(self.n_nodes, dtype=np.int64), np.diff(self.csr.indptr))
        return rows * self.n_nodes + self.csr.indices.astype(np.int64)

    def edges_between(self, from_nodes: np.ndarray, to_nodes: np.ndarray) -> np.ndarray:
        """Index of the open edge used for each consecutive node pair (``-1`` when none)."""
        keys = np.asarray(from_nodes, np.int64) * self.n_nodes + np.asarray(to_nodes, np.int64)
        pair_keys = self._csr_pair_keys
        if len(pair_keys) == 0:
            return np.full(len(keys), -1, dtype=np.int64)
        pos = np.minimum(np.searchsorted(pair_keys, keys), len(pair_keys) - 1)
        return np.where(pair_keys[pos] == keys, self.csr_edge[pos], -1)

    # ------------------------------------------------------------------ components
    @property
    def base(self) -> "RoadGraph":
        """The same graph without any closure."""
        return self._base if self._base is not None else self

    @cached_property
    def _components(self) -> tuple[int, np.ndarray]:
        if self._base is not None:
            return self._base._components
        car = np.flatnonzero(self.car_ok)
        full = _fastest_edge_csr(self.n_nodes, self.edge_from[car], self.edge_to[car],
                                 self.travel_s[car], car)[0]
        return csgraph.connected_components(full, directed=True, connection="strong")

    @property
    def component_labels(self) -> np.ndarray:
        """Strongly connected component label of every node (graph without closures)."""
        return self._components[1]

    @cached_property
    def main_component(self) -> int:
        """Label of the largest strongly connected component."""
        counts = np.bincount(self.component_labels)
        return int(np.argmax(counts)) if len(counts) else -1

    @property
    def main_component_mask(self) -> np.ndarray:
        return self.component_labels == self.main_component

    # ------------------------------------------------------------------ projection and snapping
    @cached_property
    def reference_lat(self) -> float:
        if self._base is not None:
            return self._base.reference_lat
        return float(np.mean(self.lat)) if self.n_nodes else 0.0

    def project(self, lon, lat) -> np.ndarray:
        """Local equirectangular projection to metres (x east, y north), shape (..., 2)."""
        lon = np.asarray(lon, dtype=np.float64)
        lat = np.asarray(lat, dtype=np.float64)
        scale = math.radians(1.0) * EARTH_RADIUS_M
        x = lon * scale * math.cos(math.radians(self.reference_lat))
        y = lat * scale
        return np.stack([x, y], axis=-1)

    @cached_property
    def _snap_index(self):
        if self._base is not None:
            return self._base._snap_index
        candidates = np.flatnonzero(self.main_component_mask)
        tree = cKDTree(self.project(self.lon[candidates], self.lat[candidates]))
        return tree, candidates

    def snap(self, lon, lat) -> tuple[np.ndarray, np.ndarray]:
        """Nearest main-component node of each point: (node indices, straight distance metres)."""
        tree, candidates = self._snap_index
        points = self.project(np.atleast_1d(lon), np.atleast_1d(lat))
        distance_m, position = tree.query(points)
        return candidates[position], np.asarray(distance_m, dtype=np.float64)

    # ------------------------------------------------------------------ closures
    def with_closures(self, edge_ids: Iterable[int] = (), way_ids: Iterable[int] = ()) -> "RoadGraph":
        """A copy with more edges closed (by edge index and/or by way id), cumulative.

        Node/edge arrays, the component labels and the snapping index are shared with this
        graph; only the CSR of open edges is rebuilt (lazily, on the first query).
        """
        closed = self.closed.copy()
        edge_ids = np.asarray(list(edge_ids), dtype=np.int64)
        if len(edge_ids) and (edge_ids.min() < 0 or edge_ids.max() >= self.n_edges):
            raise ValueError("封闭的路段编号不存在")
        closed[edge_ids] = True
        way_ids = list(way_ids)
        if way_ids:
            closed |= np.isin(self.way_id, np.asarray(way_ids, dtype=np.int64))
        return self._copy_with(closed)

    def without_closures(self) -> "RoadGraph":
        return self.base

    def _copy_with(self, closed: np.ndarray) -> "RoadGraph":
        return RoadGraph(self.lon, self.lat, self.edge_from, self.edge_to, self.length_m,
                         self.speed_kmh, self.road_class, self.way_id, self.class_names,
                         self.metadata, closed=closed, _base=self.base, extras=self.extras)

    # ------------------------------------------------------------------ persistence
    def save(self, path: str | Path) -> None:
        """Write the graph (closures included) to a compressed ``.npz`` file."""
        np.savez_compressed(
            path, lon=self.lon, lat=self.lat, edge_from=self.edge_from, edge_to=self.edge_to,
            length_m=self.length_m, speed_kmh=self.speed_kmh, road_class=self.road_class,
            way_id=self.way_id, closed=self.closed,
            class_names=np.asarray(self.class_names, dtype=str),
            metadata=np.asarray(json.dumps(self.metadata, ensure_ascii=False)),
            **{f"extra_{name}": value for name, value in self.extras.items()},
        )

    @classmethod
    def load(cls, path: str | Path) -> "RoadGraph":
        with np.load(path, allow_pickle=False) as data:
            base = cls(data["lon"], data["lat"], data["edge_from"], data["edge_to"],
                       data["length_m"], data["speed_kmh"], data["road_class"], data["way_id"],
                       [str(name) for name in data["class_names"]],
                       json.loads(str(data["metadata"])),
                       extras={key[6:]: data[key] for key in data.files if key.startswith("extra_")})
            closed = data["closed"]
        return base._copy_with(closed) if closed.any() else base

    def __repr__(self) -> str:
        return (f"RoadGraph(nodes={self.n_nodes}, edges={self.n_edges}, "
                f"closed={int(self.closed.sum())}, synthetic={self.synthetic})")


def _fastest_edge_csr(n_nodes, edge_from, edge_to, seconds, edge_index):
    """CSR of seconds keeping, per ordered node pair, the fastest edge; plus its edge index."""
    keys = edge_from.astype(np.int64) * n_nodes + edge_to.astype(np.int64)
    order = np.lexsort((seconds, keys))
    keys_sorted = keys[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = keys_sorted[1:] != keys_sorted[:-1]
    chosen = order[first]  # sorted by key == sorted by (row, column): canonical CSR order
    rows = edge_from[chosen].astype(np.int64)
    indptr = np.zeros(n_nodes + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n_nodes), out=indptr[1:])
    matrix = sparse.csr_matrix(
        (seconds[chosen].astype(np.float64), edge_to[chosen].astype(np.int32), indptr),
        shape=(n_nodes, n_nodes),
    )
    return matrix, np.asarray(edge_index)[chosen]


# ====================================================================== geometry helpers
def haversine_m(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Great-circle distance in metres (vectorised)."""
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(v, dtype=np.float64))
                              for v in (lon1, lat1, lon2, lat2))
    a = (np.sin((lat2 - lat1) / 2) ** 2
         + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(a, 1.0)))
