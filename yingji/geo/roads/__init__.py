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

Profiles and turns
------------------
``extras`` (see :func:`.graph._complete_extras`) carry what the edge-based router needs: the
emergency speed and the access bits of every edge (car / emergency), node penalties (signals,
stops, crossings), barriers, and turn restrictions. The node-based :attr:`RoadGraph.csr` uses
only the car edges and ignores turns; :mod:`.turns` builds the edge-based graph of a profile
(turn costs, restrictions, barriers) that :mod:`yingji.geo.router` searches.

Limitations
-----------
* Turn restrictions with a via *way* are not applied (counted in ``metadata``).
* Tunnels and bridges are ordinary roads (no special treatment); congestion is ignored.

Modules
-------
* :mod:`.graph` — the :class:`RoadGraph` model, its CSR matrices, components and snapping;
* :mod:`.osm` — reading OpenStreetMap tags and ``.osm.pbf`` extracts;
* :mod:`.synthetic` — the generated Fuxin network;
* :mod:`.turns` — the edge-based graph of a vehicle profile.
"""

from .graph import (  # noqa: F401
    ACCESS_CAR, ACCESS_EMERGENCY, CAR_SPEED_KMH, EARTH_RADIUS_M, EMERGENCY_SPEED_FACTOR, MIN_EDGE_SECONDS, RoadGraph,
    haversine_m,
)
from .osm import (  # noqa: F401
    IMPLICIT_MAXSPEED_KMH, IMPLIED_ONEWAY_CLASSES, NO_CAR_ACCESS, NON_CAR_HIGHWAYS, car_access_allowed,
    car_way_profile, import_osm_pbf, oneway_direction, parse_maxspeed,
)
from .synthetic import SYNTHETIC_CLASSES, synthetic_fuxin_network  # noqa: F401
