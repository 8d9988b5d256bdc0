"""The navigation search box: pages by Chinese label or pinyin initials, records in the user's
regional scope only, capability-gated kinds and pages hidden from roles without the capability;
the JSON endpoint is limited and cacheable, and the results page works without JavaScript."""

import uuid

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import HAIZHOU, HAIZHOU_POINT, ZHANGWU, ZHANGWU_POINT


@pytest.fixture
def incidents(db):
    from yingji.incidents.models import Incident
    from yingji.regions.models import Organisation

    made = []
    for code, point, place in ((ZHANGWU, ZHANGWU_POINT, "彰武"), (HAIZHOU, HAIZHOU_POINT, "海州")):
        unit = Organisation.objects.create(name=f"{place}测试应急管理局", kind="bureau", division_code=code)
        made.append(Incident.objects.create(
            client_token=uuid.uuid4(), title=f"{place}储罐泄漏（搜索测试）", source="phone", type_code="accident.hazchem",
            category="accident", received_at=timezone.now(), description="测试", receiving_unit=unit, division_code=code,
            lon=point[0], lat=point[1]))
    return made


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def search(user, q, **params):
    response = client_for(user).get("/api/v1/search", {"q": q, **params})
    assert response.status_code == 200, response.content
    return response.json()


def titles(result) -> set[str]:
    return {hit["title"] for hit in result["records"]}


def test_county_user_finds_own_county_records_only(make_user, enterprises, incidents):
    zhangwu = make_user("zw_duty", "duty_officer", ZHANGWU)
    found = search(zhangwu, "搜索测试")
    assert titles(found) == {"彰武储罐泄漏（搜索测试）"}
    (hit,) = found["records"]
    assert hit["kind_label"] == "突发事件" and hit["url"] == f"/incidents/{incidents[0].pk}/" and hit["where"] == "彰武县"
    # a registry (enterprises) is searched through its scoped queryset too
    assert "海州测试燃气有限公司" not in titles(search(zhangwu, "测试"))
    assert "彰武测试化工有限公司" in titles(search(zhangwu, "测试"))
    # even the exact name of another county's record finds nothing
    assert search(zhangwu, "海州储罐泄漏")["records"] == []
    city = make_user("city_duty", "duty_officer")
    assert titles(search(city, "搜索测试")) == {"彰武储罐泄漏（搜索测试）", "海州储罐泄漏（搜索测试）"}


def test_enterprise_user_finds_only_its_own_enterprise(make_user, enterprises, incidents):
    own, other = enterprises
    user = make_user("qiye_a", "enterprise", ZHANGWU, enterprise=own)
    found = titles(search(user, "测试"))
    assert own.name in found and other.name not in found
    assert "彰武储罐泄漏（搜索测试）" not in found  # incidents have no enterprise: not an enterprise user's to see


def test_capabilities_decide_which_pages_and_kinds_are_found(make_user):
    county_admin = make_user("zw_admin", "county_admin", ZHANGWU)
    make_user("张测试员", "duty_officer", ZHANGWU)
    make_user("李测试员", "duty_officer", HAIZHOU)
    viewer = make_user("zw_viewer", "viewer", ZHANGWU)
    # users.manage: an administrator finds the accounts of their own county, by name, with the role
    users = [h for h in search(county_admin, "测试员")["records"] if h["kind"] == "users"]
    assert [(h["title"], h["detail"]) for h in users] == [("张测试员", "值班员")]
    assert {p["title"] for p in search(county_admin, "用户")["pages"]} >= {"用户管理"}
    # a viewer finds neither the accounts nor the page to manage them
    assert [h for h in search(viewer, "测试员")["records"] if h["kind"] == "users"] == []
    assert "用户管理" not in {p["title"] for p in search(viewer, "用户")["pages"]}
    # a nav link that names a capability (起草预警: warnings.draft) is found only by its holders
    duty = make_user("zw_duty2", "duty_officer", ZHANGWU)
    assert "起草预警" in {p["title"] for p in search(duty, "预警")["pages"]}
    assert "起草预警" not in {p["title"] for p in search(viewer, "预警")["pages"]}


