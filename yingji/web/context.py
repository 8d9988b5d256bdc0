from django.conf import settings

from yingji.core import profile
from yingji.core.apps import yingji_apps
from yingji.core.navigation import nav_groups, nav_sections


def header_widgets(request) -> list[str]:
    """HTML snippets apps show in the top bar on every page (e.g. who is on duty now)."""
    widgets = []
    for config in yingji_apps():
        html = config.header_widget(request)
        if html:
            widgets.append(html)
    return widgets


def installation(request):
    """The installation's profile (docs/profiles.md): its name and map centre on every page."""
    p = profile.current()
    return {"installation": p, "map_centre": f"{p.map_centre[1]},{p.map_centre[0]}", "map_zoom": p.map_zoom}


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    groups = nav_groups(user)
    return {
        "nav_groups": groups,
        "nav_sections": nav_sections(groups, request.path),
        "header_widgets": header_widgets(request),
        "profile_city": settings.YINGJI_PROFILE_CITY,
    }
