"""Benchmark of the warning release; prints one JSON object.

Run: ``.venv/bin/python -m bench.bench_warnings [--subscribers 1200000] [--sms-seconds 20]``
(a fresh SQLite database in a temporary directory, or ``DATABASE_URL`` for a scratch PostgreSQL).

Figures:
* ``city_wide``: publishing a city-wide warning until its background targeting run has listed every
  recipient (the public subscribers in batches of ``warnings.batches.BATCH``, set-based SQL), with
  the time of a raw bulk insert (``executemany``) of one delivery row per subscriber into a table
  of the same shape and indexes, and the ratio of the two; targets < 3 s on PostgreSQL (issue 20),
  < 10 s on SQLite. ``expand_all_batches_s``: turning every batch into its delivery rows, as the
  SMS sender does batch by batch while it sends (spread over the sending, not part of targeting);
* ``polygon_third``: a drawn polygon covering about a third of the subscribers (bbox in SQL,
  ``shapely.contains_xy`` over numpy arrays, location-less subscribers by township/county);
  target < 5 s;
* ``sms_throughput``: sustained sends per second through the SMS adapter to a local HTTP gateway
  started here on 127.0.0.1 (JSON batches, per-recipient results recorded in the database);
* ``cap_build_validate``: building a warning's CAP 1.2 and validating it against the XSD, per warning.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np

from bench.common import migrated_django


def _setup(tmp: str) -> None:
    migrated_django(tmp)
    # A running platform has loaded its URL table (the whole API) long before a warning is published;
    # the first reverse() of this process would otherwise put that (about 9 s) into the targeting.
    from django.urls import reverse

    reverse("warnings:public")


def _city_points(n: int, rng: np.random.Generator):
    """n random points inside Fuxin's real counties, with their county codes (vectorised)."""
    import shapely
    from shapely.geometry import shape

    from yingji.geo.boundaries import county_features

    counties = [(f["properties"]["code"], shape(f["geometry"])) for f in county_features("2109")]
    minx = min(g.bounds[0] for _, g in counties)
    miny = min(g.bounds[1] for _, g in counties)
    maxx = max(g.bounds[2] for _, g in counties)
    maxy = max(g.bounds[3] for _, g in counties)
    lons, lats, codes = [], [], []
    while sum(len(x) for x in lons) < n:
        x = rng.uniform(minx, maxx, n)
        y = rng.uniform(miny, maxy, n)
        for code, geom in counties:
            shapely.prepare(geom)
            inside = shapely.contains_xy(geom, x, y)
            lons.append(x[inside])
            lats.append(y[inside])
            codes.append(np.full(inside.sum(), code.ljust(12, "0")))
    lon, lat, code = np.concatenate(lons)[:n], np.concatenate(lats)[:n], np.concatenate(codes)[:n]
    order = rng.permutation(n)
    return lon[order], lat[order], code[order]


def _load_subscribers(n: int) -> dict:
    from django.db import connection, transaction
    from django.utils import timezone

    rng = np.random.default_rng(2109)
    lon, lat, code = _city_points(n, rng)
    located = rng.random(n) < 0.8
    now = timezone.now()
    started = time.perf_counter()
    if connection.vendor == "postgresql":  # COPY: a province's 10 M subscribers load in minutes, not hours
        columns = ("division_code, is_synthetic, version, created_at, updated_at, lon, lat, coord_source, phone, name, "
                   "active, source")
        with transaction.atomic(), connection.cursor() as cursor, \
                cursor.cursor.copy(f"COPY warnings_subscriber ({columns}) FROM STDIN") as copy:
            for i in range(n):
                copy.write_row((str(code[i]), True, 1, now, now, float(lon[i]) if located[i] else None,
                                float(lat[i]) if located[i] else None, "WGS84", f"1{300000000 + i:010d}", "", True,
                                "import"))
        return {"count": n, "located": int(located.sum()), "load_s": round(time.perf_counter() - started, 2),
                "lon_third": float(np.quantile(lon[located], 1 / 3)), "loaded_with": "COPY"}
    sql = ("INSERT INTO warnings_subscriber (division_code, is_synthetic, version, created_at, updated_at, lon, lat, "
           "coord_source, phone, name, active, source) VALUES (%s, %s, 1, %s, %s, %s, %s, 'WGS84', %s, '', %s, 'import')")
    batch = 50_000
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, n, batch):
            rows = [(str(code[i]), True, now, now, float(lon[i]) if located[i] else None,
                     float(lat[i]) if located[i] else None, f"1{300000000 + i:010d}", True)
                    for i in range(start, min(n, start + batch))]
            cursor.executemany(sql, rows)
    return {"count": n, "located": int(located.sum()), "load_s": round(time.perf_counter() - started, 2),
            "lon_third": float(np.quantile(lon[located], 1 / 3)), "loaded_with": "executemany"}


