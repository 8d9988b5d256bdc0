"""``yingji simulate sensors [--mqtt URL | --http URL --token T] ...``: demo sensor readings."""

from yingji.core.management.base import YingjiCommand
from yingji.monitoring.mqtt import broker_url
from yingji.monitoring.simulator import (HttpTransport, LocalTransport, MqttTransport, Simulator, build_models,
                                         demo_sensors, latest_seqs, latest_values)


class Command(YingjiCommand):
    help = "模拟数据"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True)
        sensors = sub.add_parser("sensors", help="为演示传感器发送模拟监测数据（含超阈值）")
        sensors.add_argument("--mqtt", help="经 MQTT 发送（默认取 YINGJI_MQTT_URL）")
        sensors.add_argument("--http", help="经 HTTP 发送到平台地址，如 http://127.0.0.1:8000（需 --token）")
        sensors.add_argument("--token", help="设备上报令牌（HTTP 方式）")
        sensors.add_argument("--duration", type=float, help="运行秒数（默认一直运行）")
        sensors.add_argument("--excursion-every", type=float, default=900.0,
                             help="平均每隔多少秒制造一次超阈值（随机间隔，多为四级；0 为不制造）")
        sensors.add_argument("--speed", type=float, default=1.0, help="上报频率倍数（>1 更快）")
        sensors.add_argument("--all", action="store_true", help="包括非示例（真实）传感器——仅用于测试环境")

    def handle(self, **options):
        sensors = demo_sensors(synthetic_only=not options["all"])
        if not sensors:
            self.stderr.write("没有可模拟的传感器：请先运行 yingji demo --load-only 载入演示数据。")
            self.exit(2)
        if options["http"]:
            if not options["token"]:
                self.fail("HTTP 方式需要 --token（设备上报令牌）。")
            transport, how = HttpTransport(options["http"], options["token"]), f"HTTP {options['http']}"
        elif options["mqtt"] or broker_url():
            url = options["mqtt"] or broker_url()
            transport, how = MqttTransport(url), f"MQTT {url}"
        else:
            transport, how = LocalTransport(), "本进程直接写入（未配置 MQTT）"
        stop = self.stop_event()
        self.stdout.write(f"模拟 {len(sensors)} 个传感器，经 {how}")
        self.stdout.flush()
        models = build_models(sensors, latest=latest_values(sensors), seqs=latest_seqs(sensors))
        simulator = Simulator(models, transport, excursion_every=options["excursion_every"], speed=options["speed"])
        simulator.run(stop, duration=options["duration"])
        self.stdout.write(f"已发送 {simulator.sent} 条读数，超阈值 {simulator.excursions} 次")
