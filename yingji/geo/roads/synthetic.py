"""The synthetic Fuxin road network (a plausible county network inside boundary polygons) for the
demo and benchmarks. Pure Python; no Django imports."""

from __future__ import annotations

import math
from functools import cached_property
from typing import Mapping

import numpy as np
import shapely
from scipy.sparse.csgraph import minimum_spanning_tree
from scipy.spatial import cKDTree
from shapely.ops import unary_union

from .graph import CAR_SPEED_KMH, EARTH_RADIUS_M, EMERGENCY_SPEED_FACTOR, RoadGraph, haversine_m

SYNTHETIC_CLASSES = ("expressway", "expressway_link", "national", "provincial", "county", "township")


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
                     builder.length_m, speed, road_class, builder.road_id, class_names, metadata,
                     extras={"emergency_speed_kmh": speed * np.asarray(
                         [EMERGENCY_SPEED_FACTOR.get(c, 1.0) for c in class_names])[road_class]})


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
    return shapely.contains_xy(region, np.asarray(lon), np.asarray(lat))


def _expressway_corridors(region, anchors) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """Straight corridors: MST over the divisions' anchor points + one SW-NE diagonal."""
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
