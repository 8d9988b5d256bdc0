"""Logins (throttling, lock-out, password rules) and user management within scope."""

import pytest
from django.test import Client, override_settings

from tests.conftest import CITY, PASSWORD, ZHANGWU
from yingji.accounts import services
from yingji.audit.models import AuditEntry
from yingji.core.errors import Forbidden, ValidationFailed


def login(client, username, password):
    return client.post("/login/", {"username": username, "password": password})


def test_login_and_logout(make_user):
    make_user("alice", "duty_officer")
    client = Client()
    assert login(client, "alice", PASSWORD).status_code == 302
    assert client.get("/").status_code == 200
    client.post("/logout/")
    assert client.get("/").status_code == 302


@override_settings(YINGJI_LOGIN_MAX_FAILURES=3)
def test_repeated_failures_lock_the_account_even_with_the_right_password(make_user):
    make_user("bob", "duty_officer")
    client = Client()
    first = login(client, "bob", "wrong")
    assert "还可尝试 2 次" in first.content.decode()
    login(client, "bob", "wrong")
    third = login(client, "bob", "wrong")
    assert "锁定" in third.content.decode()
    locked = login(client, "bob", PASSWORD)
    assert locked.status_code == 400
    assert "锁定" in locked.content.decode()
    assert AuditEntry.objects.filter(action="login_failed").count() == 3
    # The city administrators see the failures in their audit log.
    city_admin = make_user("ca", "city_admin")
    admin_client = Client()
    admin_client.force_login(city_admin)
    assert admin_client.get("/audit/?action=login_failed").content.decode().count("用户名：bob") == 3


@override_settings(YINGJI_LOGIN_MAX_FAILURES=2)
def test_admin_can_unlock(make_user):
    admin = make_user("root", "sysadmin")
    target = make_user("carol", "readonly")
    client = Client()
    login(client, "carol", "x")
    login(client, "carol", "x")
    assert login(client, "carol", PASSWORD).status_code == 400
    services.unlock(admin, target)
    assert login(client, "carol", PASSWORD).status_code == 302


def test_password_validators_apply(make_user):
    admin = make_user("root", "sysadmin")
    with pytest.raises(ValidationFailed, match="密码不符合要求"):
        services.create_user(admin, "dave", "12345678", "值班员", "210922")
    # Said in Chinese, every rule (Django 5.2's own catalogue left the length rule in English).
    with pytest.raises(ValidationFailed, match="^密码不符合要求：密码长度太短，至少需要 8 个字符$"):
        services.create_user(admin, "dave", "巡查测试甲乙", "值班员", "210922")
    with pytest.raises(ValidationFailed, match="密码过于常见；密码不能全部为数字"):
        services.create_user(admin, "dave", "12345678", "值班员", "210922")


def test_roles_by_chinese_name_or_code(make_user):
    admin = make_user("root", "sysadmin")
    assert services.create_user(admin, "u1", PASSWORD, "值班员", "210922").role == "duty_officer"
    assert services.create_user(admin, "u2", PASSWORD, "commander", "210922").role == "commander"
    with pytest.raises(ValidationFailed, match="未知角色"):
        services.create_user(admin, "u3", PASSWORD, "队长", "210922")


def test_county_admin_manages_only_own_county_and_lower_roles(make_user):
    county_admin = make_user("zw_admin", "county_admin", ZHANGWU)
    services.create_user(county_admin, "zw_duty", PASSWORD, "值班员", "210922")
    with pytest.raises(Forbidden, match="不在您的管辖范围内"):
        services.create_user(county_admin, "hz_duty", PASSWORD, "值班员", "210902")
    with pytest.raises(Forbidden, match="不能授予"):
        services.create_user(county_admin, "zw_city", PASSWORD, "市级管理员", "210922")
    assert {u.username for u in services.managed_users(county_admin)} == {"zw_admin", "zw_duty"}


def test_non_admin_cannot_manage_users(make_user):
    duty = make_user("duty1", "duty_officer")
    client = Client()
    client.force_login(duty)
    assert client.get("/users/").status_code == 403
    with pytest.raises(Forbidden, match=r"只有管理员可以管理用户"):
        services.create_user(duty, "x", PASSWORD, "只读", CITY)


def test_enterprise_user_needs_an_enterprise(make_user):
    admin = make_user("root", "sysadmin")
    with pytest.raises(ValidationFailed, match="所属企业"):
        services.create_user(admin, "qy", PASSWORD, "企业用户", "210922")


def test_user_form_offers_only_the_roles_the_administrator_may_grant(make_user):
    """A county administrator was offered 系统管理员 and the save refused it."""
    county = make_user("zw_root", "county_admin", "210922")
    client = Client()
    client.force_login(county)
    form = client.get("/users/new/").content.decode()
    assert ">值班员<" in form and ">系统管理员<" not in form
    response = client.post("/users/new/", {"username": "eve", "role": "sysadmin", "region_code": "210922",
                                           "password": PASSWORD, "is_active": "on"})
    assert response.status_code == 200 and "eve" not in str(list(services.managed_users(county)))


def test_user_list_links_only_the_accounts_the_administrator_may_change(make_user):
    """A city administrator saw the system administrator's account as a link to a form whose
    save, unlock and API-token buttons the server refused."""
    root = make_user("root_sys", "sysadmin", CITY)
    peer = make_user("city_peer", "city_admin", CITY)
    officer = make_user("duty_zw", "duty_officer", "210922")
    admin = make_user("city_root", "city_admin", CITY)
    client = Client()
    client.force_login(admin)
    page = client.get("/users/").content.decode()
    for user in (peer, officer):
        assert f'href="/users/{user.pk}/"' in page
    assert "root_sys" in page and f'href="/users/{root.pk}/"' not in page
    refused = client.get(f"/users/{root.pk}/")
    assert refused.status_code == 403 and "系统管理员账号只能由上级管理员管理" in refused.content.decode()
    assert client.get(f"/users/{officer.pk}/").status_code == 200


def test_admin_creates_user_in_web_console(make_user):
    admin = make_user("root", "city_admin")
    client = Client()
    client.force_login(admin)
    response = client.post("/users/new/", {"username": "eve", "full_name": "伊芙", "role": "duty_officer",
                                           "region_code": "210922", "password": PASSWORD, "is_active": "on"})
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="create", model="accounts.User")
    assert entry.actor_name == "root"
    assert "password" not in entry.after


def test_session_and_csrf_settings():
    from django.conf import settings

    assert settings.SESSION_COOKIE_HTTPONLY
    assert settings.CSRF_COOKIE_SAMESITE == "Lax"
    assert "django.middleware.csrf.CsrfViewMiddleware" in settings.MIDDLEWARE
    # the platform's own configuration (tests run with a fast hasher, see tests/conftest.py)
    from django.conf import global_settings

    import yingji.settings as configured

    assert getattr(configured, "PASSWORD_HASHERS", global_settings.PASSWORD_HASHERS)[0].endswith("PBKDF2PasswordHasher")


def test_login_form_is_csrf_protected(make_user):
    make_user("frank", "readonly")
    client = Client(enforce_csrf_checks=True)
    assert client.post("/login/", {"username": "frank", "password": PASSWORD}).status_code == 403
