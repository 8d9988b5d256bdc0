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

    def handle(self, mqtt, client_id, **options):
        url = mqtt or broker_url()
        if not url:
            self.stderr.write("错误：未配置 MQTT 地址。请设置 YINGJI_MQTT_URL=mqtt://127.0.0.1:1883 或使用 --mqtt。")
            self.exit(2)
        try:
            worker = IngestWorker(url, client_id=client_id)
        except ValueError as exc:
            self.fail(str(exc))
        stop = self.stop_event()
        self.stdout.write(f"监测数据接入已启动：{url}（客户端 {client_id}，Ctrl-C 退出）")
        self.stdout.flush()
        worker.run(stop)
