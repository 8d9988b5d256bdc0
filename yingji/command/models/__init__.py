"""Models of the command app: road networks and closures, digital plans."""

from .plans import Plan, PlanAction, PlanLevel, PlanMember  # noqa: F401
from .roads import RoadClosure, RoadNetwork  # noqa: F401
from .operations import Dispatch, Response, ResponseEvent, Task, TaskNote  # noqa: F401
