"""Where the dispatchable things are: teams, warehouses, experts and shelters from the
resources registries, as ``Target(id, name, lon, lat, ...)`` rows within the user's scope.

Experts carry no coordinates of their own; an expert is placed at the representative point
of the division they are filed under (township if known, else county) — documented in
docs/command.md."""

from __future__ import annotations

from dataclasses import dataclass, field

from yingji.core import scope
from yingji.core.errors import ValidationFailed
from yingji.regions.models import Division
from yingji.resources.models import Expert, RescueTeam, Shelter, Warehouse

from .models import Dispatch
from yingji.core.links import record_url

KINDS = {"teams": "救援队伍", "warehouses": "储备库", "experts": "专家", "shelters": "避难场所"}
# Dispatch direction: resources travel to the incident; people travel from it to shelters.
TOWARDS_ORIGIN = {"teams": True, "warehouses": True, "experts": True, "shelters": False}
# A team with a dispatch in one of these states is busy and cannot be sent again.
OPEN_STATES = ("en_route", "on_scene")


@dataclass
class Target:
    id: int
    name: str
    lon: float
    lat: float
    kind: str
    status: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def url(self) -> str:
        return record_url(REGISTRY_KEYS[self.kind], self.id)


REGISTRY_KEYS = {"teams": "teams", "warehouses": "warehouses", "experts": "experts", "shelters": "shelters"}


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        choices = "、".join(f"{k}（{v}）" for k, v in KINDS.items())
        raise ValidationFailed(f"不支持的资源类型“{kind}”，可选：{choices}", fields={"kind": ["不支持的类型"]})
    return kind


def busy_team_ids() -> set[int]:
    return set(Dispatch.objects.filter(kind="team", state__in=OPEN_STATES).values_list("team_id", flat=True))


def targets(user, kind: str, *, specialty: str = "", available_only: bool = True) -> list[Target]:
    check_kind(kind)
    return {"teams": _teams, "warehouses": _warehouses, "experts": _experts, "shelters": _shelters}[kind](
        user, specialty=specialty, available_only=available_only)


def _teams(user, specialty: str, available_only: bool) -> list[Target]:
    qs = scope.visible(RescueTeam.objects.filter(lon__isnull=False), user)
    if specialty:
        qs = qs.filter(specialties__icontains=specialty)
    if available_only:
        qs = qs.filter(readiness="standby").exclude(pk__in=busy_team_ids())
    return [Target(t.pk, t.name, t.lon, t.lat, "teams", t.get_readiness_display(),
                   {"specialties": t.specialties, "headcount": t.headcount, "duty_phone": t.duty_phone,
                    "category": t.category})
            for t in qs.order_by("pk")]


def _warehouses(user, specialty: str, available_only: bool) -> list[Target]:
    qs = scope.visible(Warehouse.objects.filter(lon__isnull=False), user)
    if specialty:
        qs = qs.filter(kind=specialty)
    return [Target(w.pk, w.name, w.lon, w.lat, "warehouses", w.get_kind_display(),
                   {"manager_phone": w.manager_phone}) for w in qs.order_by("pk")]


def _experts(user, specialty: str, available_only: bool) -> list[Target]:
    qs = scope.visible(Expert.objects.all(), user)
    if specialty:
        qs = qs.filter(category=specialty) if specialty.isascii() else qs.filter(specialties__icontains=specialty)
    if available_only:
        qs = qs.filter(availability="available")
    experts = list(qs.order_by("pk"))
    codes = {e.division_code for e in experts} | {e.division_code[:6].ljust(12, "0") for e in experts}
    points = {d.code: (d.centroid_lon, d.centroid_lat)
              for d in Division.objects.filter(code__in=codes, centroid_lon__isnull=False)}
    rows = []
    for e in experts:
        point = points.get(e.division_code) or points.get(e.division_code[:6].ljust(12, "0"))
        if point:
            rows.append(Target(e.pk, e.name, point[0], point[1], "experts", e.get_availability_display(),
                               {"category": e.get_category_display(), "employer": e.employer, "phone": e.phone,
                                "located_by": "所属区划代表点"}))
    return rows


def _shelters(user, specialty: str, available_only: bool) -> list[Target]:
    qs = scope.visible(Shelter.objects.filter(lon__isnull=False), user)
    if specialty:
        qs = qs.filter(hazard=specialty)
    rows = []
    for s in qs.order_by("pk"):
        free = max(int(s.capacity) - int(s.occupancy), 0)
        if available_only and free <= 0:
            continue
        rows.append(Target(s.pk, s.name, s.lon, s.lat, "shelters", s.get_status_display(),
                           {"capacity": s.capacity, "free": free}))
    return rows
