from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "yingji.web"
    label = "web"
    verbose_name = "Web 控制台"
