"""Reading OpenStreetMap: which ways a car may use, their speed and direction, and the import of
an ``.osm.pbf`` extract into a :class:`~yingji.geo.roads.graph.RoadGraph`. Pure Python; no Django imports."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Mapping

import numpy as np

from .graph import (
    ACCESS_CAR, ACCESS_EMERGENCY, CAR_SPEED_KMH, EMERGENCY_SPEED_FACTOR, RoadGraph, haversine_m,
)

NON_CAR_HIGHWAYS = frozenset(
    {
        "footway", "cycleway", "path", "steps", "pedestrian", "bridleway", "track", "corridor",
        "construction", "proposed", "abandoned", "disused", "platform", "elevator", "bus_stop",
        "raceway", "escape", "busway", "bus_guideway", "via_ferrata", "services", "rest_area",
    }
)

# access / motor_vehicle / motorcar values that forbid ordinary car traffic: the
# ``access_tag_blacklist`` of OSRM's car profile plus ``use_sidepath``.
NO_CAR_ACCESS = frozenset({"no", "private", "agricultural", "forestry", "delivery", "use_sidepath",
                           "emergency", "psv", "customers"})
# Values that stop even an emergency vehicle (unless ``emergency=yes``/``psv=yes`` says otherwise).
NO_EMERGENCY_ACCESS = frozenset({"no", "use_sidepath"})
# Ways only the emergency profile uses (bus roads) and their speed (km/h).
EMERGENCY_ONLY_SPEED_KMH = {"busway": 40.0}
# ``service=*`` values OSRM's car profile drives at 5 km/h, and the one it refuses.
SLOW_SERVICE = frozenset({"alley", "parking", "parking_aisle", "driveway", "drive-through", "drive-thru"})
SLOW_SERVICE_KMH = 5.0
# Surface / track grade / smoothness speed caps (km/h), OSRM car.lua ``surface_speeds`` etc.
SURFACE_SPEED_KMH = {
    "cement": 80, "compacted": 80, "fine_gravel": 80, "paving_stones": 60, "metal": 60, "bricks": 60,
    "grass": 40, "wood": 40, "sett": 40, "grass_paver": 40, "gravel": 40, "unpaved": 40, "ground": 40,
    "dirt": 40, "pebblestone": 40, "tartan": 40, "cobblestone": 30, "clay": 30, "earth": 20, "stone": 20,
    "rocky": 20, "sand": 20, "mud": 10,
}
TRACKTYPE_SPEED_KMH = {"grade1": 60, "grade2": 40, "grade3": 30, "grade4": 25, "grade5": 20}
SMOOTHNESS_SPEED_KMH = {"intermediate": 80, "bad": 40, "very_bad": 20, "horrible": 10, "very_horrible": 5}
# OSRM car.lua ``speed_reduction``: a tagged maxspeed is driven at 80 %.
MAXSPEED_FACTOR = 0.8
# Seconds lost at a node: traffic signals (OSRM car.lua ``traffic_light_penalty``); stop signs,
# give-way signs and pedestrian crossings are Yingji's estimates (docs/rules.md).
NODE_PENALTY_S = {"traffic_signals": 2.0, "stop": 2.0, "give_way": 1.0, "crossing": 1.0}
# Barriers a car passes (OSRM car.lua ``barrier_whitelist`` less gates, which Yingji treats as
# closed to ordinary traffic unless the node's access tag opens them), and the extra ones an
# emergency vehicle opens (lift gates, gates, chains, removable or rising bollards).
CAR_PASSABLE_BARRIERS = frozenset({"cattle_grid", "border_control", "toll_booth", "sally_port", "no",
                                   "entrance", "height_restrictor", "arch"})
EMERGENCY_PASSABLE_BARRIERS = CAR_PASSABLE_BARRIERS | {"gate", "lift_gate", "swing_gate", "chain"}
OPEN_ACCESS = frozenset({"yes", "permissive", "designated", "destination", "customers"})



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


def _first_access(tags: Mapping[str, str]) -> str | None:
    for key in ("motorcar", "motor_vehicle", "vehicle", "access"):
        value = tags.get(key)
        if value is not None:
            return value.strip().lower()
    return None


def car_access_allowed(tags: Mapping[str, str]) -> bool:
    """False when the most specific of motorcar / motor_vehicle / vehicle / access forbids cars."""
    value = _first_access(tags)
    return value is None or value not in NO_CAR_ACCESS


def emergency_access_allowed(tags: Mapping[str, str]) -> bool:
    """An emergency vehicle may use private, delivery, customer, psv and emergency-access roads;
    ``emergency=*`` decides first, ``psv``/``bus=yes`` opens a road closed to other traffic."""
    value = (tags.get("emergency") or "").strip().lower()
    if value:
        return value != "no"
    if (tags.get("psv") or tags.get("bus") or "").strip().lower() in ("yes", "designated"):
        return True
    value = _first_access(tags)
    return value is None or value not in NO_EMERGENCY_ACCESS


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


def _class_speed(tags: Mapping[str, str], highway: str) -> float:
    """OSRM's car speed of a way: class speed (5 km/h on parking aisles and driveways), a tagged
    maxspeed times 0.8 in its place, capped by surface, track grade and smoothness."""
    speed = CAR_SPEED_KMH.get(highway) or EMERGENCY_ONLY_SPEED_KMH[highway]
    if highway == "service" and tags.get("service") in SLOW_SERVICE:
        speed = SLOW_SERVICE_KMH
    maxspeed = parse_maxspeed(tags.get("maxspeed:advisory") or tags.get("maxspeed"))
    if maxspeed:
        speed = maxspeed * MAXSPEED_FACTOR
    for table, key in ((SURFACE_SPEED_KMH, "surface"), (TRACKTYPE_SPEED_KMH, "tracktype"),
                       (SMOOTHNESS_SPEED_KMH, "smoothness")):
        cap = table.get(tags.get(key) or "")
        if cap:
            speed = min(speed, float(cap))
    return speed


def way_profiles(tags: Mapping[str, str]) -> tuple[str, float, float, int, int] | None:
    """(class, car km/h, emergency km/h, oneway direction, access bits) of a way a car or an
    emergency vehicle may use, else ``None``."""
    highway = tags.get("highway")
    if highway is None or highway not in CAR_SPEED_KMH and highway not in EMERGENCY_ONLY_SPEED_KMH:
        return None
    if tags.get("area") == "yes" or (tags.get("oneway") or "").lower() in ("reversible", "alternating"):
        return None
    bits = 0
    if (highway in CAR_SPEED_KMH and car_access_allowed(tags)
            and tags.get("service") != "emergency_access"):
        bits |= ACCESS_CAR
    if emergency_access_allowed(tags):
        bits |= ACCESS_EMERGENCY
    if not bits:
        return None
    speed = _class_speed(tags, highway)
    emergency = speed * EMERGENCY_SPEED_FACTOR.get(highway, 1.0)
    return highway, speed, emergency, oneway_direction(tags, highway), bits


def car_way_profile(tags: Mapping[str, str]) -> tuple[str, float, int] | None:
    """(road class, speed km/h, oneway direction) of a way cars may use, else ``None``."""
    profile = way_profiles(tags)
    if profile is None or not profile[4] & ACCESS_CAR:
        return None
    return profile[0], profile[1], profile[3]


def node_profile(tags: Mapping[str, str]) -> tuple[float, int]:
    """(seconds lost passing, profiles blocked) of a tagged node."""
    penalty = NODE_PENALTY_S.get(tags.get("highway") or "", 0.0)
    if tags.get("crossing") == "traffic_signals":
        penalty = max(penalty, NODE_PENALTY_S["traffic_signals"])
    barrier = tags.get("barrier")
    blocked = 0
    if barrier:
        access = _first_access(tags)
        bollard = tags.get("bollard")
        car_open = ((barrier in CAR_PASSABLE_BARRIERS or bollard == "rising" or access in OPEN_ACCESS)
                    and access not in NO_CAR_ACCESS)
        if not car_open:
            blocked |= ACCESS_CAR
        emergency = (tags.get("emergency") or "").strip().lower()
        emergency_open = emergency in ("yes", "designated") or (
            emergency != "no" and (barrier in EMERGENCY_PASSABLE_BARRIERS or bollard in ("removable", "rising")))
        if not emergency_open:
            blocked |= ACCESS_EMERGENCY
    return penalty, blocked


def restriction_of(tags: Mapping[str, str]) -> tuple[bool, bool] | None:
    """(only-turn?, exempts emergency vehicles?) of a ``type=restriction`` relation for cars."""
    if tags.get("type") != "restriction":
        return None
    value = tags.get("restriction:motorcar") or tags.get("restriction")
    if not value or not value.startswith(("no_", "only_")):
        return None
    exempt = "emergency" in {v.strip() for v in (tags.get("except") or "").split(";")}
    return value.startswith("only_"), exempt


# ====================================================================== OSM import
def import_osm_pbf(path: str | Path) -> RoadGraph:
    """Read the ``highway=*`` ways a car or an emergency vehicle may use into a :class:`RoadGraph`.

    Every OSM node on a kept way becomes a graph node (no contraction), so routes follow the
    way geometry. Segments touching a node without a location are left out. See
    :func:`way_profiles` for the kept ways, speeds and one-way rules, :func:`node_profile` for
    signals and barriers; turn restrictions with a via node are kept (via-way ones are counted
    in ``metadata["restrictions_skipped"]``). Reads ``.osm.pbf`` and ``.osm`` (XML) files.
    """
    import osmium  # imported on use: only reading an extract needs the C++ reader

    refs: list[int] = []
    lons: list[float] = []
    lats: list[float] = []
    segment_ok: list[bool] = []  # segment from this node to the next one in the same way
    way_meta: list[tuple] = []  # way id, class, car speed, emergency speed, dir, access, n nodes
    class_names = list(CAR_SPEED_KMH) + list(EMERGENCY_ONLY_SPEED_KMH)
    class_index = {name: i for i, name in enumerate(class_names)}

    processor = (osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
                 .with_locations()
                 .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
                 .with_filter(osmium.filter.KeyFilter("highway")))
    for way in processor:
        profile = way_profiles(way.tags)
        if profile is None or len(way.nodes) < 2:
            continue
        highway, speed, emergency, direction, bits = profile
        valid = []
        for node in way.nodes:
            ok = node.location.valid()
            valid.append(ok)
            refs.append(node.ref)
            lons.append(node.lon if ok else math.nan)
            lats.append(node.lat if ok else math.nan)
        segment_ok.extend(a and b for a, b in zip(valid[:-1], valid[1:]))
        segment_ok.append(False)  # no segment from a way's last node
        way_meta.append((way.id, class_index[highway], speed, emergency, direction, bits, len(valid)))

    node_tags: dict[int, tuple[float, int]] = {}
    relations: list[tuple[int, int, int, bool, bool]] = []
    skipped = 0
    extra = (osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.RELATION)
             .with_filter(osmium.filter.KeyFilter("highway", "barrier", "type")))
    for obj in extra:
        if obj.is_node():
            penalty, blocked = node_profile(obj.tags)
            if penalty or blocked:
                node_tags[obj.id] = (penalty, blocked)
            continue
        kind = restriction_of(obj.tags)
        if kind is None:
            continue
        members = {(m.role, m.type): m.ref for m in obj.members}
        if ("via", "n") in members and ("from", "w") in members and ("to", "w") in members:
            relations.append((members[("from", "w")], members[("via", "n")], members[("to", "w")], *kind))
        else:
            skipped += 1

    graph = _graph_from_way_nodes(np.asarray(refs, np.int64), np.asarray(lons), np.asarray(lats),
                                  np.asarray(segment_ok, bool), way_meta, class_names, node_tags, relations)
    graph.metadata.update({"source": str(Path(path).name), "synthetic": False, "turn_restrictions": True,
                           "restrictions": int(len(graph.extras["restrictions"])),
                           "restrictions_skipped": skipped})
    return graph


def _graph_from_way_nodes(refs, lons, lats, segment_ok, way_meta, class_names, node_tags=None,
                          relations=()):
    columns = list(zip(*way_meta)) if way_meta else [()] * 7
    nodes_per_way = np.asarray(columns[6], dtype=np.int64)
    per_node = lambda column, dtype: np.repeat(np.asarray(columns[column], dtype=dtype),
                                               nodes_per_way)
    way_of_node, class_of_node = per_node(0, np.int64), per_node(1, np.int16)
    speed_of_node, emergency_of_node = per_node(2, np.float64), per_node(3, np.float64)
    direction_of_node, access_of_node = per_node(4, np.int64), per_node(5, np.uint8)

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

    node_tags = node_tags or {}
    penalty = np.zeros(len(used_refs))
    barrier = np.zeros(len(used_refs), np.uint8)
    if node_tags:
        tagged = np.asarray(sorted(node_tags), np.int64)
        pos = np.searchsorted(used_refs, tagged)
        hit = (pos < len(used_refs)) & (used_refs[np.minimum(pos, len(used_refs) - 1)] == tagged)
        for ref, i in zip(tagged[hit].tolist(), pos[hit].tolist()):
            penalty[i], barrier[i] = node_tags[ref]
    rows = []
    for from_way, via, to_way, only, exempt in relations:
        i = int(np.searchsorted(used_refs, via))
        if i < len(used_refs) and used_refs[i] == via:
            rows.append((from_way, i, to_way, (1 if only else 0) | (2 if exempt else 0)))
    extras = {"emergency_speed_kmh": pick(emergency_of_node[start]), "access": pick(access_of_node[start]),
              "node_penalty_s": penalty, "barrier": barrier,
              "restrictions": np.asarray(rows, np.int64).reshape(-1, 4)}
    return RoadGraph(node_lon, node_lat, edge_from, edge_to, pick(length),
                     pick(speed_of_node[start]), pick(class_of_node[start]),
                     pick(way_of_node[start]), class_names, {}, extras=extras)
