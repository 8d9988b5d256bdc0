"""Road graph for car travel times: model, OpenStreetMap import, synthetic Fuxin network.

Pure Python (numpy / scipy / shapely / pyosmium); no Django imports.

Model
-----
A :class:`RoadGraph` holds

* nodes: ``lon``, ``lat`` (WGS-84 degrees, float64 arrays);
* directed edges: ``edge_from``, ``edge_to`` (node indices), ``length_m``, ``speed_kmh``,
  ``road_class`` (index into ``class_names``) and ``way_id`` (OSM way id, or a generated
  road id for synthetic graphs);
* ``closed``: a per-edge boolean closure mask (see :meth:`RoadGraph.with_closures`);
* ``metadata``: a JSON-serialisable dict (``source``, ``synthetic`` ...).

A two-way road is two directed edges. Travel seconds of an edge are
``length_m / (speed_kmh / 3.6)``. :attr:`RoadGraph.csr` is an ``n x n`` CSR matrix of travel
seconds over the *open* edges, ready for :mod:`scipy.sparse.csgraph`; where several open edges
join the same ordered pair of nodes the fastest one is kept.

Components
----------
OSM extracts contain fragments that are cut off from the rest (parking aisles, pieces clipped
at the extract border, one-way dead ends). :attr:`RoadGraph.main_component_mask` marks the
largest strongly connected component of the graph *without closures*; points are snapped only
to nodes in it, so that every snapped node can reach and be reached from every other one while
no road is closed. ``component_labels`` tells which component any node belongs to.

Limitations
-----------
* Turn restrictions (OSM ``type=restriction`` relations) are **not** applied: the graph is
  node-based, so a forbidden turn can appear in a route. Modelling them needs an edge-based
  graph (one graph node per directed edge, turns as arcs); not implemented.
* Tunnels and bridges are ordinary roads (no special treatment).
* Traffic signals, turn costs and congestion are ignored.
"""

from __future__ import annotations

import json
import math
import re
from functools import cached_property
from pathlib import Path
from typing import Iterable, Mapping

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph

EARTH_RADIUS_M = 6_371_008.8

