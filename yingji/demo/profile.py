"""Profile-awareness for demo steps: ``current()`` is the installation's profile
(``yingji/profiles/<name>.toml``, docs/profiles.md), with the names a generator writes.

A step writes ``p = profile.current()`` and then ``p.name`` (阜新市), ``p.root12``, ``p.units``
(counties, or the townships of a county-level profile), ``p.department("water")``,
``p.username("focus_admin")``, ``p.demo[...]`` (the profile's own generator parameters), and the
helpers below, so the same step makes Fuxin's, Benxi's or Kaiyuan's data.
"""

from __future__ import annotations

import random

from yingji.core.profile import current  # noqa: F401  (the demo kit's public name)
from yingji.profiles import Profile, Unit


def focus(p: Profile) -> Unit:
    """The unit whose administrator, duty room and reports the demo shows (Fuxin: 彰武县)."""
    return p.unit(p.demo["focus"])


def second(p: Profile) -> Unit:
    return p.unit(p.demo["second"])


def seat(p: Profile) -> Unit:
    """The unit of the seat of government (Fuxin: 海州区)."""
    return p.unit(p.demo["seat"])


def bureau(p: Profile, unit: Unit, short: bool = False) -> str:
    """The unit's emergency body (彰武县应急管理局; a Kaiyuan township's 安全生产监管站)."""
    return p.demo.get("unit_bureau", "{unit}应急管理局").format(unit=unit.short_name if short else unit.name)


def government(p: Profile, unit: Unit) -> str:
    return p.demo.get("unit_government", "{unit}人民政府").format(unit=unit.name)


def mobile(p: Profile, prefix: str, number: int) -> str:
    """A synthetic mobile number: ``prefix`` (3 digits), the profile's 4 region digits, ``number``."""
    return f"{prefix}{p.demo.get('mobile_mid', p.phone_area[-4:].rjust(4, '0'))}{number % 10000:04d}"


def random_mobile(p: Profile, rng: random.Random) -> str:
    return mobile(p, f"1{rng.choice('3589')}{rng.randint(0, 9)}", rng.randint(0, 9999))


def landline(p: Profile, number: int) -> str:
    return f"{p.phone_area}-{number:07d}"
