"""Registry declarations of the emergency resources (pages, API, exports, map layers, imports)."""

from __future__ import annotations

from .models import (Equipment, Expert, ExpertConsultation, InformationOfficer, Material, ProtectionTarget, RescueTeam,
                     Shelter, StockMovement, Warehouse)
from .registry_kinds import CatalogueRegistry, LedgerRegistry, ResourceRegistry

GROUP = "应急资源"
LOCATION = ["division_code", "lon", "lat", "coord_source"]


def _team_summary(team: RescueTeam) -> str:
    specialties = f" · {team.specialties}" if team.specialties else ""
    return f"{team.get_category_display()} · {team.headcount} 人 · {team.get_readiness_display()}{specialties} · 值班 {team.duty_phone}"


def _state_badges(field: str, badges: dict[str, tuple[str, str | None]]):
    """Map states from a status field: ``{value: (badge, colour or None)}``; other values show no badge."""
    def states(objects) -> dict[int, dict]:
        found = {}
        for obj in objects:
            value = getattr(obj, field)
            if value in badges:
                badge, color = badges[value]
                found[obj.pk] = {"badge": badge, "state": getattr(obj, f"get_{field}_display")(),
                                 **({"color": color} if color else {})}
        return found
    return states


def _shelter_summary(s: Shelter) -> str:
    return f"{s.get_shelter_type_display()} · 容纳 {s.capacity} 人 · {s.get_status_display()}（已安置 {s.occupancy}）"


TEAMS = ResourceRegistry(
    key="teams", model=RescueTeam, label="救援队伍", nav_group=GROUP, icon="队",
    fields=["name", "category", "specialties", "level", "headcount", "parent_unit", "leader", "leader_phone",
            "duty_phone", "equipment", "readiness", "address", *LOCATION],
    list_fields=["name", "category", "level", "specialties", "headcount", "readiness", "duty_phone", "division_code"],
    search_fields=["name", "specialties", "parent_unit", "leader", "equipment"],
    filter_fields=["category", "level", "readiness"],
    ordering=["division_code", "name"],
    map_layer=True, map_summary=_team_summary, map_color="#1565c0",
    map_states=_state_badges("readiness", {"on_mission": ("出", None), "unavailable": ("停", "#78909c")}),
)

EXPERTS = ResourceRegistry(
    key="experts", model=Expert, label="应急专家", nav_group=GROUP, icon="专",
    fields=["name", "category", "specialties", "title", "employer", "level", "phone", "availability", "notes",
            "division_code"],
    list_fields=["name", "category", "specialties", "title", "employer", "level", "availability", "phone"],
    search_fields=["name", "specialties", "employer"],
    filter_fields=["category", "level", "availability"],
    ordering=["category", "name"],
)

CONSULTATIONS = ResourceRegistry(
    key="consultations", model=ExpertConsultation, label="专家咨询记录", nav_group=GROUP, icon="询",
    fields=["expert", "consulted_at", "kind", "topic", "requested_by", "outcome", "division_code"],
    list_fields=["expert", "consulted_at", "kind", "topic", "requested_by"],
    search_fields=["topic", "expert__name", "requested_by"],
    filter_fields=["kind"],
    ordering=["-consulted_at"],
    select_related=["expert"],
)

WAREHOUSES = ResourceRegistry(
    key="warehouses", model=Warehouse, label="储备库", nav_group=GROUP, icon="库",
    fields=["code", "name", "level", "kind", "owner_unit", "address", "area_m2", "manager", "manager_phone", *LOCATION],
    list_fields=["code", "name", "level", "kind", "area_m2", "manager", "manager_phone", "division_code"],
    search_fields=["code", "name", "owner_unit", "address", "manager"],
    filter_fields=["level", "kind"],
    ordering=["division_code", "code"],
    map_layer=True, map_color="#2e7d32",
    map_summary=lambda w: f"{w.get_level_display()}{w.get_kind_display()} · {w.area_m2} m² · 管理员 {w.manager} {w.manager_phone}",
)

