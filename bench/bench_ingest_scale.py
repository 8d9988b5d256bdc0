"""Ingest on PostgreSQL with 1, 2 and 4 ingest processes sharing the MQTT stream (side by side).

    .venv/bin/python -m bench.bench_ingest_scale [--sensors 2000,20000] [--processes 1,2,4] [--rounds 50]

Each configuration is one run of ``bench.bench_monitor_ingest --db postgresql --outage-s 0
--workers N`` (a fresh database, the real ``yingji ingest`` processes on ``$share/<group>/...``
against the local Mosquitto, the real ``yingji serve`` for the SSE alarm latency). Prints one
JSON object: per sensors and processes, readings/s, the ratio to a bare COPY of the same rows and
to the ingest's own insert statement run bare, what the ingest processes logged as pauses,
alarm p50/p99 at 20,000 readings/s (gateway batches spread over each
second, and each second's readings as one burst), and the gain over one process.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

from bench.bench_monitor_ingest import REPO, machine


def run(sensors: int, processes: int, rounds: int) -> dict:
    done = subprocess.run([sys.executable, "-m", "bench.bench_monitor_ingest", "--db", "postgresql", "--outage-s", "0",
                           "--sensors", str(sensors), "--rounds", str(rounds), "--workers", str(processes)],
                          cwd=REPO, capture_output=True, text=True, timeout=3600)
    if done.returncode:
        raise RuntimeError(done.stderr[-3000:])
    result = json.loads(done.stdout.strip().splitlines()[-1])["by_database"]["postgresql"]
    keep = ("readings", "readings_per_s", "ratio_to_bare_insert", "bare_insert_readings_per_s",
            "ratio_to_bare_statement", "bare_statement_readings_per_s", "alarm_latency_p50_s",
            "alarm_latency_p99_s", "alarm_latency_max_s", "alarms_measured", "alarms_missing", "paced_readings_per_s",
            "burst_alarm_latency_p50_s", "burst_alarm_latency_p99_s", "burst_alarm_latency_max_s",
            "burst_alarms_missing", "alarm_to_event_p50_s", "alarm_to_event_max_s", "alarm_event_to_stream_p50_s",
            "alarm_event_to_stream_max_s", "burst_alarm_to_event_p50_s", "burst_alarm_event_to_stream_p50_s",
            "ingest_pauses")
    return {k: result[k] for k in keep if k in result}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sensors", default="2000,20000")
    parser.add_argument("--processes", default="1,2,4")
    parser.add_argument("--rounds", type=int, default=50, help="readings per sensor in the throughput phase")
    args = parser.parse_args()
    results = {}
    load_before = os.getloadavg()[0]
    for sensors in [int(x) for x in args.sensors.split(",")]:
        rows = {}
        for n in [int(x) for x in args.processes.split(",")]:
            rows[str(n)] = run(sensors, n, max(1, args.rounds * 2000 // sensors))
            rows[str(n)]["load_average_1m_after"] = round(os.getloadavg()[0], 2)
            one = rows.get("1")
            if one:
                rows[str(n)]["gain_over_one"] = round(rows[str(n)]["readings_per_s"] / one["readings_per_s"], 2)
            print(json.dumps({"sensors": sensors, "processes": n, **rows[str(n)]}), file=sys.stderr, flush=True)
        results[str(sensors)] = rows
    print(json.dumps({"database": "postgresql", "by_sensors": results, "machine": machine(),
                      "load_average_1m_before": round(load_before, 2),
                      "note": "the run's own processes (publisher, ingest, web, PostgreSQL, Mosquitto) share the "
                              "machine's cores: read the figures against cpus and the load averages"},
                     ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
