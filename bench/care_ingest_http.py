"""Benchmark CARE-2 HTTP ingest: `POST /api/care/readings` through gunicorn into PostgreSQL.

    DEBUG=1 .venv/bin/python bench/care_ingest_http.py [--households 2000] [--gateways 20]
        [--steps 60] [--batch 5000] [--clients 4] [--workers 2] [--resend 0.1] [--keep]
        [--smoke]

Recreates the database of --database-url (default linli_bench_care_http on 127.0.0.1),
migrates it and registers a fleet: one household per five devices (water and electricity
meters, door, motion, call button), spread over --gateways gateways with real tokens. Each
device sends --steps readings, one a minute up to now; each gateway's readings go out in time
order in batches of --batch. Bodies are serialised before the clock starts.

Load: --clients threads, each owning some gateways, post their batches over keep-alive
connections to `gunicorn linli.wsgi -w WORKERS`; a fraction --resend of the batches is sent
a second time right after (a gateway retrying after a lost answer), so duplicates are
exercised on the way. Then the count: every distinct reading is in care_reading exactly
once, the gateways were told `accepted` for each of them once and `duplicates` for each
resent one, no refusals, and every device state stands at its latest reading.

Aim (the issue): >= 20,000 readings/s into PostgreSQL, none lost or doubled.
"""

import argparse
import datetime as dt
import http.client
import json
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from _care_ingest import backend_pids, body, build_fleet, count_check, reading_batches
from _common import parse_args, percentile, pg_drop, read_proc_cpu, smoke_url, system_cpu
from casework_intake import gunicorn_start, gunicorn_stop

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/linli_bench_care_http"


def args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--database-url", default=DEFAULT_URL)
    p.add_argument("--households", type=int, default=2000)
    p.add_argument("--gateways", type=int, default=20)
    p.add_argument("--steps", type=int, default=60, help="readings per device")
    p.add_argument("--batch", type=int, default=5000, help="readings per request")
    p.add_argument("--clients", type=int, default=4)
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    p.add_argument("--resend", type=float, default=0.1, help="share of batches sent twice")
    p.add_argument("--keep", action="store_true", help="keep the database")
    return parse_args(
        p,
        database_url=smoke_url(DEFAULT_URL),
        households=20,
        gateways=2,
        steps=3,
        batch=50,
        clients=2,
        workers=1,
    )


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
    end = dt.datetime.now(dt.UTC).replace(microsecond=0)
    plans: list[tuple[str, list[tuple[bytes, int, bool]]]] = []
    sent_distinct = sent_total = 0
    for g, gw in enumerate(fleet):
        batches = reading_batches(
            gw, steps=opts.steps, end=end, step_seconds=60, batch=opts.batch, seed=g
        )
        posts = []
        for i, readings in enumerate(batches):
            raw = body(readings)
            posts.append((raw, len(readings), False))
            sent_distinct += len(readings)
            sent_total += len(readings)
            if (i * 7919 + g) % 1000 < opts.resend * 1000:
                posts.append((raw, len(readings), True))
                sent_total += len(readings)
        plans.append((gw.token, posts))
    print(
        f"readings: {sent_distinct:,} distinct, {sent_total:,} sent "
        f"({len(plans)} gateways, batches of {opts.batch})"
    )

    log = Path(tempfile.mkstemp(prefix="care_http_", suffix=".log")[1])
    server = gunicorn_start(opts.database_url, opts.workers, log)
    results: list[dict[str, Any]] = []
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def client(mine: list[tuple[str, list[tuple[bytes, int, bool]]]]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
        # Interleave this client's gateways; each gateway's batches stay in order.
        queues = [(token, list(posts)) for token, posts in mine]
        while any(posts for _, posts in queues):
            for token, posts in queues:
                if not posts:
                    continue
                raw, _, _ = posts.pop(0)
                started = time.perf_counter()
                conn.request(
                    "POST",
                    "/api/care/readings",
                    body=raw,
                    headers={
                        "Authorization": f"Bearer {token}",
                        "Content-Type": "application/json",
                    },
                )
                response = conn.getresponse()
                payload = response.read()
                took = time.perf_counter() - started
                with lock:
                    latencies.append(took)
                    if response.status != 200:
                        errors.append(f"{response.status}: {payload[:300]!r}")
                    else:
                        results.append(json.loads(payload))
        conn.close()

    # warm-up: every worker imports Django and opens its connection
    warm = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    for _ in range(opts.workers * 2):
        warm.request(
            "POST",
            "/api/care/readings",
            body=b'{"readings": []}',
            headers={
                "Authorization": f"Bearer {fleet[0].token}",
                "Content-Type": "application/json",
            },
        )
        warm.getresponse().read()
    warm.close()

    shares = [plans[i :: opts.clients] for i in range(opts.clients)]
    threads = [threading.Thread(target=client, args=(share,)) for share in shares]
    cpu0 = {pid: read_proc_cpu(pid) for pid in server.workers()}
    pg0 = {pid: read_proc_cpu(pid) for pid in backend_pids(opts.database_url)}
    busy0, total0 = system_cpu()
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    busy1, total1 = system_cpu()
    cpu = sum(read_proc_cpu(pid) - c for pid, c in cpu0.items())
    # backends opened during the run count from their start
    pg_cpu = sum(read_proc_cpu(pid) - pg0.get(pid, 0.0) for pid in backend_pids(opts.database_url))
    gunicorn_stop(server)

    accepted = sum(r["accepted"] for r in results)
    duplicates = sum(r["duplicates"] for r in results)
    rejected = sum(len(r["rejected"]) for r in results)
    latencies.sort()
    print(
        f"requests: {len(latencies)} in {wall:.2f} s, {len(errors)} errors, "
        f"latency p50 {percentile(latencies, 0.5) * 1000:.0f} ms, "
        f"p95 {percentile(latencies, 0.95) * 1000:.0f} ms"
    )
    print(
        f"throughput: {accepted / wall:,.0f} new readings/s stored "
        f"({sent_total / wall:,.0f} readings/s handled incl. duplicates)"
    )
    per = 1e6 / max(1, sent_total)
    print(
        f"cpu per reading handled: gunicorn {cpu * per:.1f} µs, postgres backends "
        f"{pg_cpu * per:.1f} µs (→ {1e6 / ((cpu + pg_cpu) * per):,.0f} readings/s per core)"
    )
    print(
        f"cpu: gunicorn workers {cpu:.1f} s, postgres backends {pg_cpu:.1f} s; machine busy "
        f"{100 * (busy1 - busy0) / max(1, total1 - total0):.0f}% of {wall:.1f} s"
    )
    check = count_check(
        sent_distinct=sent_distinct, accepted=accepted, duplicates=duplicates, sent_total=sent_total
    )
    check["rejected"] = rejected
    check["ok"] = check["ok"] and rejected == 0 and not errors
    print("count:", json.dumps(check))
    for e in errors[:5]:
        print("error:", e)
    if not opts.keep:
        from django.db import connections

        connections.close_all()
        pg_drop(opts.database_url)
    log.unlink(missing_ok=True)
    if not check["ok"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
