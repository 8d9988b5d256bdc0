"""The console offers an action only to users holding the capability the service checks:
no navigation link answers 403, and the forms and buttons a role may not use are not shown."""

from __future__ import annotations

import pytest
from django.test import Client

from yingji.rules.roles import ROLES

ZHANGWU = "210922000000"  # 彰武县


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _user(make_user, enterprises, role):
    enterprise = enterprises[0] if role == "enterprise" else None
    return make_user(f"pages_{role}", role, ZHANGWU if enterprise else "210900000000", enterprise=enterprise)


@pytest.mark.parametrize("role", list(ROLES))
def test_no_navigation_link_answers_403(make_user, enterprises, role):
    from django.test import RequestFactory

    from yingji.web.context import navigation

    user = _user(make_user, enterprises, role)
    client = _client(user)
    home = client.get("/")
    assert home.status_code == 200
    html = home.content.decode()
    request = RequestFactory().get("/")
    request.user = user
    links = [url for _, group in navigation(request)["nav_groups"] for _, url in group]
    links += [url for url in ("/users/", "/audit/") if f'href="{url}"' in html]
    refused = [url for url in links if client.get(url).status_code == 403]
    assert refused == []


def test_quarantine_link_only_for_those_who_may_open_it(make_user, enterprises):
    enterprise_user = _user(make_user, enterprises, "enterprise")
    supervisor = _user(make_user, enterprises, "supervisor")
    page = _client(enterprise_user).get("/").content.decode()
    assert "隔离数据" not in page
    assert _client(enterprise_user).get("/monitoring/quarantine/").status_code == 403
    assert "隔离数据" in _client(supervisor).get("/").content.decode()
    assert _client(supervisor).get("/monitoring/quarantine/").status_code == 200


def test_admin_navigation_only_for_administrators(make_user, enterprises):
    viewer = _client(_user(make_user, enterprises, "readonly")).get("/").content.decode()
    admin = _client(_user(make_user, enterprises, "county_admin")).get("/").content.decode()
    assert "用户管理" not in viewer and "审计日志" not in viewer and "后台任务" not in viewer
    assert "用户管理" in admin and "审计日志" in admin and "后台任务" in admin


def test_viewer_sees_no_intake_or_draft_forms(make_user, enterprises):
    viewer = _client(_user(make_user, enterprises, "readonly"))
    duty = _client(_user(make_user, enterprises, "duty_officer"))
    assert 'data-testid="take-call"' not in viewer.get("/incidents/").content.decode()
    assert 'data-testid="take-call"' in duty.get("/incidents/").content.decode()
    assert 'href="/warnings/new/"' not in viewer.get("/warnings/").content.decode()
    assert 'href="/warnings/new/"' in duty.get("/warnings/").content.decode()
    assert "提交交班记录" not in viewer.get("/duty/handovers/").content.decode()
    assert "提交交班记录" in duty.get("/duty/handovers/").content.decode()
    imports = viewer.get("/warnings/imports/").content.decode()
    assert 'name="xml"' not in imports
    assert viewer.post("/warnings/imports/", {"xml": "<x/>"}).status_code == 403
    assert 'name="xml"' in duty.get("/warnings/imports/").content.decode()


def test_hazard_report_button_follows_the_capability(make_user, enterprises):
    enterprise_user = _client(_user(make_user, enterprises, "enterprise"))
    duty = _client(_user(make_user, enterprises, "duty_officer"))
    assert 'data-testid="report-hazard"' in enterprise_user.get("/hazards/hidden/").content.decode()
    assert 'data-testid="report-hazard"' not in duty.get("/hazards/hidden/").content.decode()



def test_navigation_is_grouped_by_the_plans_functions_and_marks_the_current_page(make_user):
    """The ~70 links sit under the six functions of the plans (empty ones hidden), each a foldable
    section, and the page being viewed is highlighted (issue 14)."""
    from django.test import Client

    from tests.conftest import PASSWORD

    make_user("nav_admin", "city_admin")
    client = Client()
    assert client.login(username="nav_admin", password=PASSWORD)
    page = client.get("/monitoring/alarms/")
    sections = [s["name"] for s in page.context["nav_sections"]]
    assert sections[:4] == ["监督管理", "监测预警", "指挥救援", "灾情管理"]
    assert "政务管理" in sections  # 督查督办 and the annual assessment (issue 17)
    html = page.content.decode()
    assert html.count('<details class="navsection"') == len(sections)
    assert 'aria-current="page" class="current">监测报警</a>' in html
