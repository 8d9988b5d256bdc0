from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "yingji.accounts"
    label = "accounts"
    verbose_name = "用户与权限"
