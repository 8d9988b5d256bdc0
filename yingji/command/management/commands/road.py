"""``yingji road import FILE.osm.pbf`` / ``yingji road synthetic``: the road network for dispatch."""

from yingji.command import network
from yingji.command.management.acting import system_user
from yingji.command.serializers import network_json
from yingji.core.errors import ServiceError
from yingji.core.management.base import YingjiCommand


class Command(YingjiCommand):
    help = "路网：导入 OpenStreetMap 路网或在部署档案的区划内生成合成路网"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="导入 .osm.pbf 路网（小汽车速度按道路等级）并启用")
        imp.add_argument("file")
        imp.add_argument("--name")
        imp.add_argument("--division", default=None, help="路网所属区划，默认部署档案的根区划（如阜新市 210900）")
        imp.add_argument("--no-activate", action="store_true", help="只导入，不设为当前路网")
        imp.add_argument("--user")
        syn = sub.add_parser("synthetic", help="在部署档案的真实边界内生成合成路网（示例）并启用")
        syn.add_argument("--seed", type=int, default=2109)
        syn.add_argument("--nodes", type=int, default=30_000)
        syn.add_argument("--user")

    def handle(self, action, user=None, **options):
        try:
            acting = system_user(user)
            if action == "import":
                net = network.import_osm(acting, options["file"], name=options["name"] or "",
                                         division_code=options["division"], activate=not options["no_activate"])
            else:
                net = network.build_synthetic(acting, seed=options["seed"], target_nodes=options["nodes"])
        except ServiceError as exc:
            self.fail(exc.message)
        self.print_json(network_json(net))
