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

Modules
-------
* :mod:`.graph` — the :class:`RoadGraph` model, its CSR matrices, components and snapping;
* :mod:`.osm` — reading OpenStreetMap tags and ``.osm.pbf`` extracts;
* :mod:`.synthetic` — the generated Fuxin network.
"""

from .graph import CAR_SPEED_KMH, EARTH_RADIUS_M, MIN_EDGE_SECONDS, RoadGraph, haversine_m  # noqa: F401
from .osm import (  # noqa: F401
    IMPLICIT_MAXSPEED_KMH, IMPLIED_ONEWAY_CLASSES, NO_CAR_ACCESS, NON_CAR_HIGHWAYS, car_access_allowed,
    car_way_profile, import_osm_pbf, oneway_direction, parse_maxspeed,
)
from .synthetic import SYNTHETIC_CLASSES, synthetic_fuxin_network  # noqa: F401