# Car speed profile (km/h) by road class, used when a way carries no usable ``maxspeed``.
# OSM ``highway=*`` classes first, then the Chinese administrative classes of the synthetic
# network (expressway 高速公路, national 国道, provincial 省道, county 县道, township 乡道).
# The figures are typical free-flow speeds for a loaded emergency truck, not legal limits.
CAR_SPEED_KMH: dict[str, float] = {
    "motorway": 100.0,
    "motorway_link": 50.0,
    "trunk": 80.0,
    "trunk_link": 45.0,
    "primary": 60.0,
    "primary_link": 40.0,
    "secondary": 50.0,
    "secondary_link": 35.0,
    "tertiary": 40.0,
    "tertiary_link": 30.0,
    "unclassified": 30.0,
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

# highway=* values that cars cannot use (everything not in CAR_SPEED_KMH is skipped too).
NON_CAR_HIGHWAYS = frozenset(
    {
        "footway", "cycleway", "path", "steps", "pedestrian", "bridleway", "track", "corridor",
        "construction", "proposed", "abandoned", "disused", "platform", "elevator", "bus_stop",
        "raceway", "escape", "busway", "bus_guideway", "via_ferrata", "services", "rest_area",
    }
)

# access / motor_vehicle / motorcar values that forbid ordinary car traffic.
NO_CAR_ACCESS = frozenset({"no", "private", "agricultural", "forestry", "delivery", "use_sidepath"})

# Classes whose ways are one-way even without an ``oneway`` tag.
IMPLIED_ONEWAY_CLASSES = frozenset({"motorway"})

# Implicit national maxspeed values (km/h) for tags such as ``maxspeed=FR:urban``.
IMPLICIT_MAXSPEED_KMH = {"urban": 50.0, "rural": 80.0, "motorway": 120.0, "trunk": 100.0,
                         "living_street": 10.0, "walk": 6.0, "zone30": 30.0, "zone20": 20.0}

MIN_EDGE_SECONDS = 1e-3  # csgraph must never see a zero weight (it would vanish from CSR)

SYNTHETIC_CLASSES = ("expressway", "expressway_link", "national", "provincial", "county", "township")


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
        self._check_shapes()

    def _check_shapes(self) -> None:
        if len(self.lon) != len(self.lat):
            raise ValueError("节点经纬度数组长度不一致")
        sizes = {len(a) for a in (self.edge_to, self.length_m, self.speed_kmh, self.road_class,
                                  self.way_id, self.closed)}
        if sizes - {len(self.edge_from)}:
            raise ValueError("边属性数组长度不一致")
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

    def edge_class_names(self) -> np.ndarray:
        """Road class name of every edge (array of str)."""
        return np.asarray(self.class_names, dtype=object)[self.road_class]

    # ------------------------------------------------------------------ sparse matrices
    @cached_property
    def _csr_parts(self) -> tuple[sparse.csr_matrix, np.ndarray]:
        open_edges = np.flatnonzero(~self.closed)
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
        full = _fastest_edge_csr(self.n_nodes, self.edge_from, self.edge_to, self.travel_s,
                                 np.arange(self.n_edges))[0]
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
        from scipy.spatial import cKDTree

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
                         self.metadata, closed=closed, _base=self.base)

    # ------------------------------------------------------------------ persistence
    def save(self, path: str | Path) -> None:
        """Write the graph (closures included) to a compressed ``.npz`` file."""
        np.savez_compressed(
            path, lon=self.lon, lat=self.lat, edge_from=self.edge_from, edge_to=self.edge_to,
            length_m=self.length_m, speed_kmh=self.speed_kmh, road_class=self.road_class,
            way_id=self.way_id, closed=self.closed,
            class_names=np.asarray(self.class_names, dtype=str),
            metadata=np.asarray(json.dumps(self.metadata, ensure_ascii=False)),
        )

    @classmethod
    def load(cls, path: str | Path) -> "RoadGraph":
        with np.load(path, allow_pickle=False) as data:
            base = cls(data["lon"], data["lat"], data["edge_from"], data["edge_to"],
                       data["length_m"], data["speed_kmh"], data["road_class"], data["way_id"],
                       [str(name) for name in data["class_names"]],
                       json.loads(str(data["metadata"])))
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


# ====================================================================== OSM tags
_NUMBER = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(mph|km/h|kmh|kph)?\s*$", re.IGNORECASE)


def parse_maxspeed(value: str | None) -> float | None:
    """Parse an OSM ``maxspeed`` value to km/h; ``None`` when absent or not usable.

    Handles ``"50"``, ``"50 km/h"``, ``"30 mph"``, implicit values such as ``"FR:urban"`` or
    ``"CN:rural"``, and ``"walk"``. ``"none"``, ``"signals"``, ``"variable"`` give ``None``;
    for ``"50;70"`` the first value is used.
    """
    if not value:
        return None
    value = value.split(";")[0].strip()
    match = _NUMBER.match(value)
    if match:
        speed = float(match.group(1))
        if match.group(2) and match.group(2).lower() == "mph":
            speed *= 1.609344
        return speed if speed > 0 else None
    suffix = value.split(":")[-1].strip().lower()
    return IMPLICIT_MAXSPEED_KMH.get(suffix)


def car_access_allowed(tags: Mapping[str, str]) -> bool:
    """False when the most specific of motorcar / motor_vehicle / vehicle / access forbids cars."""
    for key in ("motorcar", "motor_vehicle", "vehicle", "access"):
        value = tags.get(key)
        if value is not None:
            return value.strip().lower() not in NO_CAR_ACCESS
    return True


