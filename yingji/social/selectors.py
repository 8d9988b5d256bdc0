"""Reads of the social app: the console's scoped lists, and the public portal's reads (no login:
published, public records only — warnings, plans, shelters, articles, enforcement decisions)."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, Q

from yingji.command import routing
from yingji.core import scope
from yingji.core.errors import ServiceError
from yingji.enforcement import selectors as enforcement
from yingji.geo.distance import haversine_m
from yingji.preparedness import selectors as preparedness
from yingji.resources.models import Shelter
from yingji.warnings import selectors as warnings

from .models import Article, Callup, FieldReport, PublicReport, SocialForce, Volunteer

NEAREST_CANDIDATES = 5


# ----------------------------------------------------------------------------- console
def visible_forces(user):
    return scope.visible(SocialForce.objects.all(), user).annotate(member_count=Count("members", distinct=True))


def visible_volunteers(user):
    return scope.visible(Volunteer.objects.all(), user)


def visible_callups(user):
    return scope.visible(Callup.objects.all(), user).select_related("incident", "drill")


def report_queue(user, state: str = "new"):
    qs = scope.visible(PublicReport.objects.all(), user)
    return qs.filter(state=state) if state else qs


def field_queue(user, state: str = ""):
    qs = scope.visible(FieldReport.objects.select_related("author", "task").prefetch_related("photos"), user)
    return qs.filter(state=state) if state else qs


# ----------------------------------------------------------------------------- portal (public)
def city_prefix() -> str:
    return settings.YINGJI_PROFILE_CITY[:4]


def active_warnings():
    return list(warnings.active_warnings())


def recently_ended():
    return warnings.recently_ended()


def published_plans():
    return list(preparedness.published_plans(city_prefix()))


def published_decisions():
    return list(enforcement.published_decisions())


def public_articles(category: str = ""):
    qs = Article.objects.filter(published=True)
    return qs.filter(category=category) if category else qs


def public_shelters():
    return list(Shelter.objects.filter(division_code__startswith=city_prefix()).exclude(status="closed")
                .order_by("division_code", "name")) + list(
        Shelter.objects.filter(division_code__startswith=city_prefix(), status="closed").order_by("division_code", "name"))


def nearest_shelters(lon: float, lat: float, k: int = 3) -> list[dict]:
    """The shelters nearest to the visitor that still have room: candidates by straight line,
    ranked by road travel time where the road network reaches them (else by distance)."""
    open_ones = [s for s in Shelter.objects.filter(division_code__startswith=city_prefix(), lon__isnull=False)
                 .filter(Q(status="open") | Q(status="closed")) if s.capacity > s.occupancy]
    ranked = sorted(open_ones, key=lambda s: haversine_m(lon, lat, s.lon, s.lat))[:NEAREST_CANDIDATES]
    rows = [{"shelter": s, "straight_m": haversine_m(lon, lat, s.lon, s.lat), "minutes": None, "metres": None,
             "route": []} for s in ranked]
    try:
        routed = routing.nearest_points((lon, lat), [(i, r["shelter"].lon, r["shelter"].lat) for i, r in enumerate(rows)],
                                        k=len(rows), towards_origin=False, with_routes=True) if rows else []
    except ServiceError:  # no road network loaded: the straight-line ranking stands
        routed = []
    for r in routed:
        if r["reachable"]:
            rows[r["id"]].update(minutes=r["minutes"], metres=r["metres"], route=r["route"])
    rows.sort(key=lambda r: (r["minutes"] is None, r["minutes"] or 0, r["straight_m"]))
    return rows[:k]
