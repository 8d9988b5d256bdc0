from yingji.core.apps import YingjiAppConfig

STYLE = "color:#fff;background:rgba(255,255,255,.14);padding:3px 8px;border-radius:4px;font-size:13px"


class DutyConfig(YingjiAppConfig):
    name = "yingji.duty"
    label = "duty"
    verbose_name = "值班值守"
    startup_modules = ("registries",)
    nav_links = [
        ("值班值守", "值班日历", "duty-calendar"),
        ("值班值守", "交接班", "duty-handovers"),
        ("值班值守", "值班日报", "duty-daily"),
    ]

    def header_widget(self, request):
        """Who is on duty now in the user's duty room, on every page."""
        from django.urls import reverse
        from django.utils.html import format_html, format_html_join

        from .services import duty_unit_of, on_duty_summary

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return ""
        unit = duty_unit_of(user)
        if unit is None:
            return ""
        people = on_duty_summary(unit)
        if not people:
            return format_html('<a class="on-duty" data-testid="on-duty" href="{}" style="{}">今日值班：未排班</a>', reverse("duty-calendar"), STYLE)
        short = {"leader": "带班", "chief": "值班长", "officer": "值班员"}
        items = format_html_join("　", "{}：{}", ((short[p["tier"]], p["name"]) for p in people))
        return format_html('<a class="on-duty" data-testid="on-duty" href="{}" title="{}" style="{}">在岗 · {}</a>',
                           reverse("duty-calendar"), f"{unit.name}当前值班人员", STYLE, items)
