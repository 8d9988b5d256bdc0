from yingji.core.apps import YingjiAppConfig


class AccountsConfig(YingjiAppConfig):
    name = "yingji.accounts"
    label = "accounts"
    verbose_name = "用户与权限"
    cli_commands = {"createuser": "createuser", "token": "token"}
