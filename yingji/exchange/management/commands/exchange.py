"""``yingji exchange``: issue a child's credential, connect to a parent, show the links and the
queue, run a delivery round, and export/import the same signed messages as files (for networks
where the installations cannot reach each other)."""

from __future__ import annotations

import json
from pathlib import Path

from django.contrib.auth import get_user_model

from yingji.core.errors import ServiceError
from yingji.core.management.base import YingjiCommand

from ... import selectors, services
from ...models import ChildLink


class Command(YingjiCommand):
    help = "上下级平台对接：签发凭据、配置上级、查看状态、同步、文件导出导入"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="exchange_command", required=True)
        issue = sub.add_parser("issue", help="（上级）登记下级平台并签发凭据")
        issue.add_argument("name")
        issue.add_argument("--division", required=True, help="下级平台的行政区划代码")
        issue.add_argument("--user", required=True, help="执行操作的用户登录名（须有对接管理权限）")
        connect = sub.add_parser("connect", help="（下级）配置上级平台地址与凭据")
        connect.add_argument("url")
        connect.add_argument("credential")
        connect.add_argument("--name", default="上级平台")
        connect.add_argument("--user", required=True, help="执行操作的用户登录名（须有对接管理权限）")
        sub.add_parser("status", help="连接状态与待发送条数（JSON）")
        sub.add_parser("sync", help="（下级）立即与上级平台同步一轮")
        export = sub.add_parser("export", help="把待发送消息导出为签名文件")
        export.add_argument("file")
        export.add_argument("--child", default="", help="（上级）下级平台的行政区划代码：导出给它的下发消息")
        sub.add_parser("import", help="导入对方平台导出的签名文件").add_argument("file")

    def handle(self, exchange_command, **options):
        try:
            getattr(self, f"do_{exchange_command}")(**options)
        except ServiceError as exc:
            self.fail(exc.message, status=1)
        except services.ExchangeUnavailable as exc:
            self.fail(str(exc), status=1)

    def _user(self, login: str):
        user = get_user_model().objects.filter(username=login, is_active=True).first()
        if user is None:
            self.fail(f"没有启用的用户 {login}", status=1)
        return user

    def do_issue(self, name, division, user, **_):
        link, credential = services.issue_child(self._user(user), name, division)
        self.stdout.write(f"已登记下级平台“{link.name}”（{link.division_code}）。凭据（只显示这一次）：")
        self.stdout.write(credential)

    def do_connect(self, url, credential, name, user, **_):
        link = services.configure_parent(self._user(user), name, url, credential)
        self.stdout.write(f"已配置上级平台“{link.name}”：{link.url}")

    def do_status(self, **_):
        children = [selectors.child_row(link) for link in ChildLink.objects.order_by("division_code")]
        self.print_json({"parent": selectors.parent_row(), "children": children})

    def do_sync(self, **_):
        result = services.sync()
        self.stdout.write(f"同步完成：上报 {result['sent']} 条，收到 {result['received']} 条")

    def do_export(self, file, child, **_):
        link = None
        if child:
            link = ChildLink.objects.filter(division_code__startswith=child[:6], active=True).first()
            if link is None:
                self.fail(f"没有行政区划 {child} 的启用下级平台", status=1)
        envelope, count = services.export_envelope(link)
        Path(file).write_text(json.dumps(envelope, ensure_ascii=False, indent=1), encoding="utf-8")
        self.stdout.write(f"已导出 {count} 条消息到 {file}")

    def do_import(self, file, **_):
        try:
            text = Path(file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self.fail(f"无法读取 {file}：{exc}", status=1)
        result = services.import_envelope(services.read_envelope(text))
        self.stdout.write(f"已导入 {result['accepted']} 条消息（重复的不会重复处理）")
