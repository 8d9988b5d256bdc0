from yingji.core.apps import YingjiAppConfig


class OpsConfig(YingjiAppConfig):
    """Operations: health and readiness probes, Prometheus metrics, backup and restore."""

    name = "yingji.ops"
    label = "ops"
    verbose_name = "运维"
    cli_commands = {"backup": "backup", "restore": "restore"}
