"""Pages a profile's demo is read through in the tests (names of the URL patterns)."""

from __future__ import annotations

from django.urls import reverse

PAGES = ["dashboard", "map", "division-list", "incident-board", "plan-index", "drill-board", "training-index",
         "disaster-index", "disaster-indicators", "command-console", "monitoring-console", "duty-calendar", "audit-list"]
REGISTRIES = ["organisations", "enterprises", "teams", "warehouses", "shelters", "plans", "hazard-sources",
              "hidden-hazards", "drills", "relief-tables", "inspectors", "official-documents", "warning-channels"]
PUBLIC = ["/warnings/public/", "/warnings/public/map.geojson", "/credit/public/", "/enforcement/public/"]


def urls() -> list[str]:
    return ([reverse(name) for name in PAGES] + [reverse("record-list", args=[key]) for key in REGISTRIES]
            + ["/divisions/?level=township", "/divisions/?page=2"])


def fetch(client, url: str, refusable: bool = False) -> str:
    """The page's text; ``refusable``: a role that may not see the page gets 403 (then nothing to read)."""
    response = client.get(url)
    if refusable and response.status_code == 403:
        return ""
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()
