"""Benchmark CARE-2 MQTT ingest: gateways publish to the real broker (127.0.0.1:1883), the
`manage.py care_mqtt` subscriber writes into PostgreSQL.

    DEBUG=1 .venv/bin/python bench/care_ingest_mqtt.py [--households 2000] [--gateways 20]
        [--steps 20] [--mode single|batch] [--per-message 100] [--publishers 2]
        [--resend 0.05] [--keep] [--smoke]

Recreates the database of --database-url (default linli_bench_care_mqtt on 127.0.0.1) with
a fleet of gateways and devices (as bench/care_ingest_http.py), starts `care_mqtt` as its own
process on a topic prefix and client id of this run only, and waits until it has subscribed
(so its persistent session exists). Every device sends --steps readings, one a minute up to
now, each gateway in time order:

- `--mode single`: one message per reading on `<prefix>/<gateway>/<serial>/reading` (what a
  meter that speaks MQTT does);
- `--mode batch`: `--per-message` readings per message on `<prefix>/<gateway>/batch`.

A fraction --resend of the messages is published twice (a gateway that missed the PUBACK).
All payloads are built before the clock starts; --publishers processes publish at QoS 1 as
fast as the broker acknowledges. The clock stops when the last distinct reading is in the
database. Then the subscriber is stopped (SIGTERM) and its totals and the database are
counted: every distinct reading stored once, each resent one reported as a duplicate.

Aim (the issue): >= 5,000 readings/s from the real broker, none lost or doubled.
"""

import argparse
import datetime as dt
import json
import multiprocessing as mp
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from typing import Any

from _care_ingest import backend_pids, build_fleet, count_check, reading_batches
from _common import (
    MANAGE,
    ROOT,
    bench_keys,
    parse_args,
    pg_drop,
    read_proc_cpu,
    smoke_url,
    system_cpu,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/linli_bench_care_mqtt"
HOST, PORT = "127.0.0.1", 1883


def args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--database-url", default=DEFAULT_URL)
    p.add_argument("--households", type=int, default=2000)
    p.add_argument("--gateways", type=int, default=20)
    p.add_argument("--steps", type=int, default=20, help="readings per device")
    p.add_argument("--mode", choices=("single", "batch"), default="single")
    p.add_argument("--per-message", type=int, default=100, help="readings per batch message")
    p.add_argument("--publishers", type=int, default=2, help="publishing processes")
    p.add_argument("--resend", type=float, default=0.05, help="share of messages sent twice")
    p.add_argument("--batch-size", type=int, default=2000, help="subscriber readings per commit")
    p.add_argument(
        "--window", type=int, default=30000, help="readings published ahead of the database"
    )
    p.add_argument("--keep", action="store_true")
    return parse_args(
        p,
        database_url=smoke_url(DEFAULT_URL),
        households=10,
        gateways=2,
        steps=2,
        publishers=1,
    )


def publish(
    messages: list[tuple[str, bytes, int]],
    ready: Any,
    go: Any,
    published: Any,
    stored: Any,
    window: int,
) -> None:
    """A publishing process: QoS 1, returns when the broker acknowledged every message.
    Flow control: it waits while more than `window` readings are published but not yet in
    the database. MQTT has no back-pressure from subscriber to publisher, and the broker
    drops what a subscriber's queue cannot hold (mosquitto: max_queued_messages), so a
    publisher racing far ahead would measure the broker's limits, not ingest."""
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    acked = 0

    def on_publish(*_: Any) -> None:
        nonlocal acked
        acked += 1

    client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv311)
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(0)
    client.on_publish = on_publish
    client.connect(HOST, PORT)
    client.loop_start()
    ready.set()
    go.wait()
    for start in range(0, len(messages), 200):
        chunk = messages[start : start + 200]
        while published.value - stored.value > window:
            time.sleep(0.005)
        for topic, payload, _ in chunk:
            client.publish(topic, payload, qos=1)
        with published.get_lock():
            published.value += sum(n for _, _, n in chunk)
    while acked < len(messages):
        time.sleep(0.05)
    client.disconnect()
    client.loop_stop()


