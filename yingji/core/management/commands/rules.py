"""``yingji rules accident-grade ...`` / ``yingji rules hazard-grade FILE.json`` (pure rules, no database)."""

import json

from yingji.core.management.base import YingjiCommand
from yingji.rules.accident import grade_accident
from yingji.rules.gb18218 import UnknownChemicalError, grade_from_json


class Command(YingjiCommand):
    help = "规则计算（纯计算，无需数据库）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="rule", required=True)
        ag = sub.add_parser("accident-grade", help="生产安全事故等级（国务院令第493号）")
        ag.add_argument("--deaths", type=int, required=True)
        ag.add_argument("--serious-injuries", type=int, required=True)
        ag.add_argument("--direct-loss-yuan", required=True)
        hg = sub.add_parser("hazard-grade", help="危险化学品重大危险源辨识与分级（GB 18218-2018）")
        hg.add_argument("file")

    def handle(self, rule, **options):
        if rule == "accident-grade":
            self.accident_grade(options["deaths"], options["serious_injuries"], options["direct_loss_yuan"])
        else:
            self.hazard_grade(options["file"])

    def accident_grade(self, deaths, serious_injuries, direct_loss_yuan):
        try:
            result = grade_accident(deaths, serious_injuries, direct_loss_yuan)
        except ValueError as exc:
            self.fail(str(exc))
        self.print_json(result.to_json())

    def hazard_grade(self, path):
        try:
            with open(path, encoding="utf-8") as fh:
                data = json.load(fh)
        except (OSError, json.JSONDecodeError) as exc:
            self.fail(f"无法读取 {path}：{exc}")
        try:
            self.print_json(grade_from_json(data))
        except UnknownChemicalError as exc:
            self.fail(str(exc), status=1)
        except (ValueError, KeyError, TypeError) as exc:
            self.fail(f"输入格式不正确：{exc}")