def oneway_direction(tags: Mapping[str, str], highway: str) -> int:
    """+1 one-way along the way, -1 one-way against it, 0 both directions.

    ``oneway=yes/true/1`` -> +1, ``oneway=-1/reverse`` -> -1, ``oneway=no/false/0`` -> 0;
    otherwise roundabouts (``junction=roundabout/circular``) and ``highway=motorway`` imply +1.
    ``oneway=reversible/alternating`` ways are dropped by the importer (direction unknown).
    """
    value = (tags.get("oneway") or "").strip().lower()
    if value in ("yes", "true", "1"):
        return 1
    if value in ("-1", "reverse"):
        return -1
    if value in ("no", "false", "0"):
        return 0
    if tags.get("junction") in ("roundabout", "circular") or highway in IMPLIED_ONEWAY_CLASSES:
        return 1
    return 0


def car_way_profile(tags: Mapping[str, str]) -> tuple[str, float, int] | None:
    """(road class, speed km/h, oneway direction) of a way cars may use, else ``None``."""
    highway = tags.get("highway")
    if highway is None or highway in NON_CAR_HIGHWAYS or highway not in CAR_SPEED_KMH:
        return None
    if tags.get("area") == "yes" or not car_access_allowed(tags):
        return None
    if (tags.get("oneway") or "").lower() in ("reversible", "alternating"):
        return None
    speed = parse_maxspeed(tags.get("maxspeed")) or CAR_SPEED_KMH[highway]
    return highway, speed, oneway_direction(tags, highway)


# ====================================================================== OSM import
def import_osm_pbf(path: str | Path) -> RoadGraph:
    """Read car-usable ``highway=*`` ways of an ``.osm.pbf`` file into a :class:`RoadGraph`.

    Every OSM node on a kept way becomes a graph node (no contraction), so routes follow the
    way geometry. Segments touching a node without a location are left out. See
    :func:`car_way_profile` for the kept ways, speeds and one-way rules. Turn restrictions are
    not applied (see module docstring).
    """
    import osmium

    refs: list[int] = []
    lons: list[float] = []
    lats: list[float] = []
    segment_ok: list[bool] = []  # segment from this node to the next one in the same way
    way_meta: list[tuple[int, int, float, int, int]] = []  # way id, class, speed, dir, n nodes
    class_names = list(CAR_SPEED_KMH)
    class_index = {name: i for i, name in enumerate(class_names)}

    processor = (osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
                 .with_locations()
                 .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
                 .with_filter(osmium.filter.KeyFilter("highway")))
    for way in processor:
        profile = car_way_profile(way.tags)
        if profile is None or len(way.nodes) < 2:
            continue
        highway, speed, direction = profile
        valid = []
        for node in way.nodes:
            ok = node.location.valid()
            valid.append(ok)
            refs.append(node.ref)
            lons.append(node.lon if ok else math.nan)
            lats.append(node.lat if ok else math.nan)
        segment_ok.extend(a and b for a, b in zip(valid[:-1], valid[1:]))
        segment_ok.append(False)  # no segment from a way's last node
        way_meta.append((way.id, class_index[highway], speed, direction, len(valid)))

    return _graph_from_way_nodes(np.asarray(refs, np.int64), np.asarray(lons), np.asarray(lats),
                                 np.asarray(segment_ok, bool), way_meta, class_names,
                                 {"source": str(Path(path).name), "synthetic": False,
                                  "turn_restrictions": False})


