"""The one capability check used by services, views and templates.

``has(user, "warnings.sign")`` answers, ``require(user, "warnings.sign")`` raises ``Forbidden``
with a Chinese message. Which roles hold which capability is the table in
``yingji.rules.capabilities``; an unknown capability name raises ``UnknownCapabilityError``
(a typo must never silently deny or grant). ``User.can(cap)`` is ``has(self, cap)``.
"""

from __future__ import annotations

from yingji.rules.capabilities import (DEFAULT_WRITE_CAPABILITY, UnknownCapabilityError, holders,  # noqa: F401
                                       label, role_can)
from yingji.rules.roles import ROLES

from .errors import Forbidden


def has(user, capability: str) -> bool:
    """Whether ``user`` (an active, signed-in user) holds ``capability``."""
    holders(capability)  # validate the name even for anonymous users
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return role_can(getattr(user, "role", None), capability)


def require(user, capability: str, message: str | None = None) -> None:
    """Raise ``Forbidden`` unless ``user`` holds ``capability``."""
    if not has(user, capability):
        role = getattr(user, "role", "")
        raise Forbidden(message or f"您的角色（{ROLES.get(role, role)}）无权{label(capability)}")


def enterprise_bound(user) -> bool:
    """Whether the user sees only their own enterprise's records (enterprise users)."""
    holds = getattr(user, "is_authenticated", False) and role_can(getattr(user, "role", None), "scope.all_enterprises")
    return not holds


def holder_names(capability: str) -> str:
    """The Chinese names of the roles holding ``capability``, for messages."""
    return "、".join(ROLES[r] for r in sorted(holders(capability)) if r in ROLES)