def _analyse() -> None:
    """Statistics after a bulk load, as autovacuum would gather them on a running platform."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _user(username: str, role: str):
    from yingji.accounts.models import User

    return User.objects.create(username=username, role=role, region_code="210900000000", full_name=username)


def _publish(users, data):
    from yingji.warnings import services

    warning = services.create_warning(users["duty"], data)
    warning = services.transition(users["duty"], warning, "submit")
    warning = services.transition(users["city"], warning, "approve")
    warning = services.transition(users["commander"], warning, "sign")
    from yingji.jobs.services import wait_idle

    started = time.perf_counter()
    warning = services.transition(users["duty"], warning, "publish")
    wait_idle(timeout=600)  # a large warning is targeted by the background job (warnings.bulk): include it
    elapsed = time.perf_counter() - started
    warning.refresh_from_db()
    return warning, elapsed


def _base(**fields) -> dict:
    import datetime as dt

    from django.utils import timezone

    now = timezone.now().replace(microsecond=0)
    data = {"event_type": "natural.meteorological", "event": "暴雨", "level": 2, "effective": now,
            "expires": now + dt.timedelta(hours=24), "description": "基准测试预警。", "instruction": "注意防范。",
            "sender_name": "阜新市应急管理局", "channels": ["sms", "web"], "audiences": ["public"]}
    data.update(fields)
    return data


def _raw_insert_seconds(warning) -> float:
    """executemany of one delivery row per active subscriber (what listing every recipient as a
    row would write) into a table with the same columns and indexes."""
    from django.db import connection, transaction
    from django.utils import timezone

    from yingji.warnings.models import Subscriber

    rows = list(Subscriber.objects.filter(active=True).values_list("id", "phone", "division_code"))
    now = timezone.now()
    data = [(warning.pk + 1_000_000, "sms", "public", r, a, d, "queued", 0, now, now) for r, a, d in rows]
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_raw_delivery (id INTEGER PRIMARY KEY, warning_id bigint, channel varchar(10), "
                       "recipient_kind varchar(10), recipient_id bigint, address varchar(300), division_code varchar(12), "
                       "status varchar(10), attempts smallint, next_attempt_at timestamp, created_at timestamp)"
                       if connection.vendor == "sqlite" else
                       "CREATE TABLE bench_raw_delivery (id bigserial PRIMARY KEY, warning_id bigint, channel varchar(10), "
                       "recipient_kind varchar(10), recipient_id bigint, address varchar(300), division_code varchar(12), "
                       "status varchar(10), attempts smallint, next_attempt_at timestamptz, created_at timestamptz)")
        cursor.execute("CREATE UNIQUE INDEX bench_raw_once ON bench_raw_delivery (warning_id, channel, recipient_kind, recipient_id)")
        cursor.execute("CREATE INDEX bench_raw_due ON bench_raw_delivery (channel, status, next_attempt_at)")
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany("INSERT INTO bench_raw_delivery (warning_id, channel, recipient_kind, recipient_id, address, "
                           "division_code, status, attempts, next_attempt_at, created_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                           data)
    return time.perf_counter() - started


class _Gateway:
    def __init__(self):
        self.count = 0
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                data = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                gateway.count += len(data["messages"])
                body = json.dumps({"results": [{"id": m["id"], "status": "accepted", "msgid": f"g{m['id']}"}
                                               for m in data["messages"]]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def _sms_throughput(seconds: float, batch: int) -> dict:
    from yingji.warnings import dispatch
    from yingji.warnings.models import ChannelConfig

    gateway = _Gateway()
    config = ChannelConfig.objects.get(channel="sms")
    config.endpoint, config.batch_size, config.enabled = gateway.url, batch, True
    config.save()
    sent = 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        counts = dispatch.dispatch_once("sms", config=config)
        if not counts:
            break
        sent += counts.get("sent", 0)
    elapsed = time.perf_counter() - started
    gateway.server.shutdown()
    return {"sent": sent, "seconds": round(elapsed, 2), "per_second": round(sent / elapsed), "batch_size": batch,
            "gateway_received": gateway.count}


def _cap_timing(warning, rounds: int = 200) -> dict:
    from django.utils import timezone

    from yingji.warnings import capdoc

    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        capdoc.build_for(warning, timezone.now().replace(microsecond=0))
        samples.append(time.perf_counter() - started)
    ordered = sorted(samples)
    return {"median_ms": round(statistics.median(ordered) * 1000, 2), "p95_ms": round(ordered[int(rounds * 0.95) - 1] * 1000, 2)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=1_200_000)
    parser.add_argument("--sms-seconds", type=float, default=20)
    parser.add_argument("--sms-batch", type=int, default=500)
    parser.add_argument("--skip-raw", action="store_true", help="no raw executemany comparison (minutes at 10 M)")
    parser.add_argument("--skip-expand", action="store_true", help="do not turn every batch into deliveries")
    args = parser.parse_args()
    _setup(tempfile.mkdtemp(prefix="yingji-bench-"))
    from django.db import connection

    from yingji.warnings import batches
    from yingji.warnings.models import ChannelConfig, Delivery, DeliveryBatch

    ChannelConfig.objects.create(channel="sms", name="基准短信网关", endpoint="http://127.0.0.1:9/sms", division_code="210900000000")
    users = {name: _user(f"bench_{name}", role) for name, role in
             (("duty", "duty_officer"), ("city", "city_admin"), ("commander", "commander"))}
    subscribers = _load_subscribers(args.subscribers)
    _analyse()

    city, city_s = _publish(users, _base(area_desc="阜新市全境", area_codes=["210900000000"]))
    city_rows = city.dissemination["targeting"]["counts"]["public"]
    city_batches = DeliveryBatch.objects.filter(warning=city).count()
    raw_s = None if args.skip_raw else _raw_insert_seconds(city)
    started = time.perf_counter()
    # what the sender writes, batch by batch, while it sends
    expanded = 0 if args.skip_expand else batches.expand("sms", city_rows)
    expand_s = time.perf_counter() - started
    _analyse()

    third = subscribers["lon_third"]
    polygon = [[121.0, 41.3], [third, 41.3], [third, 43.0], [121.0, 43.0]]
    drawn, drawn_s = _publish(users, _base(area_desc="阜新市西部", area_codes=[], area_polygon=polygon, level=3))
    drawn_rows = drawn.dissemination["targeting"]["counts"]["public"]

    Delivery.objects.filter(warning=city).update(status="cancelled")
    result = {
        "benchmark": "warnings",
        "database": connection.vendor,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "subscribers": subscribers,
        "city_wide": {"recipients": city_rows, "batches": city_batches, "publish_target_queue_s": round(city_s, 2),
                      "target_s": 3 if connection.vendor == "postgresql" else 10,
                      "targeting": {k: city.dissemination.get("targeting", {}).get(k) for k in ("mode", "steps", "seconds")},
                      "raw_bulk_insert_s": raw_s and round(raw_s, 2),
                      "ratio_to_raw_insert": raw_s and round(city_s / raw_s, 2),
                      "expand_all_batches_s": expanded and round(expand_s, 2), "expanded_rows": expanded,
                      "expand_us_per_recipient": expanded and round(expand_s / expanded * 1e6, 1)},
        "polygon_third": {"recipients": drawn_rows, "share_of_subscribers": round(drawn_rows / args.subscribers, 3),
                          "publish_target_queue_s": round(drawn_s, 2), "target_s": 5,
                          "targeting": {k: drawn.dissemination.get("targeting", {}).get(k) for k in ("mode", "steps", "seconds")}},
        "sms_throughput": _sms_throughput(args.sms_seconds, args.sms_batch),
        "cap_build_validate": _cap_timing(drawn),
    }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