MATERIALS = CatalogueRegistry(
    key="materials", model=Material, label="物资目录", nav_group=GROUP, icon="物",
    fields=["code", "name", "category", "spec", "unit", "min_stock", "shelf_life_days", "division_code"],
    list_fields=["code", "name", "category", "spec", "unit", "min_stock", "shelf_life_days"],
    search_fields=["code", "name", "spec"],
    filter_fields=["category"],
    ordering=["code"],
)

STOCK_MOVEMENTS = LedgerRegistry(
    key="stock-movements", model=StockMovement, label="物资台账", nav_group=GROUP, icon="账",
    fields=["warehouse", "material", "kind", "quantity", "other_warehouse", "batch", "production_date",
            "expiry_date", "signer", "occurred_at", "counterparty", "reference", "note", "delta", "division_code"],
    read_only_fields=["delta", "division_code"],
    list_fields=["occurred_at", "kind", "warehouse", "material", "quantity", "delta", "batch", "expiry_date", "signer"],
    search_fields=["material__name", "warehouse__name", "batch", "signer", "counterparty", "reference"],
    filter_fields=["kind", "warehouse", "material"],
    ordering=["-occurred_at", "-id"],
    select_related=["warehouse", "material"],
    searchable=False,  # ledger lines: found through their warehouse and material
)

EQUIPMENT = ResourceRegistry(
    key="equipment", model=Equipment, label="大型装备", nav_group=GROUP, icon="装",
    fields=["name", "kind", "model_spec", "identifier", "key_parameters", "owner_unit", "warehouse", "status", "keeper",
            "keeper_phone", *LOCATION],
    list_fields=["name", "kind", "model_spec", "identifier", "owner_unit", "status", "division_code"],
    search_fields=["name", "model_spec", "identifier", "owner_unit"],
    filter_fields=["kind", "status"],
    ordering=["division_code", "kind", "name"],
    map_layer=True, map_color="#6a1b9a",
    map_states=_state_badges("status", {"in_use": ("出", None), "maintenance": ("修", "#78909c")}),
    map_summary=lambda e: f"{e.get_kind_display()} · {e.model_spec} · {e.get_status_display()} · {e.owner_unit}",
)

SHELTERS = ResourceRegistry(
    key="shelters", model=Shelter, label="应急避难场所", nav_group=GROUP, icon="避",
    fields=["name", "shelter_type", "hazard", "level", "space", "host", "address", "total_area_m2", "effective_area_m2",
            "capacity_override", "capacity", "facilities", "service_radius_m", "manager", "manager_phone", "status",
            "occupancy", "standardised", *LOCATION],
    read_only_fields=["capacity"],
    list_fields=["name", "shelter_type", "level", "effective_area_m2", "capacity", "status", "occupancy", "division_code"],
    search_fields=["name", "address", "facilities", "manager"],
    filter_fields=["shelter_type", "level", "status"],
    ordering=["division_code", "name"],
    map_layer=True, map_summary=_shelter_summary, map_color="#00838f",
    map_states=_state_badges("status", {"open": ("开", None), "full": ("满", "#c62828")}),
)

OFFICERS = ResourceRegistry(
    key="officers", model=InformationOfficer, label="基层信息员", nav_group=GROUP, icon="员",
    fields=["name", "roles", "village", "phone", "trained", "notes", *LOCATION],
    list_fields=["name", "roles", "division_code", "village", "phone", "trained"],
    search_fields=["name", "roles", "village", "phone"],
    filter_fields=["trained"],
    ordering=["division_code", "name"],
    map_layer=True, map_color="#546e7a",
    map_summary=lambda o: f"{o.roles} · {o.village} · {o.phone}",
)

PROTECTION_TARGETS = ResourceRegistry(
    key="protection-targets", model=ProtectionTarget, label="重点防护目标", nav_group=GROUP, icon="护",
    fields=["name", "kind", "population", "contact", "phone", "address", "notes", *LOCATION],
    list_fields=["name", "kind", "population", "contact", "phone", "division_code"],
    search_fields=["name", "address", "contact"],
    filter_fields=["kind"],
    ordering=["division_code", "kind", "name"],
    map_layer=True, map_color="#ad1457",
    map_summary=lambda t: f"{t.get_kind_display()} · {t.population} 人 · {t.contact} {t.phone}",
)
