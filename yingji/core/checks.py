"""``yingji check``: is this installation ready to serve, fully offline?"""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse

from yingji.core.navigation import nav_groups

EXTERNAL_ATTR = re.compile(r"""(?:src|href|action)\s*=\s*["'](?:https?:)?//(?!127\.0\.0\.1|localhost)([^/"']+)""", re.I)
EXTERNAL_CSS = re.compile(r"""url\(\s*["']?(?:https?:)?//([^/"')]+)""", re.I)
EXTERNAL_IMPORT = re.compile(r"""@import\s+["']?(?:url\()?["']?(?:https?:)?//([^/"')]+)""", re.I)
REQUIRED_ASSETS = [
    "vendor/leaflet/leaflet.js",
    "vendor/leaflet/leaflet.css",
    "vendor/markercluster/leaflet.markercluster.js",
    "web/app.css",
    "web/map.js",
]


def check_database() -> list[str]:
    try:
        connection.ensure_connection()
    except Exception as exc:  # noqa: BLE001 - any failure is reported to the operator
        return [f"数据库不可连接：{exc}"]
    return []


def check_migrations() -> list[str]:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"未应用的迁移：{m.app_label}.{m.name}" for m, _ in plan]


def check_static_assets() -> list[str]:
    return [f"缺少静态资源：{name}（请运行 ./run setup 安装前端依赖）" for name in REQUIRED_ASSETS if not finders.find(name)]


def external_references(text: str, css: bool = False) -> set[str]:
    hosts = set(EXTERNAL_ATTR.findall(text))
    if css:
        hosts |= set(EXTERNAL_CSS.findall(text)) | set(EXTERNAL_IMPORT.findall(text))
    return hosts


def check_static_offline() -> list[str]:
    """Our own templates/static, and every vendor stylesheet, must not load from other hosts."""
    problems = []
    web = Path(__file__).resolve().parent.parent / "web"
    for path in list(web.rglob("*.html")) + list(web.rglob("*.js")) + list(web.rglob("*.css")):
        text = path.read_text(encoding="utf-8", errors="replace")
        hosts = external_references(text, css=path.suffix == ".css")
        if path.suffix == ".js":
            hosts |= set(re.findall(r"""(?:fetch|open)\(\s*["'](?:https?:)?//([^/"']+)""", text))
        problems += [f"{path.name} 引用外部主机 {h}" for h in sorted(hosts)]
    for _, root in settings.STATICFILES_DIRS:
        for path in Path(root).rglob("*.css"):
            hosts = external_references(path.read_text(encoding="utf-8", errors="replace"), css=True)
            problems += [f"{path.name} 引用外部主机 {h}" for h in sorted(hosts)]
    return problems


def check_pages_offline() -> list[str]:
    """Render the pages a user sees and look for any reference to another host."""
    problems = []
    client = Client()
    pages = [reverse("login")]
    user = get_user_model().objects.filter(is_active=True, role="sysadmin").first()
    if user is not None:
        client.force_login(user)
        pages += [reverse(name) for name in ("dashboard", "map", "user-list", "audit-list", "division-list")]
        pages += [url for _, links in nav_groups() for _, url in links if url not in pages]
    for page in pages:
        response = client.get(page)
        if response.status_code >= 400:
            problems.append(f"页面 {page} 返回 {response.status_code}")
            continue
        hosts = external_references(response.content.decode("utf-8", errors="replace"))
        problems += [f"页面 {page} 引用外部主机 {h}" for h in sorted(hosts)]
    return problems


def run_checks() -> list[str]:
    problems = check_database()
    if problems:
        return problems
    problems += check_migrations()
    problems += check_static_assets()
    problems += check_static_offline()
    if not problems:
        problems += check_pages_offline()
    return problems


def holiday_reminders(today=None) -> list[str]:
    """Years whose State Council holiday notice the working-day periods lack (rules.workdays):
    this year, and from 15 November the next (its notice is published then)."""
    from django.utils import timezone

    from yingji.rules import workdays

    today = today or timezone.localdate()
    years = [today.year] + ([today.year + 1] if (today.month, today.day) >= (11, 15) else [])
    return [f"尚未配置 {year} 年节假日安排：该年按工作日计算的期限只排除周六、周日。请在 YINGJI_HOLIDAY_FILE "
            f"指定的文件中加入国务院办公厅 {year} 年部分节假日安排（见 docs/rules.md §4a）"
            for year in years if not workdays.covered(year)]
