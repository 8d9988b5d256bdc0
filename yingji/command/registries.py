from yingji.core.registry import Registry

from .models import Plan

PLANS = Registry(
    key="plans",
    model=Plan,
    label="应急预案",
    fields=["name", "kind", "event_types", "headquarters", "hq_composition", "lead_unit", "document_number",
            "source", "summary", "is_active", "division_code"],
    list_fields=["name", "kind", "lead_unit", "document_number", "is_active", "division_code"],
    search_fields=["name", "lead_unit", "summary", "document_number"],
    filter_fields=["kind", "is_active"],
    ordering=["division_code", "kind", "name"],
    nav_group="指挥救援",
)
