"""User roles. Codes are stable identifiers used by state machines and the API;
labels are what staff see."""

from __future__ import annotations

ROLES: dict[str, str] = {
    "sysadmin": "系统管理员",
    "city_admin": "市级管理员",
    "county_admin": "县区管理员",
    "duty_officer": "值班员",
    "commander": "指挥员",
    "supervisor": "监管人员",
    "enterprise": "企业用户",
    "readonly": "只读",
    "info_officer": "灾害信息员",
}

ADMIN_ROLES = frozenset({"sysadmin", "city_admin", "county_admin"})
"""Roles that maintain registries and manage the users inside their scope."""

# Rank for user management: an administrator may only grant roles at or below their own rank.
_RANK = {"sysadmin": 0, "city_admin": 1, "county_admin": 2}


class UnknownRoleError(ValueError):
    pass


def role_code(name_or_code: str) -> str:
    """Accept a role by its code (``duty_officer``) or its Chinese name (``值班员``)."""
    text = (name_or_code or "").strip()
    if text in ROLES:
        return text
    for code, label in ROLES.items():
        if label == text:
            return code
    choices = "、".join(f"{label}（{code}）" for code, label in ROLES.items())
    raise UnknownRoleError(f"未知角色“{text}”，可选：{choices}")


def may_grant(granter_role: str, role: str) -> bool:
    """Whether an administrator with ``granter_role`` may give someone ``role``."""
    if granter_role not in _RANK:
        return False
    return _RANK.get(role, 99) >= _RANK[granter_role]
