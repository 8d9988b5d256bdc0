"""Reading OpenStreetMap: which ways a car may use, their speed and direction, and the import of
an ``.osm.pbf`` extract into a :class:`~yingji.geo.roads.graph.RoadGraph`. Pure Python; no Django imports."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Mapping

import numpy as np

from .graph import CAR_SPEED_KMH, RoadGraph, haversine_m

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
    import osmium  # imported on use: only reading an .osm.pbf extract needs the C++ reader

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
