"""The installation's deployment profile (docs/profiles.md), as the settings name it.

``current()`` is what code outside the pure packages asks: the root division, its units, the
headquarters, the map centre, local rules. Tests switch profiles with ``activate``.
"""

from __future__ import annotations

import contextlib

from django.conf import settings

from yingji.profiles import Profile, load


def current() -> Profile:
    return load(settings.YINGJI_PROFILE)


def root_code() -> str:
    """The installation's root division, 12 digits (210900000000, 211282000000)."""
    return current().root12


@contextlib.contextmanager
def activate(name: str):
    """Run a block as an installation of another profile (tests)."""
    from django.test.utils import override_settings  # test machinery: imported on use, not by every process

    profile = load(name)
    with override_settings(YINGJI_PROFILE=profile.key, YINGJI_PROFILE_CITY=profile.root):
        yield profile


def switch(name: str) -> Profile:
    """Make this process an installation of the named profile for good (``yingji demo --profile``)."""
    profile = load(name)
    settings.YINGJI_PROFILE = profile.key
    settings.YINGJI_PROFILE_CITY = profile.root
    return profile
