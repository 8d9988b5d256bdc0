"""``yingji ingest`` and ``yingji simulate sensors`` (registered in yingji/cli.py)."""

from __future__ import annotations

import os
import signal
import sys
import threading


def add_commands(sub) -> None:
    ingest = sub.add_parser("ingest", help="MQTT 监测数据接入进程")
    ingest.add_argument("--mqtt", help="MQTT 地址，如 mqtt://127.0.0.1:1883（默认取 YINGJI_MQTT_URL）")
    ingest.add_argument("--client-id", default=os.environ.get("YINGJI_MQTT_CLIENT_ID", "yingji-ingest"),
                        help="固定的客户端标识（持久会话以此区分，多进程须各不相同并使用共享订阅）")
    ingest.set_defaults(func=cmd_ingest)

    simulate = sub.add_parser("simulate", help="模拟数据")
    ssub = simulate.add_subparsers(dest="what", required=True)
    sensors = ssub.add_parser("sensors", help="为演示传感器发送模拟监测数据（含超阈值）")
    sensors.add_argument("--mqtt", help="经 MQTT 发送（默认取 YINGJI_MQTT_URL）")
    sensors.add_argument("--http", help="经 HTTP 发送到平台地址，如 http://127.0.0.1:8000（需 --token）")
    sensors.add_argument("--token", help="设备上报令牌（HTTP 方式）")
    sensors.add_argument("--duration", type=float, help="运行秒数（默认一直运行）")
    sensors.add_argument("--excursion-every", type=float, default=900.0,
                         help="平均每隔多少秒制造一次超阈值（随机间隔，多为四级；0 为不制造）")
    sensors.add_argument("--speed", type=float, default=1.0, help="上报频率倍数（>1 更快）")
    sensors.add_argument("--all", action="store_true", help="包括非示例（真实）传感器——仅用于测试环境")
    sensors.set_defaults(func=cmd_simulate)


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yingji.settings")
    import django

    django.setup()


def _stop_on_signals(stop: threading.Event) -> None:
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())


def cmd_ingest(args) -> int:
    _setup_django()
    from .mqtt import IngestWorker, broker_url

    url = args.mqtt or broker_url()
    if not url:
        print("错误：未配置 MQTT 地址。请设置 YINGJI_MQTT_URL=mqtt://127.0.0.1:1883 或使用 --mqtt。", file=sys.stderr)
        return 2
    try:
        worker = IngestWorker(url, client_id=args.client_id)
    except ValueError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    stop = threading.Event()
    _stop_on_signals(stop)
    print(f"监测数据接入已启动：{url}（客户端 {args.client_id}，Ctrl-C 退出）", flush=True)
    worker.run(stop)
    return 0


def cmd_simulate(args) -> int:
    _setup_django()
    from .mqtt import broker_url
    from .simulator import (HttpTransport, LocalTransport, MqttTransport, Simulator, build_models, demo_sensors,
                            latest_seqs, latest_values)

    sensors = demo_sensors(synthetic_only=not args.all)
    if not sensors:
        print("没有可模拟的传感器：请先运行 yingji demo --load-only 载入演示数据。", file=sys.stderr)
        return 2
    if args.http:
        if not args.token:
            print("错误：HTTP 方式需要 --token（设备上报令牌）。", file=sys.stderr)
            return 2
        transport, how = HttpTransport(args.http, args.token), f"HTTP {args.http}"
    elif args.mqtt or broker_url():
        url = args.mqtt or broker_url()
        transport, how = MqttTransport(url), f"MQTT {url}"
    else:
        transport, how = LocalTransport(), "本进程直接写入（未配置 MQTT）"
    stop = threading.Event()
    _stop_on_signals(stop)
    print(f"模拟 {len(sensors)} 个传感器，经 {how}", flush=True)
    simulator = Simulator(build_models(sensors, latest=latest_values(sensors), seqs=latest_seqs(sensors)), transport, excursion_every=args.excursion_every, speed=args.speed)
    simulator.run(stop, duration=args.duration)
    print(f"已发送 {simulator.sent} 条读数，超阈值 {simulator.excursions} 次")
    return 0