def main() -> None:
    opts = args()
    t0 = time.perf_counter()
    fleet = build_fleet(
        opts.database_url, households=opts.households, gateways=opts.gateways, smoke=opts.smoke
    )
    print(
        f"fleet: {opts.households * 5} devices on {opts.gateways} gateways "
        f"({time.perf_counter() - t0:.1f} s to build)"
    )
    run = uuid.uuid4().hex[:8]
    prefix, client_id = f"bench-{run}/linli/care", f"care-bench-{run}"
    end = dt.datetime.now(dt.UTC).replace(microsecond=0)
    streams: list[list[tuple[str, bytes, int]]] = []
    sent_distinct = sent_total = 0
    for g, gw in enumerate(fleet):
        stream: list[tuple[str, bytes, int]] = []
        for batch in reading_batches(
            gw, steps=opts.steps, end=end, step_seconds=60, batch=opts.per_message, seed=g
        ):
            if opts.mode == "batch":
                msgs = [(f"{prefix}/{gw.name}/batch", json.dumps({"readings": batch}).encode())]
                sizes = [len(batch)]
            else:
                msgs = []
                for r in batch:
                    payload = {k: v for k, v in r.items() if k != "serial"}
                    msgs.append(
                        (f"{prefix}/{gw.name}/{r['serial']}/reading", json.dumps(payload).encode())
                    )
                sizes = [1] * len(batch)
            for (topic, payload), size in zip(msgs, sizes, strict=True):
                stream.append((topic, payload, size))
                sent_distinct += size
                sent_total += size
                if (len(stream) * 7919 + g) % 1000 < opts.resend * 1000:
                    stream.append((topic, payload, 0))  # a repeat adds nothing new
                    sent_total += size
        streams.append(stream)
    n_messages = sum(len(s) for s in streams)
    print(
        f"readings: {sent_distinct:,} distinct, {sent_total:,} sent in {n_messages:,} "
        f"messages ({opts.mode})"
    )

    bench_keys()  # the subscriber runs with DEBUG off, like this process
    env = {**os.environ, "DATABASE_URL": opts.database_url, "DEBUG": "0", "SECRET_KEY": "bench"}
    sub = subprocess.Popen(
        [
            sys.executable,
            str(MANAGE),
            "care_mqtt",
            "--prefix",
            prefix,
            "--client-id",
            client_id,
            "--batch-size",
            str(opts.batch_size),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    assert sub.stdout is not None
    line = sub.stdout.readline()
    if "subscribed" not in line:
        sub.kill()
        raise SystemExit(f"care_mqtt did not start: {line}{sub.stdout.read()[-2000:]}")

    ctx = mp.get_context("spawn")
    ready, go = ctx.Event(), ctx.Event()
    shares: list[list[tuple[str, bytes, int]]] = [[] for _ in range(opts.publishers)]
    for i, stream in enumerate(streams):  # a gateway's messages stay in one process, in order
        shares[i % opts.publishers].extend(stream)
    published, stored_now = ctx.Value("q", 0), ctx.Value("q", 0)
    procs = [
        ctx.Process(target=publish, args=(share, ready, go, published, stored_now, opts.window))
        for share in shares
    ]
    for p in procs:
        p.start()
    ready.wait(30)
    time.sleep(0.5)

    from django.db import connection

    def stored() -> int:
        """Readings stored so far: the id sequence (COPY takes ids without gaps), read from
        the primary key's index, far cheaper than count(*) ten times a second."""
        with connection.cursor() as cur:
            cur.execute("SELECT coalesce(max(id), 0) FROM care_reading")
            value = int(cur.fetchone()[0])
        stored_now.value = value
        return value

    sub_cpu0 = read_proc_cpu(sub.pid)
    busy0, total0 = system_cpu()
    started = time.perf_counter()
    go.set()
    published_at = None
    deadline = started + 600
    while stored() < sent_distinct and time.perf_counter() < deadline:
        if published_at is None and not any(p.is_alive() for p in procs):
            published_at = time.perf_counter() - started
        time.sleep(0.1)
    wall = time.perf_counter() - started
    busy1, total1 = system_cpu()
    sub_cpu = read_proc_cpu(sub.pid) - sub_cpu0
    pg_cpu = sum(read_proc_cpu(pid) for pid in backend_pids(opts.database_url))
    for p in procs:
        p.join(60)
    time.sleep(2)  # let the resent tail arrive
    sub.send_signal(signal.SIGTERM)
    out = sub.communicate(timeout=60)[0]
    totals = dict(re.findall(r"(\w+)=(\d+)", out.strip().splitlines()[-1]))
    accepted, duplicates = int(totals.get("accepted", 0)), int(totals.get("duplicates", 0))
    print(f"published in {published_at or wall:.2f} s; all stored after {wall:.2f} s")
    print(
        f"throughput: {sent_distinct / wall:,.0f} new readings/s stored "
        f"({sent_total / wall:,.0f} readings/s, {n_messages / wall:,.0f} messages/s handled)"
    )
    per = 1e6 / sent_total
    print(
        f"cpu per reading: care_mqtt {sub_cpu * per:.1f} µs, "
        f"postgres backend {pg_cpu * per:.1f} µs; "
        f"machine busy {100 * (busy1 - busy0) / max(1, total1 - total0):.0f}%"
    )
    check = count_check(
        sent_distinct=sent_distinct, accepted=accepted, duplicates=duplicates, sent_total=sent_total
    )
    check["rejected"] = int(totals.get("rejected", -1))
    check["ok"] = check["ok"] and check["rejected"] == 0
    print("count:", json.dumps(check))
    # drop the persistent session this run made on the broker
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    cleaner = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    cleaner.connect(HOST, PORT, clean_start=True)
    cleaner.disconnect()
    if not opts.keep:
        connection.close()
        pg_drop(opts.database_url)
    if not check["ok"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
