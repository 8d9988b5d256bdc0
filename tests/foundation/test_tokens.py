"""API tokens expire, are listed and revocable by their owner and by administrators, and die with
a password change or reset, a lock-out and a deactivation (issue 13, finding 4)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import CITY, HAIZHOU, PASSWORD, ZHANGWU

pytestmark = pytest.mark.django_db


def _bearer(token):
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def _works(token) -> bool:
    return _bearer(token).get("/api/v1/me").status_code == 200


@pytest.fixture
def people(make_user):
    return {"admin": make_user("city_admin", "city_admin", CITY), "duty": make_user("duty_zw", "duty_officer", ZHANGWU),
            "hz_admin": make_user("hz_admin", "county_admin", HAIZHOU)}


def test_token_is_stored_hashed_and_expires(people, settings):
    from yingji.accounts.models import ApiToken
    from yingji.accounts.services import issue_token

    token = issue_token(people["duty"], "对接")
    row = ApiToken.objects.get(user=people["duty"])
    assert token not in (row.digest, row.prefix) and row.digest == ApiToken.digest_of(token)
    assert abs((row.expires_at - timezone.now()) - dt.timedelta(days=settings.YINGJI_TOKEN_DAYS)) < dt.timedelta(minutes=1)
    assert _works(token)
    ApiToken.objects.filter(pk=row.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = _bearer(token).get("/api/v1/me")
    assert response.status_code == 401 and response.json()["error"]["code"] == "not_authenticated"


def test_password_reset_and_deactivation_kill_every_token(people):
    from yingji.accounts.services import issue_token, update_user

    duty, admin = people["duty"], people["admin"]
    first, second = issue_token(duty, "一"), issue_token(duty, "二")
    update_user(admin, duty, password="Another-password-2026!")
    assert not _works(first) and not _works(second)
    third = issue_token(duty, "三")
    update_user(admin, duty, is_active=False)
    assert not _works(third)


def test_lock_out_kills_every_token(people, settings):
    from yingji.accounts.services import issue_token

    token = issue_token(people["duty"], "脚本")
    client = Client()
    for _ in range(settings.YINGJI_LOGIN_MAX_FAILURES):
        client.post("/login/", {"username": "duty_zw", "password": "wrong"})
    assert not _works(token)


def test_owner_lists_issues_and_revokes_own_tokens_in_the_api(people, api_client):
    duty = people["duty"]
    client = api_client(duty)
    issued = client.post("/api/v1/tokens/", {"name": "气象局对接", "days": 30}, content_type="application/json")
    assert issued.status_code == 201 and issued.json()["token"].startswith("yj_")
    new = issued.json()["token"]
    listing = client.get("/api/v1/tokens/").json()
    assert listing["count"] == 2 and {t["name"] for t in listing["items"]} == {"命令行签发", "气象局对接"}
    assert all("digest" not in t for t in listing["items"])
    target = next(t for t in listing["items"] if t["name"] == "气象局对接")
    revoked = client.delete(f"/api/v1/tokens/{target['id']}")
    assert revoked.status_code == 200 and revoked.json()["status_label"] == "已吊销"
    assert not _works(new)
    bad = client.post("/api/v1/tokens/", {"name": "x", "days": 1000}, content_type="application/json")
    assert bad.status_code == 400 and "1–366" in bad.json()["error"]["message"]


def test_administrator_revokes_a_managed_users_token_but_not_others(people, api_client):
    from yingji.accounts.services import issue_token

    token = issue_token(people["duty"], "脚本")
    duty_token_id = people["duty"].api_tokens.get().pk
    # 海州区 administrator does not manage a 彰武县 user: the token is not even said to exist.
    outsider = api_client(people["hz_admin"])
    assert outsider.get(f"/api/v1/tokens/?user={people['duty'].pk}").status_code == 403
    assert outsider.delete(f"/api/v1/tokens/{duty_token_id}").status_code == 404
    assert _works(token)
    admin = api_client(people["admin"])
    assert admin.get(f"/api/v1/tokens/?user={people['duty'].pk}").json()["count"] == 1
    assert admin.delete(f"/api/v1/tokens/{duty_token_id}").status_code == 200
    assert not _works(token)


def test_console_page_shows_a_new_token_once_and_revokes(people):
    client = Client()
    assert client.login(username="duty_zw", password=PASSWORD)
    page = client.get("/accounts/tokens/").content.decode()
    assert "签发新令牌" in page and "暂无令牌" in page
    response = client.post("/accounts/tokens/issue/", {"name": "巡检脚本", "days": "7"}, follow=True)
    html = response.content.decode()
    assert "只显示这一次" in html and "巡检脚本" in html
    token = html.split('<code class="token">')[1].split("</code>")[0]
    assert _works(token)
    assert '<code class="token">' not in client.get("/accounts/tokens/").content.decode()  # shown once
    from yingji.accounts.models import ApiToken

    pk = ApiToken.objects.get(name="巡检脚本").pk
    assert "已吊销令牌" in client.post(f"/accounts/tokens/{pk}/revoke/", follow=True).content.decode()
    assert not _works(token)
    admin = Client()
    assert admin.login(username="city_admin", password=PASSWORD)
    assert "巡检脚本" in admin.get(f"/accounts/tokens/?user={people['duty'].pk}").content.decode()
    hz = Client()
    assert hz.login(username="hz_admin", password=PASSWORD)
    assert hz.get(f"/accounts/tokens/?user={people['duty'].pk}").status_code == 404


def test_guessing_tokens_from_one_address_is_rate_limited_and_audited(people, settings):
    from yingji.accounts.services import issue_token
    from yingji.audit.models import AuditEntry

    settings.YINGJI_LOGIN_MAX_FAILURES = 2  # 8 wrong tokens from one address
    good = issue_token(people["duty"], "脚本")
    for i in range(8):
        assert _bearer(f"yj_wrong{i}").get("/api/v1/me").status_code == 401
    limited = _bearer(good).get("/api/v1/me")
    assert limited.status_code == 429 and limited.json()["error"]["code"] == "rate_limited"
    assert "无效令牌过多" in limited.json()["error"]["message"]
    assert AuditEntry.objects.filter(action="login_failed", model="accounts.ApiToken").count() == 1
    other = Client(HTTP_AUTHORIZATION=f"Bearer {good}", REMOTE_ADDR="10.9.9.9")  # another address is not affected
    assert other.get("/api/v1/me").status_code == 200


def test_issuing_tokens_is_rate_limited_per_account(people, api_client):
    from yingji.accounts import services

    client = api_client(people["duty"])
    for i in range(services.TOKENS_PER_HOUR - 1):  # api_client issued one already
        assert client.post("/api/v1/tokens/", {"name": f"t{i}"}, content_type="application/json").status_code == 201
    refused = client.post("/api/v1/tokens/", {"name": "one more"}, content_type="application/json")
    assert refused.status_code == 429 and "一小时内最多" in refused.json()["error"]["message"]
