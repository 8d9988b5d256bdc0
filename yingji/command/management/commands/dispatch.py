"""``yingji dispatch nearest --lon X --lat Y --kind K``: the nearest resources by road travel time."""

from yingji.command import routing
from yingji.command.management.acting import system_user
from yingji.core.errors import ServiceError
from yingji.core.management.base import YingjiCommand


class Command(YingjiCommand):
    help = "调度：就近资源查询"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        near = sub.add_parser("nearest", help="按行车时间列出最近的队伍/储备库/专家/避难场所（JSON）")
        near.add_argument("--lon", type=float, required=True)
        near.add_argument("--lat", type=float, required=True)
        near.add_argument("--kind", required=True, choices=["teams", "warehouses", "experts", "shelters"])
        near.add_argument("--specialty", help="专业领域（队伍）、类型（储备库）、类别或特长（专家）")
        near.add_argument("--k", type=int, default=5)
        near.add_argument("--all", action="store_true", help="包括非待命队伍、无空余容量的避难场所")
        near.add_argument("--routes", action="store_true", help="输出路线坐标")
        near.add_argument("--user")

    def handle(self, action, **options):
        kind, specialty, routes = options["kind"], options["specialty"] or "", options["routes"]
        try:
            user = system_user(options["user"])
            result = routing.nearest(user, options["lon"], options["lat"], kind, k=options["k"], specialty=specialty,
                                     available_only=not options["all"], with_routes=routes)
        except ServiceError as exc:
            self.fail(exc.message)
        rows = []
        for r in result["results"]:
            row = {"id": r["id"], "name": r["name"], "seconds": r["seconds"], "metres": r["metres"],
                   "status": r["status"], "reachable": r["reachable"]}
            if routes:
                row["route"] = r["route"]
            rows.append(row)
        self.print_json({"origin": result["origin"], "kind": kind, "specialty": specialty,
                         "network": result["network"]["name"], "results": rows})
