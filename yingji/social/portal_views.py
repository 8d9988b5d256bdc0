"""The public portal at /portal/ (no login): current warnings with CAP links and a feed,
published plans, shelters with capacity and occupancy and the nearest one from the visitor's
position, 科普 articles, published enforcement decisions, the report form and the volunteer
registration. Public pages carry caching headers; the forms are never cached."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_http_methods

from yingji.core.errors import ServiceError
from yingji.regions.models import Division
from yingji.regions.services import name_of

from . import public_reports, selectors, volunteers
from .models import VOLUNTEER_SKILLS, Article, PublicReport, Volunteer

PAGE_MAX_AGE = 60  # seconds: warnings change within minutes, so caches keep pages briefly


def _city() -> str:
    return name_of(settings.YINGJI_PROFILE_CITY.ljust(12, "0"))


def _render(request, template, context, status=200):
    return render(request, template, {"city": _city(), **context}, status=status)


@cache_control(public=True, max_age=30)
def home(request):
    return _render(request, "social/portal/home.html", {
        "active": selectors.active_warnings()[:3], "active_count": len(selectors.active_warnings()),
        "articles": selectors.public_articles()[:4], "section": "home"})


@cache_control(public=True, max_age=30)
def warnings_page(request):
    return _render(request, "social/portal/warnings.html", {
        "active": selectors.active_warnings(), "ended": selectors.recently_ended(), "section": "warnings"})


@cache_control(public=True, max_age=PAGE_MAX_AGE)
def plans(request):
    return _render(request, "social/portal/plans.html", {"plans": selectors.published_plans(), "section": "plans"})


def _point(request):
    try:
        lon, lat = float(request.GET["lon"]), float(request.GET["lat"])
    except (KeyError, ValueError):
        return None
    if not (73 <= lon <= 136 and 3 <= lat <= 54):
        return None
    return lon, lat


def shelters(request):
    point = _point(request)
    nearest = selectors.nearest_shelters(*point) if point else []
    response = _render(request, "social/portal/shelters.html", {
        "shelters": selectors.public_shelters(), "nearest": nearest, "point": point,
        "bad_point": bool(request.GET.get("lon")) and point is None, "section": "shelters"})
    # a visitor's own position is personal: answers that depend on it are not kept by shared caches
    response["Cache-Control"] = "private, no-store" if point else f"public, max-age={PAGE_MAX_AGE}"
    return response


@cache_control(public=True, max_age=PAGE_MAX_AGE)
def articles(request):
    category = request.GET.get("category", "")
    if category and category not in dict(Article.CATEGORIES):
        category = ""
    return _render(request, "social/portal/articles.html", {
        "articles": selectors.public_articles(category), "categories": Article.CATEGORIES, "category": category,
        "section": "articles"})


@cache_control(public=True, max_age=PAGE_MAX_AGE)
def article(request, pk):
    item = selectors.public_articles().filter(pk=pk).first()
    if item is None:
        raise Http404
    return _render(request, "social/portal/article.html", {"article": item, "section": "articles"})


@cache_control(public=True, max_age=PAGE_MAX_AGE)
def decisions(request):
    return _render(request, "social/portal/decisions.html", {"cases": selectors.published_decisions(),
                                                             "section": "decisions"})


@never_cache
@require_http_methods(["GET", "POST"])
def report(request):
    errors, data, message = {}, {}, ""
    if request.method == "POST":
        data = request.POST
        try:
            item = public_reports.submit(data, request.FILES.get("photo"), request.META.get("REMOTE_ADDR", ""))
        except ServiceError as exc:
            errors, message = exc.fields, exc.message
            status = exc.status
        else:
            return redirect(reverse("portal:report-thanks") + f"?n={item.pk}")
    else:
        status = 200
    return _render(request, "social/portal/report.html", {
        "kinds": PublicReport.KINDS, "token": public_reports.form_token(), "errors": errors, "data": data,
        "message": message, "section": "report"}, status=status)


@never_cache
def report_thanks(request):
    number = request.GET.get("n", "")
    return _render(request, "social/portal/thanks.html", {"number": number if number.isdigit() else "",
                                                          "what": "报告", "section": "report"})


def _counties():
    return Division.objects.filter(level="county", code__startswith=selectors.city_prefix()).order_by("code")


@never_cache
@require_http_methods(["GET", "POST"])
def volunteer(request):
    errors, data, message, status = {}, {}, "", 200
    if request.method == "POST":
        data = request.POST
        form = {**data.dict(), "skills": "、".join(data.getlist("skills"))}
        try:
            volunteers.register_from_portal(form)
        except ServiceError as exc:
            errors, message, status = exc.fields, exc.message, exc.status
        else:
            return redirect(reverse("portal:volunteer-thanks"))
    return _render(request, "social/portal/volunteer.html", {
        "counties": _counties(), "skills": VOLUNTEER_SKILLS, "availability": Volunteer.AVAILABILITY,
        "errors": errors, "data": data, "chosen": data.getlist("skills") if data else [], "message": message,
        "section": "volunteer"}, status=status)


@never_cache
def volunteer_thanks(request):
    return _render(request, "social/portal/thanks.html", {"what": "志愿者登记", "section": "volunteer"})
