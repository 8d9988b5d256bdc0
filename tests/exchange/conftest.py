"""Fixtures: one database playing both ends of a link (a city that issued a credential for
彰武县, and 彰武县 configured with it), duty rooms and officers, helpers to pass envelopes."""

from __future__ import annotations

import pytest

from tests.conftest import CITY, ZHANGWU
from tests.incidents.conftest import intake_data, officers, units  # noqa: F401  (shared fixtures)
from tests.preparedness.conftest import advance, draft, experts, people  # noqa: F401  (shared fixtures)


@pytest.fixture
def admins(make_user):
    return {"city": make_user("city_admin_x", "city_admin", CITY),
            "zhangwu": make_user("zw_admin_x", "county_admin", ZHANGWU)}


@pytest.fixture
def link_pair(admins):
    """(child link at the city, parent link at 彰武县, credential) — the same database."""
    from yingji.exchange import services

    child, credential = services.issue_child(admins["city"], "彰武县平台", ZHANGWU)
    parent = services.configure_parent(admins["zhangwu"], "阜新市平台", "http://127.0.0.1:9", credential)
    return child, parent, credential
