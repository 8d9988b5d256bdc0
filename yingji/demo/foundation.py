"""Demo step 1: users of every role, organisations and enterprises of the profile (synthetic)."""

from __future__ import annotations

import random

from django.contrib.auth.hashers import make_password

from yingji.accounts.models import User
from yingji.regions.models import Enterprise, Organisation
from yingji.rules.roles import ROLES as ROLE_LABELS
from yingji.rules.uscc import make_uscc

from . import profile
from .places import point_in_county, township_of
from .profile import landline
from .steps import DEMO_PASSWORD, SEED, demo_step



def __getattr__(name: str):
    if name == "DEMO_USERS":  # the current profile's demo accounts (older callers import this name)
        return demo_users_of(profile.current())
    raise AttributeError(name)


def demo_users_of(p) -> list[tuple[str, str, str, str | None, str]]:
    """username, role, role label, region, description of the profile's demo accounts."""
    return [(u.username, u.role, ROLE_LABELS[u.role], u.region, u.description) for u in p.users]


def _organisations(p) -> list[Organisation]:
    city = p.root12
    rows = [Organisation(name=name, kind="bureau" if name == p.department("emergency") else "department", division_code=city,
                         duty_phone=landline(p, p.demo.get("landline_base", 2800000) + i * 137), is_synthetic=True)
            for i, name in enumerate(p.all_departments)]
    rows.append(Organisation(name=p.general_hq, kind="command", division_code=city, lead_unit=p.general_hq_lead,
                             notes=p.demo.get("general_hq_notes", f"统一领导全{p.name[-1]}突发事件应对工作"), is_synthetic=True))
    for hq in p.special_hqs:
        rows.append(Organisation(
            name=hq.full_name, kind="special_hq",
            category="natural" if hq.kind == "natural" else "work_safety", division_code=city,
            lead_unit=hq.lead_unit, notes=f"负责{hq.name}类突发事件的预防和处置", is_synthetic=True,
        ))
    for i, unit in enumerate(p.units):
        rows.append(Organisation(name=profile.bureau(p, unit), kind="bureau", division_code=unit.code12,
                                 duty_phone=landline(p, p.demo.get("unit_landline_base", 3100000) + i * 211), is_synthetic=True))
        rows.append(Organisation(name=p.demo.get("unit_command", "{unit}突发事件应急指挥部").format(unit=unit.name),
                                 kind="command", division_code=unit.code12, lead_unit=profile.government(p, unit),
                                 is_synthetic=True))
    return rows


def _enterprise(p, rng: random.Random, index: int, name: str, industry: str, unit, park: str = "",
                near=None, spread=0.0) -> Enterprise:
    lon, lat = point_in_county(rng, unit.code, near=near, spread=spread)
    return Enterprise(
        name=name, uscc=make_uscc("9", "1", unit.code[:6], f"MA{index:07d}"), industry=industry,
        scale=rng.choice(["large", "medium", "medium", "small"]), park=park,
        address=f"{unit.name}示例路{rng.randint(1, 300)}号", legal_representative=f"法人{index:02d}",
        safety_manager=f"安全员{index:02d}", phone=profile.mobile(p, "139", index), lon=lon, lat=lat,
        division_code=township_of(lon, lat, unit.code), is_synthetic=True,
    )


def _enterprises(p, rng: random.Random) -> list[Enterprise]:
    """The park's chemical enterprises, other hazardous-chemical units, then the other industries
    (the profile's [demo.enterprises] table)."""
    spec = p.demo["enterprises"]
    rows = []
    park_unit = p.unit(spec["park_unit"])
    products = spec["park_products"]
    for i in range(spec.get("park_count", 24)):
        product = products[i % len(products)]
        rows.append(_enterprise(p, rng, i + 1, f"{p.short_name}示例{product}有限公司{i + 1:02d}", spec.get("park_industry", "hazchem"),
                                park_unit, park=spec["park"], near=tuple(spec["park_centre"]), spread=spec.get("park_spread", 0.05)))
    others = [u for u in p.units if u != park_unit]
    kinds = spec["other_hazchem"]
    for i in range(spec.get("other_hazchem_count", 13)):
        unit = others[i % len(others)]
        rows.append(_enterprise(p, rng, 25 + i, f"{unit.name}示例{kinds[i % len(kinds)]}有限公司", "hazchem", unit))
    industries = [tuple(pair) for pair in spec["industries"]]
    for i in range(spec.get("industry_count", 18)):
        industry, word = industries[i % len(industries)]
        unit = p.units[i % len(p.units)]
        rows.append(_enterprise(p, rng, 40 + i, f"{unit.name}示例{word}公司{i + 1:02d}", industry, unit))
    return rows


@demo_step(10, "组织机构")
def load_organisations() -> int:
    if Organisation.objects.filter(is_synthetic=True).exists():
        return 0
    rows = _organisations(profile.current())
    Organisation.objects.bulk_create(rows)
    return len(rows)


@demo_step(11, "企业")
def load_enterprises() -> int:
    if Enterprise.objects.filter(is_synthetic=True).exists():
        return 0
    rows = _enterprises(profile.current(), random.Random(SEED))
    Enterprise.objects.bulk_create(rows)
    return len(rows)


@demo_step(12, "演示账号")
def load_users() -> int:
    created = 0
    password = make_password(DEMO_PASSWORD)
    first_enterprise = Enterprise.objects.filter(is_synthetic=True).order_by("pk").first()
    p = profile.current()
    for username, role, _, region, description in demo_users_of(p):
        if User.objects.filter(username=username).exists():
            continue
        enterprise = first_enterprise if role == "enterprise" else None
        User.objects.create(
            username=username, password=password, role=role, full_name=description,
            region_code=region or (enterprise.division_code if enterprise else p.root12),
            enterprise=enterprise,
        )
        created += 1
    return created
