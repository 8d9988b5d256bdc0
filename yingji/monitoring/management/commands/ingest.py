"""``yingji ingest [--mqtt URL] [--client-id ID]``: the MQTT monitoring ingest worker."""

import os

from yingji.core.management.base import YingjiCommand
from yingji.monitoring.mqtt import IngestWorker, broker_url


class Command(YingjiCommand):
    help = "MQTT 监测数据接入进程"

    def add_arguments(self, parser):
        parser.add_argument("--mqtt", help="MQTT 地址，如 mqtt://127.0.0.1:1883（默认取 YINGJI_MQTT_URL）")
        parser.add_argument("--client-id", default=os.environ.get("YINGJI_MQTT_CLIENT_ID", "yingji-ingest"),
                            help="固定的客户端标识（持久会话以此区分，多进程须各不相同并使用共享订阅）")
        parser.add_argument("--share", default=os.environ.get("YINGJI_MQTT_SHARE_GROUP", ""),
                            help="MQTT v5 共享订阅组名（$share/组名/…）：同组的多个接入进程分担同一数据流")
        parser.add_argument("--metrics-port", type=int, default=int(os.environ.get("YINGJI_METRICS_PORT", "0") or 0),
                            help="在该端口（127.0.0.1）提供 Prometheus 运行指标，0 为不提供")

    def handle(self, mqtt, client_id, share, metrics_port, **options):
        url = mqtt or broker_url()
        if not url:
            self.stderr.write("错误：未配置 MQTT 地址。请设置 YINGJI_MQTT_URL=mqtt://127.0.0.1:1883 或使用 --mqtt。")
            self.exit(2)
        try:
            worker = IngestWorker(url, client_id=client_id, share_group=share, own_process=True)
        except ValueError as exc:
            self.fail(str(exc))
        if metrics_port:
            from prometheus_client import start_http_server

            start_http_server(metrics_port, addr=os.environ.get("YINGJI_METRICS_ADDR", "127.0.0.1"))
        stop = self.stop_event()
        self.stdout.write(f"监测数据接入已启动：{url}（客户端 {client_id}{'，共享订阅组 ' + share if share else ''}，Ctrl-C 退出）")
        self.stdout.flush()
        worker.run(stop)
