"""The Kaiyuan profile (211282, a county-level city inside Tieling 211200): its root division is
211282 — not all of Tieling —, its units are its 20 townships and streets, its demo loads with
the plan's headquarters, the parent installation is recorded, and nothing of Fuxin is in its
database or pages. The demo is loaded once for the module (tests/profiles/conftest.py)."""

from __future__ import annotations

import pytest

from tests.profiles.conftest import database_hits, fuxin_hits, profile_words
from tests.profiles.pages import PUBLIC, fetch, urls

pytestmark = pytest.mark.django_db  # the module's demo is loaded once, each test rolled back to it
PROFILE = "kaiyuan"
KAIYUAN_HQS = {"开原市特大生产安全事故应急救援指挥部", "开原市危险化学品事故灾难应急指挥部",
               "开原市非煤矿山重大事故应急救援指挥部", "开原市综合防灾减灾领导小组", "开原市防汛抗旱指挥部"}
OTHER_TIELING = ("银州区", "清河区", "铁岭县", "西丰县", "昌图县", "调兵山市")


def test_the_root_is_kaiyuan_not_tieling(loaded_profile, as_profile):
    from django.conf import settings

    from yingji.accounts.models import User
    from yingji.core import profile as installation
    from yingji.regions.models import Enterprise, Organisation
    from yingji.regions.services import visible_divisions

    profile, _ = loaded_profile
    assert settings.YINGJI_PROFILE_CITY == "211282" and installation.root_code() == "211282000000"
    assert (profile.parent_code, profile.parent_name) == ("211200", "铁岭市")  # reports to a Tieling installation
    admin = User.objects.get(username="admin")
    assert admin.region_code == "211282000000"
    seen = visible_divisions(admin)
    assert seen.filter(level="township").count() == 20 and not seen.filter(level="city").exists()
    assert {d.code for d in seen.filter(level="county")} == {"211282000000"}
    assert set(Organisation.objects.filter(kind="special_hq").values_list("name", flat=True)) == KAIYUAN_HQS
    stations = set(Organisation.objects.filter(kind="bureau").values_list("name", flat=True))
    assert {"开原市应急管理局", "威远堡镇安全生产监管站", "林丰满族乡安全生产监管站"} <= stations
    assert all(code.startswith("211282") for code in
               Enterprise.objects.filter(is_synthetic=True).values_list("division_code", flat=True))
    town = User.objects.get(username="weiyuanbao")
    assert town.region_code == "211282102000" and town.scope_prefix == "211282102"


def test_pages_show_kaiyuans_townships_and_headquarters(as_profile, client):
    from yingji.accounts.models import User

    client.force_login(User.objects.get(username="admin"))
    divisions = fetch(client, "/divisions/?level=township")
    assert "威远堡镇" in divisions and "林丰满族乡" in divisions
    everything = fetch(client, "/divisions/")
    assert not [name for name in OTHER_TIELING if name in everything]
    organisations = fetch(client, "/r/organisations/?q=指挥部")
    assert "开原市特大生产安全事故应急救援指挥部" in organisations and "开原市防汛抗旱指挥部" in organisations
    public = client.get("/warnings/public/map.geojson").json()
    boundaries = {f["properties"]["name"] for f in public["features"] if f["properties"].get("boundary")}
    assert len(boundaries) == 20 and "威远堡镇" in boundaries and not set(OTHER_TIELING) & boundaries


def test_no_fuxin_name_or_code_anywhere(as_profile, client):
    from yingji.accounts.models import User

    hits = database_hits(profile_words(PROFILE))
    assert not hits, hits[:30]
    for username in ("admin", "weiyuanbao", "qiye"):
        client.force_login(User.objects.get(username=username))
        for url in urls():
            html = fetch(client, url, refusable=username != "admin")
            assert not fuxin_hits(html), (username, url, fuxin_hits(html))
    client.logout()
    for url in PUBLIC:
        html = fetch(client, url)
        assert not fuxin_hits(html), (url, fuxin_hits(html))
