from yingji.core.apps import YingjiAppConfig


class EnforcementConfig(YingjiAppConfig):
    name = "yingji.enforcement"
    label = "enforcement"
    verbose_name = "监管执法"
    startup_modules = ("registries",)
    nav_links = [
        ("安全监管", "年度检查计划", "enforcement:plans"),
        ("安全监管", "执法检查", "enforcement:inspections"),
        ("安全监管", "执法案件", "enforcement:cases"),
        ("安全监管", "当场处罚（简易程序）", "enforcement:on-spot"),
        ("安全监管", "查封扣押", "enforcement:measures"),
    ]
