"""The Benxi profile (210500): its demo loads, its pages show Benxi's own divisions and
headquarters, and nothing of Fuxin (name, county, place or 2109xx code) is in its database or
pages. The demo is loaded once for the module (tests/profiles/conftest.py)."""

from __future__ import annotations

import pytest

from tests.profiles.conftest import database_hits, fuxin_hits, profile_words
from tests.profiles.pages import PUBLIC, fetch, urls

pytestmark = pytest.mark.django_db  # the module's demo is loaded once, each test rolled back to it
PROFILE = "benxi"
BENXI_COUNTIES = {"平山区", "溪湖区", "明山区", "南芬区", "本溪满族自治县", "桓仁满族自治县"}
BENXI_HQS = {"本溪市防汛抗旱指挥部", "本溪市森林防灭火指挥部", "本溪市抗震救灾指挥部"}


def test_the_demo_is_benxis_own(loaded_profile, as_profile):
    from yingji.accounts.models import User
    from yingji.regions.models import Enterprise, Organisation
    from yingji.regions.services import visible_divisions
    from yingji.resources.models import RescueTeam, Warehouse

    _, summary = loaded_profile
    assert summary["组织机构"] > 0 and summary["审计日志校验（哈希链）"] > 0
    admin = User.objects.get(username="admin")
    assert admin.region_code == "210500000000"
    assert {d.name for d in visible_divisions(admin, "county")} == BENXI_COUNTIES
    assert set(Organisation.objects.filter(kind="special_hq").values_list("name", flat=True)) == BENXI_HQS
    general = Organisation.objects.get(kind="command", division_code="210500000000")
    assert general.name == "本溪市突发事件应急指挥部" and general.lead_unit == "本溪市人民政府"
    assert Organisation.objects.filter(name="本溪市水务局", kind="department").exists()  # Benxi's 水务局, not a 水利局
    bureaus = set(Organisation.objects.filter(kind="bureau").values_list("name", flat=True))
    assert {"本溪市应急管理局", "桓仁满族自治县应急管理局", "南芬区应急管理局"} <= bureaus
    # everything the demo made lies in Benxi, and the park is the gazette's high-tech zone
    for model in (Enterprise, RescueTeam, Warehouse):
        codes = set(model.objects.filter(is_synthetic=True).values_list("division_code", flat=True))
        assert codes and all(code.startswith("2105") for code in codes), model
    assert Enterprise.objects.filter(park="本溪高新技术产业开发区").count() == 24
    county = User.objects.get(username="huanren")
    assert (county.role, county.region_code) == ("county_admin", "210522000000")


def test_pages_show_benxis_divisions_and_headquarters(as_profile, client):
    from yingji.accounts.models import User

    client.force_login(User.objects.get(username="admin"))
    divisions = fetch(client, "/divisions/?level=county")
    assert all(name in divisions for name in BENXI_COUNTIES) and "阜新" not in divisions
    organisations = fetch(client, "/r/organisations/?q=指挥部")
    assert all(name in organisations for name in BENXI_HQS)
    home = fetch(client, "/")
    assert 'data-map-centre="41.25,124.25"' in home  # the profile's map centre
    client.force_login(User.objects.get(username="huanren"))
    assert "桓仁" in fetch(client, "/incidents/board/") or "桓仁" in fetch(client, "/")


def test_no_fuxin_name_or_code_anywhere(as_profile, client):
    from yingji.accounts.models import User

    hits = database_hits(profile_words(PROFILE))
    assert not hits, hits[:30]
    for username in ("admin", "huanren", "qiye"):
        client.force_login(User.objects.get(username=username))
        for url in urls():
            html = fetch(client, url, refusable=username != "admin")
            assert not fuxin_hits(html), (username, url, fuxin_hits(html))
    client.logout()
    for url in PUBLIC:
        html = fetch(client, url)
        assert not fuxin_hits(html), (url, fuxin_hits(html))
