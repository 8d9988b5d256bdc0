from yingji.core.registry import Registry

from .models import Enterprise, Organisation

ENTERPRISES = Registry(
    key="enterprises",
    model=Enterprise,
    label="企业",
    fields=["name", "uscc", "industry", "scale", "park", "address", "legal_representative", "safety_manager",
            "phone", "division_code", "lon", "lat", "coord_source"],
    list_fields=["name", "uscc", "industry", "scale", "park", "division_code"],
    search_fields=["name", "uscc", "address", "park"],
    filter_fields=["industry", "scale", "park"],
    ordering=["division_code", "name"],
    map_layer=True,
    icon="厂", map_color="#5d4037",
)

ORGANISATIONS = Registry(
    key="organisations",
    model=Organisation,
    label="组织机构",
    fields=["name", "kind", "category", "parent", "lead_unit", "duty_phone", "address", "notes", "division_code"],
    list_fields=["name", "kind", "category", "lead_unit", "duty_phone", "division_code"],
    search_fields=["name", "lead_unit", "notes"],
    filter_fields=["kind", "category"],
    ordering=["division_code", "kind", "name"],
)
