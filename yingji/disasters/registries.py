from yingji.core.registry import Registry

from .models import IndicatorBaseline, ReliefTableConfig

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

INDICATOR_BASELINES = Registry(
    key="indicator-baselines",
    model=IndicatorBaseline,
    label="指标基础数据",
    fields=["year", "division_code", "gdp_yi", "population", "workers", "source"],
    list_fields=["year", "division_code", "gdp_yi", "population", "workers", "source"],
    search_fields=["source"],
    ordering=["division_code", "-year"],
    nav_group="灾情管理",
)
