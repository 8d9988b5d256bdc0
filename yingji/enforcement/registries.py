from yingji.core.registry import Registry

from .models import Inspector, SupervisionGrade

INSPECTORS = Registry(
    key="inspectors", model=Inspector, label="执法人员",
    fields=["name", "organisation", "certificate_number", "valid_until", "active", "phone", "division_code"],
    list_fields=["name", "organisation", "certificate_number", "valid_until", "active", "division_code"],
    search_fields=["name", "certificate_number", "organisation"], ordering=["division_code", "name"],
    nav_group="安全监管",
)

SUPERVISION_GRADES = Registry(
    key="supervision-grades", model=SupervisionGrade, label="企业监管分级",
    fields=["enterprise", "year", "grade", "reason"],
    list_fields=["enterprise", "year", "grade", "suggested_grade", "reason", "division_code"],
    search_fields=["enterprise__name", "reason"], filter_fields=["year", "grade"], ordering=["-year", "grade"],
    select_related=["enterprise"], read_only_fields=["suggested_grade"], nav_group="安全监管",
)
