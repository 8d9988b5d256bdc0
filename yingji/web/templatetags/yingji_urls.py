"""``{% url_table %}``: the URLs scripts need, rendered from URL names (no literal paths in JS).

Scripts call ``yingjiUrl(name, ...args)`` (web/static/web/urls.js) with a name from
:data:`SCRIPT_URL_NAMES`; ``yingjiApi(path)`` is the JSON API root (URL ``api-v1:api-root``)
followed by a route's path (django-ninja routes have no names).
"""

from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()

SCRIPT_URL_NAMES = [
    "api-v1:api-root",
    "live-stream",
    "record-detail",
    "monitoring-alarm",
    "monitoring-sensor",
    "duty-swap-request",
    "hazards:risk-points-geojson",
    "warnings:public-geojson",
]
SENTINEL = 987_650_000


def url_pattern(name: str) -> str:
    """``reverse(name)`` with ``{0}``, ``{1}``… in place of the arguments."""
    for count in range(4):
        sentinels = [SENTINEL + i for i in range(count)]
        try:
            url = reverse(name, args=sentinels)
        except NoReverseMatch:
            continue
        for i, value in enumerate(sentinels):
            url = url.replace(str(value), "{%d}" % i)
        return url
    raise NoReverseMatch(f"{name} takes more than 3 arguments")


@register.inclusion_tag("web/url_table.html")
def url_table():
    return {"urls": {name: url_pattern(name) for name in SCRIPT_URL_NAMES}}
