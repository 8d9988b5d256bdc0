"""Models of the hazards app (data and invariants only; grading and risk assessment are in
``yingji.hazards.grading`` and ``yingji.hazards.risk``)."""

from .base import (  # noqa: F401
    EVALUATION_PERIOD_YEARS, GRADE_NAMES, EnterpriseOwned, add_years,
    division_at,
)
from .loop import Checklist, HazardPhoto, HiddenHazard, InspectionTask, photo_path  # noqa: F401
from .risk import RiskPoint  # noqa: F401
from .sources import HazardGrading, HazardRuleSetting, HazardSource, HazardUnit, UnitChemical  # noqa: F401
