"""Public pages (no login): active warnings on an offline map with their instructions, the
Atom feed and each published warning's CAP document."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control

from yingji.core import profile as installation
from yingji.regions.models import Division
from yingji.regions.services import label_point, name_of
from yingji.rules import warning_workflow as wf

from . import selectors
from .feeds import atom_feed
from .models import Warning

PUBLIC_STATES = (wf.PUBLISHED, wf.SUPERSEDED, wf.LIFTED)


def _base_url(request) -> str:
    return f"{request.scheme}://{request.get_host()}"


@cache_control(max_age=30, public=True)
def public_page(request):
    active = list(selectors.active_warnings())
    return render(request, "warnings/public.html", {
        "active": active, "ended": selectors.recently_ended(), "imported": selectors.active_imported()[:20],
        "profile_city": settings.YINGJI_PROFILE_CITY,
    })


@cache_control(max_age=30, public=True)
def public_geojson(request):
    """Active warnings plus the boundaries of the installation's units (public reference data)."""
    data = selectors.map_features(None)
    p = installation.current()  # its units: a city's counties, or a county-level city's townships
    counties = Division.objects.filter(level="township" if p.level == "county" else "county",
                                       code__startswith=p.scope_prefix, geometry__isnull=False)
    boundaries = [{"type": "Feature", "geometry": d.geometry,
                   "properties": {"name": d.name, "code": d.code, "boundary": True, "label_point": label_point(d)}}
                  for d in counties]
    return JsonResponse({"type": "FeatureCollection", "features": boundaries + data["features"]})


@cache_control(max_age=60, public=True)
def feed(request):
    warnings = list(Warning.objects.filter(state__in=PUBLIC_STATES, cap_status="Actual").order_by("-sent")[:100])
    body = atom_feed(warnings, _base_url(request), f"{selectors_title()}预警信息")
    return HttpResponse(body, content_type="application/atom+xml; charset=utf-8")


def selectors_title() -> str:
    return name_of(settings.YINGJI_PROFILE_CITY)


@cache_control(max_age=300, public=True)
def cap_document(request, identifier):
    warning = Warning.objects.filter(identifier=identifier, state__in=PUBLIC_STATES, cap_status="Actual").first()
    if warning is None:
        raise Http404
    response = HttpResponse(warning.cap_xml, content_type="application/cap+xml; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{identifier}.xml"'
    return response
