from yingji.core.apps import YingjiAppConfig


class AuditConfig(YingjiAppConfig):
    name = "yingji.audit"
    label = "audit"
    verbose_name = "审计日志"
    cli_commands = {"audit": "audit"}
