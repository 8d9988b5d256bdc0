from yingji.core.registry import Registry

from .models import GradingTableConfig

GRADING_TABLES = Registry(
    key="incident-grading-tables",
    model=GradingTableConfig,
    label="事件分级表",
    fields=["event_scope", "table", "active", "division_code"],
    list_fields=["event_scope", "active", "division_code"],
    search_fields=["event_scope"],
    ordering=["division_code", "event_scope"],
    nav_group="基础数据",
)