def test_pages_by_label_and_pinyin_initials(make_user):
    duty = make_user("duty_py", "duty_officer", ZHANGWU)
    by_label = search(duty, "值班台")["pages"]
    assert by_label[0]["title"] == "值班台（接报）" and by_label[0]["url"] == "/incidents/"
    assert by_label[0]["group"] == "值班值守"
    assert "值班台（接报）" in [p["title"] for p in search(duty, "zbt")["pages"]]
    assert "一张图" in [p["title"] for p in search(duty, "YZT")["pages"]]
    assert search(duty, "xyzq")["pages"] == []


def test_endpoint_is_limited_cacheable_and_refuses_anonymous(make_user, enterprises):
    from yingji.regions.models import Enterprise
    from yingji.rules.uscc import make_uscc

    for i in range(30):
        Enterprise.objects.create(name=f"彰武批量企业{i:02d}", uscc=make_uscc("9", "1", "210922", f"MA00001{i:02d}"),
                                  industry="hazchem", division_code=ZHANGWU)
    admin = make_user("zw_admin2", "county_admin", ZHANGWU)
    response = client_for(admin).get("/api/v1/search", {"q": "批量企业"})
    assert response["Cache-Control"] == "private, max-age=30"
    data = response.json()
    assert len(data["records"]) == 5 and data["more"] == {"enterprises": "/r/enterprises/?q=%E6%89%B9%E9%87%8F%E4%BC%81%E4%B8%9A"}
    assert len(search(admin, "批量企业", limit=1000)["records"]) == 20  # at most 20 of a kind, whatever is asked
    assert search(admin, "批" * 200)["query"] == "批" * 50
    assert search(admin, "   ") == {"query": "", "pages": [], "records": [], "more": {}}
    anonymous = Client().get("/api/v1/search", {"q": "批量企业"})
    assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] == "not_authenticated"


def test_results_page_works_without_javascript(make_user, enterprises, incidents):
    zhangwu = make_user("zw_page", "county_admin", ZHANGWU)
    client = client_for(zhangwu)
    page = client.get("/search/", {"q": "彰武"}).content.decode()
    assert "彰武储罐泄漏（搜索测试）" in page and f'href="/incidents/{incidents[0].pk}/"' in page
    assert "彰武测试化工有限公司" in page and "海州" not in page.split("<main")[1]
    assert "突发事件" in page and "企业" in page
    empty = client.get("/search/", {"q": "没有这样的记录"}).content.decode()
    assert "您的管辖范围内没有相符的记录" in empty and "没有名称相符的页面" in empty
    # the box on every page submits to this page
    home = client.get("/").content.decode()
    assert 'action="/search/"' in home and 'name="q"' in home


def test_every_declared_kind_can_be_searched(make_user):
    """Each app's Searchable names a selector, fields and a page that exist, and every searchable
    registry's search fields are real: a typo would otherwise fail only when someone types."""
    from django.urls import reverse

    from yingji.core.registry import REGISTRIES
    from yingji.core.search import searchables

    admin = make_user("sys_search", "sysadmin")
    declared = searchables()
    assert {s.key for _, s in declared} >= {"incidents", "warnings", "imported-alerts", "disaster-events", "users"}
    for app_name, source in declared:
        qs = source.resolve_queryset(app_name)(admin)
        for field in source.fields:
            qs.filter(**{f"{field}__icontains": "示例"}).exists()  # raises FieldError on a wrong field
        assert reverse(source.url_name, args=[1]).endswith("/1/")
    for registry in REGISTRIES.values():
        if registry.searchable:
            registry.filtered(admin, {"q": "示例"}).exists()  # raises on a wrong search field
    assert "stock-movements" not in {r.key for r in REGISTRIES.values() if r.searchable}
