from django.conf import settings

from yingji.core.registry import REGISTRIES


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    registries = [r for r in REGISTRIES.values()]
    return {
        "nav_registries": registries,
        "is_admin": user.role in ("sysadmin", "city_admin", "county_admin"),
        "profile_city": settings.YINGJI_PROFILE_CITY,
    }
