"""Shared pieces of the hazards models: roles, grade names, and the enterprise-owned mixin."""

from __future__ import annotations

import datetime as dt

from yingji.geo.townships import township_at
from yingji.regions.services import county_at


EVALUATION_PERIOD_YEARS = 3  # 重大危险源安全评估每三年至少一次（原安监总局令第40号第十条）

GRADE_NAMES = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def division_at(lon: float, lat: float) -> str | None:
    """The township (or county) containing a WGS-84 point, for records not filed under an enterprise."""
    county = county_at(lon, lat)
    township = township_at(lon, lat)
    if township and county and township.startswith(county[:6]):
        return township.ljust(12, "0")
    return county


class EnterpriseOwned:
    """Mixin for records filed under an enterprise: division and location follow the enterprise."""

    scope_enterprise_field = "enterprise"

    def follow_enterprise(self, enterprise) -> None:
        if enterprise is None:
            return
        self.division_code = enterprise.division_code
        if hasattr(self, "lon") and self.lon is None and enterprise.lon is not None:
            self.lon, self.lat, self.coord_source = enterprise.lon, enterprise.lat, "WGS84"