def _graph_from_way_nodes(refs, lons, lats, segment_ok, way_meta, class_names, metadata):
    columns = list(zip(*way_meta)) if way_meta else [()] * 5
    nodes_per_way = np.asarray(columns[4], dtype=np.int64)
    per_node = lambda column, dtype: np.repeat(np.asarray(columns[column], dtype=dtype),
                                               nodes_per_way)
    way_of_node, class_of_node = per_node(0, np.int64), per_node(1, np.int16)
    speed_of_node, direction_of_node = per_node(2, np.float64), per_node(3, np.int64)

    start = np.flatnonzero(segment_ok)
    start = start[refs[start] != refs[start + 1]]  # drop zero-length self loops
    used_refs, inverse = np.unique(np.concatenate([refs[start], refs[start + 1]]),
                                   return_inverse=True)
    a, b = inverse[: len(start)], inverse[len(start):]
    node_lon = np.empty(len(used_refs))
    node_lat = np.empty(len(used_refs))
    node_lon[a], node_lat[a] = lons[start], lats[start]
    node_lon[b], node_lat[b] = lons[start + 1], lats[start + 1]

    length = haversine_m(lons[start], lats[start], lons[start + 1], lats[start + 1])
    direction = direction_of_node[start]
    forward, backward = direction >= 0, direction <= 0
    edge_from = np.concatenate([a[forward], b[backward]])
    edge_to = np.concatenate([b[forward], a[backward]])
    pick = lambda values: np.concatenate([values[forward], values[backward]])
    return RoadGraph(node_lon, node_lat, edge_from, edge_to, pick(length),
                     pick(speed_of_node[start]), pick(class_of_node[start]),
                     pick(way_of_node[start]), class_names, metadata)


# ====================================================================== synthetic network
def synthetic_fuxin_network(boundary_polygons: Mapping[str, object], seed: int = 0,
                            target_nodes: int = 40_000) -> RoadGraph:
    """Generate a plausible county road network inside the given boundary polygons.

    ``boundary_polygons`` maps a division code to a shapely (Multi)Polygon in lon/lat. The
    result has about ``target_nodes`` nodes (give ≥ 100_000 for benchmarks):

    * a jittered grid of township roads (乡道) clipped to the polygons, with a few links missing;
    * every 4th grid line is a county road (县道), every 12th a provincial road (省道),
      every 24th a national road (国道);
    * expressways (高速公路) join the polygons' representative points along a minimum spanning
      tree plus one long south-west/north-east corridor, with interchanges (``expressway_link``)
      about every 8 km.

    Edge lengths are the straight distance times a winding factor (1.05-1.35 for township
    roads, less for higher classes). All roads are two-way. ``metadata["synthetic"]`` is True.
    """
    import shapely
    from shapely.ops import unary_union

    if not boundary_polygons:
        raise ValueError("需要至少一个行政区边界")
    rng = np.random.default_rng(seed)
    region = unary_union(list(boundary_polygons.values()))
    shapely.prepare(region)
    builder = _NetworkBuilder(rng)

    spacing_m = math.sqrt(_area_m2(region) / max(target_nodes, 100))
    _add_grid(builder, region, spacing_m)
    anchors = [geom.representative_point() for geom in boundary_polygons.values()]
    _add_expressways(builder, region, anchors, spacing_m)

    class_names = list(SYNTHETIC_CLASSES)
    road_class = np.asarray([class_names.index(c) for c in builder.edge_class_names()], np.int16)
    speed = np.asarray([CAR_SPEED_KMH[c] for c in class_names])[road_class]
    metadata = {"source": "synthetic", "synthetic": True, "seed": seed,
                "target_nodes": target_nodes, "grid_spacing_m": round(spacing_m, 1),
                "divisions": sorted(boundary_polygons), "turn_restrictions": False}
    return RoadGraph(builder.lon, builder.lat, builder.edge_from, builder.edge_to,
                     builder.length_m, speed, road_class, builder.road_id, class_names, metadata)


