"""Emergency shelter (应急避难场所) capacity from effective area.

Source: GB 21734-2008《地震应急避难场所 场址及配套设施》§5.4 面积要求 — "场址有效面积宜大于
2000 m²；人均居住面积应大于 1.5 m²" (docs/rules.md §10, confirmed). GB/T 44013-2024 classifies
shelters by, among others, 人均有效避难面积, but its numeric table was not retrieved
(docs/rules.md §10), so 1.5 m² per person is the only confirmed per-capita figure and is the
default here. A bureau that applies a larger figure (e.g. for long-stay shelters) passes it in.

"应大于" is strict: every person must have MORE than the per-capita area, so the capacity is the
largest whole number n with area / n > per-capita area, i.e. n < area / per-capita area.

>>> capacity_from_area(3000)
1999
>>> capacity_from_area(3001)
2000
>>> effective_capacity(3000, override=2500)
2500
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation

STANDARD = "GB 21734-2008 §5.4"
AREA_PER_PERSON_M2 = Decimal("1.5")
"""人均居住面积应大于 1.5 m² (GB 21734-2008 §5.4)."""
ADVISED_MIN_SITE_AREA_M2 = Decimal("2000")
"""场址有效面积宜大于 2000 m² (GB 21734-2008 §5.4; advisory, "宜")."""


class ShelterRuleError(ValueError):
    """Invalid input to a shelter rule, with a Chinese message."""


def _decimal(value, what: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ShelterRuleError(f"{what}必须是数字，收到：{value!r}") from exc
    if not number.is_finite():
        raise ShelterRuleError(f"{what}必须是有限数值，收到：{value!r}")
    return number


def capacity_from_area(effective_area_m2, area_per_person_m2=AREA_PER_PERSON_M2) -> int:
    """Persons a shelter can hold: the largest n with effective area / n > per-capita area."""
    area = _decimal(effective_area_m2, "有效避难面积")
    per_person = _decimal(area_per_person_m2, "人均有效避难面积")
    if area < 0:
        raise ShelterRuleError(f"有效避难面积不能为负数：{area}")
    if per_person <= 0:
        raise ShelterRuleError(f"人均有效避难面积必须大于 0：{per_person}")
    ratio = area / per_person
    return max(0, math.ceil(ratio) - 1)


def effective_capacity(effective_area_m2, override: int | None = None,
                       area_per_person_m2=AREA_PER_PERSON_M2) -> int:
    """The capacity to use: an explicit override (e.g. fixed beds of an indoor shelter) when
    given, otherwise the figure derived from the effective area."""
    if override is not None:
        if int(override) < 0:
            raise ShelterRuleError(f"核定容纳人数不能为负数：{override}")
        return int(override)
    return capacity_from_area(effective_area_m2, area_per_person_m2)


def site_area_notes(effective_area_m2) -> list[str]:
    """Advisory notes (not errors) about the site area under GB 21734-2008 §5.4."""
    area = _decimal(effective_area_m2, "有效避难面积")
    if area <= ADVISED_MIN_SITE_AREA_M2:
        return [f"有效避难面积 {area} m² 未超过 {ADVISED_MIN_SITE_AREA_M2} m²（{STANDARD}：场址有效面积宜大于 2000 m²）"]
    return []
