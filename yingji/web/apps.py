from yingji.core.apps import YingjiAppConfig


class WebConfig(YingjiAppConfig):
    name = "yingji.web"
    label = "web"
    verbose_name = "Web 控制台"
    cli_commands = {"demo": "demo", "serve": "serve"}
