"""Shared fixtures: users of every role in two regions, records in two counties, API clients."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"  # data files the tests read; sources and licences in each README
ARTIFACTS = REPO / "artifacts"

ZHANGWU = "210922000000"  # 彰武县
HAIZHOU = "210902000000"  # 海州区
CITY = "210900000000"
PASSWORD = "Test-password-2026"

# Points well inside each county (checked against the real boundaries by the location tests).
ZHANGWU_POINT = (122.431, 42.488)
HAIZHOU_POINT = (121.624, 41.961)


FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def fast_password_hasher():
    """Tests only: MD5 instead of PBKDF2 (hundreds of thousands of rounds per user) for every
    password the tests set or check. Production settings keep Django's PBKDF2 default."""
    from django.test.utils import override_settings

    with override_settings(PASSWORD_HASHERS=FAST_PASSWORD_HASHERS):
        yield


@pytest.fixture
def make_user(db):
    from yingji.accounts.models import User

    def make(username, role, region=CITY, enterprise=None):
        user = User(username=username, role=role, region_code=region, enterprise=enterprise, full_name=username)
        user.set_password(PASSWORD)
        user.save()
        return user

    return make


@pytest.fixture
def enterprises(db):
    """Enterprise A in 彰武县 and B in 海州区, created directly (no audit) as fixtures."""
    from yingji.regions.models import Enterprise
    from yingji.rules.uscc import make_uscc

    a = Enterprise.objects.create(name="彰武测试化工有限公司", uscc=make_uscc("9", "1", "210922", "MA0000001"),
                                  industry="hazchem", division_code=ZHANGWU, lon=ZHANGWU_POINT[0], lat=ZHANGWU_POINT[1])
    b = Enterprise.objects.create(name="海州测试燃气有限公司", uscc=make_uscc("9", "1", "210902", "MA0000002"),
                                  industry="hazchem", division_code=HAIZHOU, lon=HAIZHOU_POINT[0], lat=HAIZHOU_POINT[1])
    return a, b


def post_json(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def patch_json(client, url, data):
    return client.patch(url, json.dumps(data), content_type="application/json")


@pytest.fixture
def api_client():
    from django.test import Client

    from yingji.accounts.models import ApiToken

    def make(user):
        token = ApiToken.issue(user)
        return Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    return make


def pytest_collection_modifyitems(config, items):
    """Service tests (PostgreSQL, MQTT...) must not be skipped in CI: YINGJI_REQUIRE_SERVICES=1 fails them."""
    os.environ.setdefault("YINGJI_TEST", "1")