class _NetworkBuilder:
    """Accumulates nodes and two-way roads for the synthetic generator."""

    WINDING = {"expressway": (1.02, 1.08), "expressway_link": (1.1, 1.3), "national": (1.03, 1.12),
               "provincial": (1.04, 1.15), "county": (1.05, 1.25), "township": (1.05, 1.35)}

    def __init__(self, rng):
        self.rng = rng
        self._lon: list[np.ndarray] = []
        self._lat: list[np.ndarray] = []
        self._edges: list[tuple[np.ndarray, np.ndarray, str, np.ndarray]] = []
        self.n_nodes = 0
        self.next_road_id = 1

    def add_nodes(self, lon, lat) -> np.ndarray:
        lon, lat = np.asarray(lon, np.float64), np.asarray(lat, np.float64)
        ids = np.arange(self.n_nodes, self.n_nodes + len(lon))
        self._lon.append(lon)
        self._lat.append(lat)
        self.n_nodes += len(lon)
        return ids

    def add_roads(self, a, b, road_class: str, road_id) -> None:
        """Two-way roads a[i] <-> b[i]; road_id per pair (several segments may share one)."""
        self._edges.append((np.asarray(a, np.int64), np.asarray(b, np.int64), road_class,
                            np.broadcast_to(np.asarray(road_id, np.int64), np.shape(a))))

    def new_road_ids(self, count: int) -> np.ndarray:
        ids = np.arange(self.next_road_id, self.next_road_id + count)
        self.next_road_id += count
        return ids

    @cached_property
    def _arrays(self):
        lon, lat = np.concatenate(self._lon), np.concatenate(self._lat)
        froms, tos, classes, roads, lengths = [], [], [], [], []
        for a, b, road_class, road_id in self._edges:
            low, high = self.WINDING[road_class]
            straight = haversine_m(lon[a], lat[a], lon[b], lat[b])
            length = straight * self.rng.uniform(low, high, len(a))
            froms += [a, b]
            tos += [b, a]
            classes += [road_class] * (2 * len(a))
            roads += [road_id, road_id]
            lengths += [length, length]
        return (lon, lat, np.concatenate(froms), np.concatenate(tos), classes,
                np.concatenate(roads), np.concatenate(lengths))

    lon = property(lambda self: self._arrays[0])
    lat = property(lambda self: self._arrays[1])
    edge_from = property(lambda self: self._arrays[2])
    edge_to = property(lambda self: self._arrays[3])
    road_id = property(lambda self: self._arrays[5])
    length_m = property(lambda self: self._arrays[6])

    def edge_class_names(self) -> list[str]:
        return self._arrays[4]


def _area_m2(geometry) -> float:
    lat0 = geometry.centroid.y
    scale = math.radians(1.0) * EARTH_RADIUS_M
    return geometry.area * scale * scale * math.cos(math.radians(lat0))


def _degree_steps(spacing_m: float, lat0: float) -> tuple[float, float]:
    metres_per_degree = math.radians(1.0) * EARTH_RADIUS_M
    return spacing_m / (metres_per_degree * math.cos(math.radians(lat0))), spacing_m / metres_per_degree


def _grid_line_class(index: np.ndarray) -> np.ndarray:
    classes = np.full(index.shape, "township", dtype=object)
    classes[index % 4 == 0] = "county"
    classes[index % 12 == 0] = "provincial"
    classes[index % 24 == 0] = "national"
    return classes


