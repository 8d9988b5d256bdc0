from yingji.core.registry import Registry

from .models import AreaPopulation, CapFeed, ChannelConfig, Subscriber

SUBSCRIBERS = Registry(
    key="subscribers",
    model=Subscriber,
    label="公众订阅用户",
    fields=["phone", "name", "active", "source", "division_code", "lon", "lat", "coord_source"],
    list_fields=["phone", "name", "active", "source", "division_code"],
    search_fields=["phone", "name"],
    filter_fields=["active", "source"],
    ordering=["division_code", "phone"],
    nav_group="预警发布",
)

POPULATIONS = Registry(
    key="area-populations",
    model=AreaPopulation,
    label="区域人口",
    fields=["division_code", "population", "year", "source"],
    list_fields=["division_code", "population", "year", "source"],
    search_fields=["source"],
    ordering=["division_code"],
    nav_group="预警发布",
)

CHANNELS = Registry(
    key="warning-channels",
    model=ChannelConfig,
    label="发布渠道配置",
    fields=["channel", "name", "enabled", "endpoint", "smtp_host", "smtp_port", "mail_from", "signature",
            "rate_per_second", "batch_size", "max_attempts", "retry_base_seconds", "timeout_seconds",
            "receipt_token", "division_code"],
    list_fields=["channel", "name", "enabled", "endpoint", "rate_per_second", "max_attempts"],
    search_fields=["name", "endpoint"],
    ordering=["channel"],
    nav_group="预警发布",
)

FEEDS = Registry(
    key="cap-feeds",
    model=CapFeed,
    label="CAP 订阅源",
    fields=["name", "url", "enabled", "interval_minutes", "division_code"],
    list_fields=["name", "url", "enabled", "interval_minutes", "last_polled_at", "last_result"],
    search_fields=["name", "url"],
    ordering=["name"],
    nav_group="预警发布",
)
