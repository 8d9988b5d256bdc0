"""The 行政区划 page: each division with its parent and whether its boundary is real."""

import pytest
from django.test import Client

from tests.conftest import CITY

pytestmark = pytest.mark.django_db


def test_county_list_shows_parent_and_real_boundaries(make_user):
    from yingji.regions.models import Division

    client = Client()
    client.force_login(make_user("city_admin_d", "city_admin", CITY))
    html = client.get("/divisions/?level=county").content.decode()
    counties = list(Division.objects.filter(level="county", code__startswith="2109"))
    assert len(counties) == 7 and all(d.name in html for d in counties)
    assert html.count("阜新市") >= 7  # each county's parent
    assert html.count("真实边界") == sum(d.geometry is not None and not d.synthetic for d in counties) == 7
    townships = client.get("/divisions/?level=township").content.decode()
    assert "合成示意" in townships and "真实边界" not in townships  # synthetic township polygons say so
