from yingji.core.registry import Registry

from .models import ReliefTableConfig

RELIEF_TABLES = Registry(
    key="relief-tables",
    model=ReliefTableConfig,
    label="救助响应分级表",
    fields=["code", "name", "document", "thresholds", "source", "active", "division_code"],
    list_fields=["code", "name", "document", "active", "division_code"],
    search_fields=["code", "name", "document"],
    ordering=["division_code", "code"],
    nav_group="灾情管理",
)
