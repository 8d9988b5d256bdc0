"""Deployment profiles: what makes an installation Fuxin's, Benxi's or Kaiyuan's.

A profile is configuration, not code: one TOML file per profile in this package
(``fuxin.toml``, ``benxi.toml``, ``kaiyuan.toml``), validated when it is loaded. It names the
installation's root division (a city or a county-level city), its parent installation, the map
centre, the emergency headquarters and departments, local reporting deadlines and drill quotas,
the training target, and the demo data generator's parameters (place names, enterprises,
users...). The format is documented in docs/profiles.md.

The division tree (units below the root, down to township) is not typed into the file: it comes
from the embedded boundaries (``yingji.geo.boundaries``) and township list
(``yingji.geo.townships``); a profile may only give units a short name.

Pure package: no Django. ``yingji.core.profile.current()`` picks the installation's profile
from the settings; demo steps use ``yingji.demo.profile.current()``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from yingji.geo import boundaries, townships
from yingji.rules.incident_types import HQ_CATEGORIES

DIRECTORY = Path(__file__).parent
DEFAULT = "fuxin"
LEVELS = ("city", "county")
ROLES = ("sysadmin", "city_admin", "county_admin", "duty_officer", "commander", "supervisor", "enterprise",
         "readonly", "info_officer")
# Department roles the demo generator and plans refer to (a profile may name more departments).
DEPARTMENT_ROLES = ("emergency", "police", "fire", "health", "natural_resources", "water", "weather", "transport",
                    "housing", "industry", "environment", "agriculture", "forestry", "education", "civil_affairs",
                    "commerce", "tourism", "telecom", "power", "news", "government")
USER_SLOTS = ("admin", "city", "focus_admin", "second_admin", "duty", "focus_duty", "commander", "supervisor",
              "enterprise", "viewer", "info_officer")


class ProfileError(ValueError):
    """A profile file that is missing or malformed (the message says which key, in Chinese)."""


@dataclass(frozen=True)
class Unit:
    """A division directly below the root: a county for a city profile, a township for a county one."""
    code: str  # 6 digits for a county, 12 for a township
    name: str
    short_name: str

    @property
    def code12(self) -> str:
        return self.code.ljust(12, "0")

    @property
    def is_township(self) -> bool:
        return len(self.code) == 12

    @property
    def prefix(self) -> str:
        """The code prefix of everything inside the unit (``210922``, ``211282102``)."""
        return self.code[:9] if self.is_township else self.code


@dataclass(frozen=True)
class Headquarters:
    code: str  # an HQ category of yingji.rules.incident_types.HQ_CATEGORIES
    name: str  # short name as the plan lists it
    full_name: str
    kind: str  # natural | work_safety
    lead_unit: str
    source: str = ""


@dataclass(frozen=True)
class DemoUser:
    slot: str
    username: str
    role: str
    region: str | None  # 12-digit code, None for the enterprise user (its enterprise's division)
    description: str


@dataclass(frozen=True)
class Profile:
    key: str
    name: str
    short_name: str
    root: str  # 6 digits
    level: str
    phone_area: str
    map_centre: tuple[float, float]  # lon, lat
    map_zoom: int
    parent_code: str | None
    parent_name: str | None
    units: tuple[Unit, ...]
    general_hq: str
    general_hq_lead: str
    special_hqs: tuple[Headquarters, ...]
    departments: dict[str, str]  # role -> name
    other_departments: tuple[str, ...]
    deadlines: tuple[dict, ...]
    drill_quotas: tuple[dict, ...]
    training_yearly_target: int  # 0: the local plan sets none
    training_target_source: str
    sources: tuple[str, ...]
    users: tuple[DemoUser, ...]
    demo: dict[str, Any] = field(repr=False)

    # ------------------------------------------------------------------ divisions
    @property
    def root12(self) -> str:
        return self.root.ljust(12, "0")

    @property
    def scope_prefix(self) -> str:
        """The code prefix of everything inside the installation (``2105``, ``211282``)."""
        return self.root[:4] if self.level == "city" else self.root

    def unit(self, code: str) -> Unit:
        code = str(code)
        for unit in self.units:
            if unit.code == code or unit.code12 == code.ljust(12, "0"):
                return unit
        raise KeyError(code)

    def unit_of(self, code: str) -> Unit | None:
        """The unit a division code lies in (None for the root itself or outside)."""
        code = str(code).ljust(12, "0")
        for unit in self.units:
            if code.startswith(unit.prefix):
                return unit
        return None

    def contains(self, code: str) -> bool:
        return str(code).startswith(self.scope_prefix)

    # ------------------------------------------------------------------ organisations
    def department(self, role: str) -> str:
        try:
            return self.departments[role]
        except KeyError:
            raise ProfileError(f"档案 {self.key} 未配置部门角色 {role}") from None

    @property
    def all_departments(self) -> list[str]:
        """The departments registered as organisations (the government and its news office are named
        in plans but are not emergency departments)."""
        return [name for role, name in self.departments.items() if role not in ("government", "news")] + list(
            self.other_departments)

    def username(self, slot: str) -> str:
        for user in self.users:
            if user.slot == slot:
                return user.username
        raise ProfileError(f"档案 {self.key} 未配置演示账号 {slot}")

    def user(self, slot: str) -> DemoUser:
        return next(u for u in self.users if u.slot == slot)

    def hq(self, code: str) -> Headquarters | None:
        return next((hq for hq in self.special_hqs if hq.code == code), None)


def names() -> list[str]:
    return sorted(p.stem for p in DIRECTORY.glob("*.toml"))


def _need(data: dict, key: str, kind, where: str):
    if key not in data:
        raise ProfileError(f"{where}缺少 {key}")
    value = data[key]
    if not isinstance(value, kind):
        raise ProfileError(f"{where}{key} 的类型不正确")
    return value


def _code(value: str, where: str, lengths=(6,)) -> str:
    if not (isinstance(value, str) and value.isdigit() and len(value) in lengths):
        raise ProfileError(f"{where}区划代码 {value!r} 格式不正确")
    return value


def _units(key: str, root: str, level: str, overrides: dict) -> tuple[Unit, ...]:
    if level == "city":
        rows = [(c.code, c.name) for c in boundaries.counties(root[:4])]
    else:
        rows = [(t.code, t.name) for t in townships.townships_of(root)]
    if not rows:
        raise ProfileError(f"档案 {key}：内嵌区划中没有 {root} 的下级单位")
    known = {code for code, _ in rows}
    for code in overrides:
        if code not in known:
            raise ProfileError(f"档案 {key}：units 中的 {code} 不是 {root} 的下级单位")
    return tuple(Unit(code, name, overrides.get(code, name)) for code, name in rows)


def parse(data: dict, key: str) -> Profile:
    """Validate one profile's data (as read from TOML) and build the Profile."""
    where = f"档案 {key}："
    root = _code(_need(data, "root", str, where), where)
    level = _need(data, "level", str, where)
    if level not in LEVELS:
        raise ProfileError(f"{where}level 只能是 city 或 county")
    if level == "city" and not root.endswith("00"):
        raise ProfileError(f"{where}市级档案的 root 应以 00 结尾")
    if level == "county" and boundaries.county_name(root) is None:
        raise ProfileError(f"{where}{root} 不是内嵌边界中的县级单位")
    map_ = _need(data, "map", dict, where)
    centre = _need(map_, "centre", list, where + "map.")
    if len(centre) != 2 or not all(isinstance(v, (int, float)) for v in centre):
        raise ProfileError(f"{where}map.centre 应为 [经度, 纬度]")
    if not (118 <= centre[0] <= 126 and 38 <= centre[1] <= 44):
        raise ProfileError(f"{where}map.centre 不在辽宁省范围内")
    parent = data.get("parent") or {}
    if parent:
        _code(_need(parent, "code", str, where + "parent."), where)
    units = _units(key, root, level, {str(k): v for k, v in (data.get("unit_short_names") or {}).items()})
    hq = _need(data, "headquarters", dict, where)
    specials = []
    for i, row in enumerate(hq.get("special", [])):
        w = f"{where}headquarters.special[{i}]."
        code = _need(row, "code", str, w)
        if code not in HQ_CATEGORIES:
            raise ProfileError(f"{w}code {code} 不是已知的专项指挥部类别")
        kind = row.get("kind", HQ_CATEGORIES[code][1])
        specials.append(Headquarters(code, _need(row, "name", str, w), _need(row, "full_name", str, w), kind,
                                     row.get("lead_unit", hq.get("special_lead", "")), row.get("source", hq.get("source", ""))))
    if len({h.code for h in specials}) != len(specials):
        raise ProfileError(f"{where}专项指挥部类别重复")
    departments = _need(data, "departments", dict, where)
    roles = {k: v for k, v in departments.items() if k != "other"}
    for role in roles:
        if role not in DEPARTMENT_ROLES:
            raise ProfileError(f"{where}未知的部门角色 {role}")
    users = []
    for i, row in enumerate(_need(data, "users", list, where)):
        w = f"{where}users[{i}]."
        slot, role = _need(row, "slot", str, w), _need(row, "role", str, w)
        if slot not in USER_SLOTS or role not in ROLES:
            raise ProfileError(f"{w}slot 或 role 不正确")
        region = row.get("region", "root")
        region = None if region == "" else root.ljust(12, "0") if region == "root" else _code(region, w, (6, 9, 12)).ljust(12, "0")
        if region is not None and not region.startswith(root[:4] if level == "city" else root):
            raise ProfileError(f"{w}region {region} 不在 {root} 范围内")
        users.append(DemoUser(slot, _need(row, "username", str, w), role, region, _need(row, "description", str, w)))
    missing = set(USER_SLOTS) - {u.slot for u in users}
    if missing:
        raise ProfileError(f"{where}缺少演示账号：{'、'.join(sorted(missing))}")
    for i, row in enumerate(data.get("deadlines", [])):
        for name in ("kind", "label", "minutes", "source"):
            _need(row, name, (str, int), f"{where}deadlines[{i}].")
    for i, row in enumerate(data.get("drill_quotas", [])):
        for name in ("code", "label", "source"):
            _need(row, name, str, f"{where}drill_quotas[{i}].")
    demo = _need(data, "demo", dict, where)
    for name in ("focus", "second", "seat"):
        code = _need(demo, name, str, where + "demo.")
        if not any(u.code == code for u in units):
            raise ProfileError(f"{where}demo.{name} {code} 不是下级单位")
    return Profile(
        key=key, name=_need(data, "name", str, where), short_name=_need(data, "short_name", str, where), root=root,
        level=level, phone_area=_need(data, "phone_area", str, where),
        map_centre=(float(centre[0]), float(centre[1])), map_zoom=int(map_.get("zoom", 8)),
        parent_code=parent.get("code"), parent_name=parent.get("name"), units=units,
        general_hq=_need(hq, "general", str, where + "headquarters."),
        general_hq_lead=_need(hq, "general_lead", str, where + "headquarters."), special_hqs=tuple(specials),
        departments=roles, other_departments=tuple(departments.get("other", [])),
        deadlines=tuple(data.get("deadlines", [])), drill_quotas=tuple(data.get("drill_quotas", [])),
        training_yearly_target=int(data.get("training", {}).get("yearly_target", 0)),
        training_target_source=str(data.get("training", {}).get("source", "")),
        sources=tuple(data.get("sources", [])), users=tuple(users), demo=demo,
    )


@lru_cache(maxsize=None)
def load(key: str) -> Profile:
    """The named profile, validated; ProfileError if it is missing or malformed."""
    key = (key or DEFAULT).strip().lower()
    path = DIRECTORY / f"{key}.toml"
    if not key.isidentifier() or not path.is_file():
        raise ProfileError(f"没有名为 {key} 的档案（可选：{'、'.join(names())}）")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"档案 {key} 格式错误：{exc}") from None
    if data.get("key") != key:
        raise ProfileError(f"档案 {key}：key 应为 {key}")
    return parse(data, key)
