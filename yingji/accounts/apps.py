from yingji.core.apps import Searchable, YingjiAppConfig


class AccountsConfig(YingjiAppConfig):
    name = "yingji.accounts"
    label = "accounts"
    verbose_name = "用户与权限"
    cli_commands = {"createuser": "createuser", "token": "token"}
    # users.manage: only administrators find user accounts (those of their own region)
    searchables = [Searchable("users", "用户", "services.managed_users", ("username", "full_name"), "user-edit",
                              capability="users.manage", title="display_name", detail="role_label")]
