"""Fixtures for the hazards app: users in 彰武县 and 海州区, hazard sources built through the services."""

from __future__ import annotations

import pytest

from tests.conftest import CITY, HAIZHOU, ZHANGWU


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploads go to a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def people(make_user, enterprises):
    """supervisor (彰武县), city supervisor, the own enterprise's user, the other enterprise's user, a duty officer."""
    own, other = enterprises
    return {
        "supervisor": make_user("sup_zw", "supervisor", ZHANGWU),
        "city": make_user("sup_city", "supervisor", CITY),
        "haizhou": make_user("sup_hz", "supervisor", HAIZHOU),
        "enterprise": make_user("qiye_a", "enterprise", ZHANGWU, enterprise=own),
        "other_enterprise": make_user("qiye_b", "enterprise", HAIZHOU, enterprise=other),
        "duty": make_user("duty_zw", "duty_officer", ZHANGWU),
        "readonly": make_user("ro_city", "readonly", CITY),
    }


@pytest.fixture
def registries():
    from yingji.core.registry import REGISTRIES

    return REGISTRIES


@pytest.fixture
def build_source(registries):
    """Create a hazard source with units and chemicals through the registries (as a user would)."""

    def build(user, enterprise, units, exposed_people=10, name="测试重大危险源"):
        source = registries["hazard-sources"].create(user, {"enterprise": enterprise.pk, "name": name,
                                                              "exposed_people": exposed_people})
        for unit_name, chemicals in units:
            unit = registries["hazard-units"].create(user, {"hazard_source": source.pk, "name": unit_name,
                                                            "kind": "storage"})
            for chemical in chemicals:
                registries["unit-chemicals"].create(user, {"unit": unit.pk, **chemical})
        source.refresh_from_db()
        return source

    return build
