"""``yingji road import FILE.osm.pbf`` / ``yingji road synthetic`` / ``yingji road matrix`` /
``yingji road prepare``: the road network for dispatch, batch travel-time matrices, and the
contraction hierarchies of the active network built in the foreground (normally a background task
does it after activation, see ``yingji.command.hierarchies``)."""

import csv
from pathlib import Path

from yingji.accounts.models import User
from yingji.command import hierarchies, network, routing
from yingji.command.management.acting import system_user
from yingji.command.serializers import network_json
from yingji.core.errors import ServiceError, ValidationFailed
from yingji.core.management.base import YingjiCommand


def _acting(username):
    """``--user``; else the first system administrator; on a fresh database the system itself
    (the import is audited as done by the system)."""
    if username or User.objects.filter(is_active=True, role="sysadmin").exists():
        return system_user(username)
    return None


def read_points(path: str, what: str) -> list[tuple[float, float]]:
    """``lon,lat`` per line (a header line and blank lines are skipped)."""
    file = Path(path)
    if not file.exists():
        raise ValidationFailed(f"{what}文件不存在：{path}", fields={what: ["文件不存在"]})
    points = []
    with file.open(encoding="utf-8-sig", newline="") as handle:
        for number, row in enumerate(csv.reader(handle), start=1):
            cells = [c.strip() for c in row if c.strip()]
            if not cells:
                continue
            try:
                lon, lat = float(cells[0]), float(cells[1])
            except (ValueError, IndexError):
                if number == 1 and not points:
                    continue  # header
                raise ValidationFailed(f"{what}文件第 {number} 行不是“经度,纬度”：{','.join(row)}",
                                       fields={what: [f"第 {number} 行格式不对"]}) from None
            points.append((lon, lat))
    if not points:
        raise ValidationFailed(f"{what}文件没有坐标", fields={what: ["没有坐标"]})
    return points


class Command(YingjiCommand):
    help = "路网：导入 OpenStreetMap 路网、在部署档案的区划内生成合成路网，或计算行车时间矩阵"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="导入 .osm.pbf 路网（小汽车与应急车辆两种车型）并启用")
        imp.add_argument("file")
        imp.add_argument("--name")
        imp.add_argument("--division", default=None, help="路网所属区划，默认部署档案的根区划（如阜新市 210900）")
        imp.add_argument("--no-activate", action="store_true", help="只导入，不设为当前路网")
        imp.add_argument("--user")
        syn = sub.add_parser("synthetic", help="在部署档案的真实边界内生成合成路网（示例）并启用")
        syn.add_argument("--seed", type=int, default=2109)
        syn.add_argument("--nodes", type=int, default=30_000)
        syn.add_argument("--user")
        mat = sub.add_parser("matrix", help="行车时间与距离矩阵（JSON）：每个文件每行一个“经度,纬度”")
        mat.add_argument("--sources", required=True)
        mat.add_argument("--targets", required=True)
        mat.add_argument("--profile", default="car", choices=["car", "emergency"])
        sub.add_parser("prepare", help="为当前路网生成行车时间矩阵快速计算索引（通常在启用路网后由后台任务自动生成）")

    def handle(self, action, user=None, **options):
        try:
            if action == "matrix":
                result = routing.travel_matrix(read_points(options["sources"], "起点"),
                                               read_points(options["targets"], "终点"), profile=options["profile"])
                self.print_json(result)
                return
            if action == "prepare":
                net = network.active_network()
                built = hierarchies.build_now(net)
                self.print_json({**network_json(net), "built": built, "hierarchies": hierarchies.status(net, always=True)})
                return
            acting = _acting(user)
            if action == "import":
                net = network.import_osm(acting, options["file"], name=options["name"] or "",
                                         division_code=options["division"], activate=not options["no_activate"])
            else:
                net = network.build_synthetic(acting, seed=options["seed"], target_nodes=options["nodes"])
        except ServiceError as exc:
            self.fail(exc.message)
        self.print_json(network_json(net))