def _add_grid(builder: _NetworkBuilder, region, spacing_m: float) -> None:
    import shapely

    min_lon, min_lat, max_lon, max_lat = region.bounds
    dlon, dlat = _degree_steps(spacing_m, (min_lat + max_lat) / 2)
    columns = np.arange(min_lon, max_lon + dlon, dlon)
    rows = np.arange(min_lat, max_lat + dlat, dlat)
    grid_lon, grid_lat = np.meshgrid(columns, rows)  # shape (rows, columns)
    jitter = builder.rng.uniform(-0.3, 0.3, size=(2,) + grid_lon.shape)
    grid_lon = grid_lon + jitter[0] * dlon
    grid_lat = grid_lat + jitter[1] * dlat
    inside = shapely.contains_xy(region, grid_lon, grid_lat)
    node_of = np.full(grid_lon.shape, -1, dtype=np.int64)
    node_of[inside] = builder.add_nodes(grid_lon[inside], grid_lat[inside])

    row_index, column_index = np.indices(grid_lon.shape)
    # east-west links lie on a row line, north-south links on a column line
    for a, b, line in ((node_of[:, :-1], node_of[:, 1:], row_index[:, :-1]),
                       (node_of[:-1, :], node_of[1:, :], column_index[:-1, :])):
        a, b, line = a.ravel(), b.ravel(), line.ravel()
        keep = (a >= 0) & (b >= 0)
        a, b, line = a[keep], b[keep], line[keep]
        classes = _grid_line_class(line)
        township_gap = (classes == "township") & (builder.rng.random(len(a)) < 0.12)
        for road_class in ("township", "county", "provincial", "national"):
            selected = (classes == road_class) & ~township_gap
            # one road id per grid line and class, like a named road
            line_ids = builder.new_road_ids(int(line.max()) + 1 if len(line) else 0)
            builder.add_roads(a[selected], b[selected], road_class, line_ids[line[selected]])


def _add_expressways(builder: _NetworkBuilder, region, anchors, spacing_m: float) -> None:
    from scipy.spatial import cKDTree

    grid_lon, grid_lat = np.concatenate(builder._lon), np.concatenate(builder._lat)
    lat0 = float(np.mean(grid_lat))
    scale = math.radians(1.0) * EARTH_RADIUS_M
    to_xy = lambda lon, lat: np.column_stack([np.asarray(lon) * scale * math.cos(math.radians(lat0)),
                                              np.asarray(lat) * scale])
    grid_tree = cKDTree(to_xy(grid_lon, grid_lat))

    corridors = _expressway_corridors(region, anchors)
    node_step_m = max(2_000.0, 2 * spacing_m)
    for (lon1, lat1), (lon2, lat2) in corridors:
        length = float(haversine_m(lon1, lat1, lon2, lat2))
        count = max(2, int(length // node_step_m) + 1)
        t = np.linspace(0.0, 1.0, count)
        lon, lat = lon1 + t * (lon2 - lon1), lat1 + t * (lat2 - lat1)
        inside = _contains(region, lon, lat)
        if inside.sum() < 2:
            continue
        ids = np.full(count, -1, dtype=np.int64)
        ids[inside] = builder.add_nodes(lon[inside], lat[inside])
        pair = (ids[:-1] >= 0) & (ids[1:] >= 0)
        road_id = builder.new_road_ids(1)[0]
        builder.add_roads(ids[:-1][pair], ids[1:][pair], "expressway", road_id)
        interchange_every = max(1, int(round(8_000.0 / (length / (count - 1)))))
        exits = ids[inside][::interchange_every]
        _, nearest = grid_tree.query(to_xy(lon[inside][::interchange_every],
                                           lat[inside][::interchange_every]))
        builder.add_roads(exits, nearest, "expressway_link", builder.new_road_ids(len(exits)))


def _contains(region, lon, lat) -> np.ndarray:
    import shapely

    return shapely.contains_xy(region, np.asarray(lon), np.asarray(lat))


def _expressway_corridors(region, anchors) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """Straight corridors: MST over the divisions' anchor points + one SW-NE diagonal."""
    from scipy.sparse.csgraph import minimum_spanning_tree

    points = np.asarray([(p.x, p.y) for p in anchors], dtype=np.float64)
    corridors = []
    if len(points) >= 2:
        distance = haversine_m(points[:, None, 0], points[:, None, 1],
                               points[None, :, 0], points[None, :, 1])
        tree = minimum_spanning_tree(distance).tocoo()
        corridors += [(tuple(points[i]), tuple(points[j])) for i, j in zip(tree.row, tree.col)]
    min_lon, min_lat, max_lon, max_lat = region.bounds
    corridors.append(((min_lon, min_lat), (max_lon, max_lat)))
    return corridors
