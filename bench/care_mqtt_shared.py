"""Benchmark care_mqtt subscribers sharing one MQTT 5 shared subscription (issue 18): 1 vs 2
subscribers, and 2 with one SIGKILLed mid-run; the subscriber's resident memory throughout.

    DEBUG=1 .venv/bin/python bench/care_mqtt_shared.py [--households 2000] [--steps 20]
        [--per-message 20] [--scenarios 1,2,2kill,1:100] [--down 5] [--rss-every 5] [--smoke]

Starts its own mosquitto 2 (a free port on 127.0.0.1, `max_queued_messages 0`: a killed
member's session queues without limit; the default 1,000 would drop QoS 1 messages queued for
it), recreates the database of --database-url (default linli_bench_care_shared) with the
fleet of bench/care_ingest_http.py, and before each scenario empties the readings and device
states. A scenario is `N` subscribers, `Nkill`, or `N:STEPS` (readings per device other
than --steps). N `manage.py care_mqtt
--share bench` processes subscribe (own client ids, persistent sessions); publishers send
every reading (`--per-message` per batch message, 5% of messages twice) at QoS 1, at most
--window readings ahead of the database. The clock stops when every distinct reading is
stored. `2kill`: when a third is stored, member 1 is SIGKILLed (whatever it received and had
not committed stays unacknowledged); member 2 goes on; after --down seconds member 1 is
started again with the same client id and gets its session's messages. The count is read
back from the database: every distinct reading stored once, no (device, time) twice, each
device's state at its latest reading.

Memory: every subscriber's VmRSS (from /proc) every --rss-every seconds, and at the end; the
issue's aim is flat after warm-up and < 300 MB over a 1,000,000-reading run (the default
`1:100`: 2,000 households × 5 devices × 100 readings).
"""

import argparse
import datetime as dt
import json
import multiprocessing as mp
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from _care_ingest import build_fleet, reading_batches
from _common import MANAGE, ROOT, bench_keys, parse_args, pg_drop, smoke_url, system_cpu

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/linli_bench_care_shared"
HOST = "127.0.0.1"
GROUP = "bench"


def args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--database-url", default=DEFAULT_URL)
    p.add_argument("--households", type=int, default=2000)
    p.add_argument("--gateways", type=int, default=20)
    p.add_argument("--steps", type=int, default=20, help="readings per device")
    p.add_argument("--per-message", type=int, default=20, help="readings per message")
    p.add_argument("--resend", type=float, default=0.05, help="share of messages sent twice")
    p.add_argument("--batch-size", type=int, default=2000, help="subscriber readings per commit")
    p.add_argument("--window", type=int, default=30000, help="readings ahead of the database")
    p.add_argument("--scenarios", default="1,2,2kill,1:100")
    p.add_argument("--kill-at", type=float, default=1 / 3, help="share stored at the kill")
    p.add_argument("--down", type=float, default=5.0, help="seconds the killed member is down")
    p.add_argument("--rss-every", type=float, default=5.0, help="seconds between RSS samples")
    p.add_argument("--keep", action="store_true")
    return parse_args(
        p,
        database_url=smoke_url(DEFAULT_URL),
        households=10,
        gateways=2,
        steps=4,
        per_message=5,
        window=40,
        down=1.0,
        rss_every=0.5,
        scenarios="1,2,2kill",
    )


class Broker:
    """A mosquitto of this run only."""

    def __init__(self) -> None:
        binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        if not Path(binary).exists():
            raise SystemExit("mosquitto is not installed (Debian package mosquitto)")
        with socket.socket() as s:
            s.bind((HOST, 0))
            self.port = s.getsockname()[1]
        self.dir = tempfile.mkdtemp(prefix="linli-care-broker-")
        conf = Path(self.dir) / "mosquitto.conf"
        conf.write_text(
            f"listener {self.port} {HOST}\nallow_anonymous true\npersistence false\n"
            "max_queued_messages 0\nmax_inflight_messages 0\n"
        )
        self.proc = subprocess.Popen(
            [binary, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection((HOST, self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise SystemExit("mosquitto did not start")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)
        shutil.rmtree(self.dir, ignore_errors=True)


def publish(
    port: int,
    messages: list[tuple[str, bytes, int]],
    ready: Any,
    go: Any,
    published: Any,
    stored: Any,
    window: int,
) -> None:
    """A publishing process: QoS 1, returns when the broker acknowledged every message; it
    waits while more than `window` readings are published but not yet stored (MQTT has no
    back-pressure from subscriber to publisher)."""
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
    client.connect(HOST, port)
    client.loop_start()
    ready.set()
    go.wait()
    step = max(1, min(200, window // max(1, max((n for _, _, n in messages), default=1))))
    for start in range(0, len(messages), step):
        chunk = messages[start : start + step]
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


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0.0


class Member:
    def __init__(self, n: int, *, port: int, prefix: str, client_id: str, opts: Any) -> None:
        self.n, self.client_id = n, client_id
        self.command = [
            sys.executable,
            str(MANAGE),
            "care_mqtt",
            "--port",
            str(port),
            "--prefix",
            prefix,
            "--share",
            GROUP,
            "--client-id",
            client_id,
            "--batch-size",
            str(opts.batch_size),
        ]
        self.env = {
            **os.environ,
            "DATABASE_URL": opts.database_url,
            "DEBUG": "0",
            "SECRET_KEY": "bench",
        }
        self.proc: subprocess.Popen[str] | None = None
        self.rss: list[tuple[float, float]] = []  # (seconds since start, MB)

    def start(self) -> None:
        self.proc = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if "subscribed" not in line:
            self.proc.kill()
            raise SystemExit(f"care_mqtt did not start: {line}{self.proc.stdout.read()[-2000:]}")

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait()

    def stop(self) -> str:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.communicate(timeout=60)[0]


def drop_sessions(port: int, client_ids: list[str]) -> None:
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    for cid in client_ids:
        c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=cid, protocol=mqtt.MQTTv5)
        c.connect(HOST, port, clean_start=True)
        c.disconnect()


def fleet_reset() -> None:
    """Back to a fleet that never sent anything."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("TRUNCATE care_reading")
        cur.execute(
            "UPDATE care_devicestate SET last_at = NULL, last_value = NULL, use_mark_at = NULL, "
            "use_mark_value = NULL, last_event_at = NULL, last_change_at = NULL"
        )
        cur.execute("UPDATE care_device SET last_seen_at = NULL, battery = NULL")
        cur.execute("VACUUM ANALYZE care_reading")


def scenario(
    name: str, opts: argparse.Namespace, broker: Broker, fleet: list[Any]
) -> dict[str, Any]:
    members_n, kill = int(name[0]), name.split(":")[0].endswith("kill")
    steps = int(name.split(":")[1]) if ":" in name else opts.steps
    fleet_reset()
    run = uuid.uuid4().hex[:8]
    prefix = f"linli-care-bench/{run}/linli/care"
    end = dt.datetime.now(dt.UTC).replace(microsecond=0)
    streams: list[list[tuple[str, bytes, int]]] = []
    distinct = total = 0
    for g, gw in enumerate(fleet):
        stream: list[tuple[str, bytes, int]] = []
        for batch in reading_batches(
            gw, steps=steps, end=end, step_seconds=60, batch=opts.per_message, seed=g
        ):
            topic, payload = f"{prefix}/{gw.name}/batch", json.dumps({"readings": batch}).encode()
            stream.append((topic, payload, len(batch)))
            distinct += len(batch)
            total += len(batch)
            if (len(stream) * 7919 + g) % 1000 < opts.resend * 1000:
                stream.append((topic, payload, 0))
                total += len(batch)
        streams.append(stream)
    n_messages = sum(len(s) for s in streams)

    bench_keys()
    members = [
        Member(i + 1, port=broker.port, prefix=prefix, client_id=f"care-{run}-{i + 1}", opts=opts)
        for i in range(members_n)
    ]
    for m in members:
        m.start()
    ctx = mp.get_context("spawn")
    ready, go = ctx.Event(), ctx.Event()
    shares: list[list[tuple[str, bytes, int]]] = [[], []]
    for i, stream in enumerate(streams):
        shares[i % 2].extend(stream)
    published, stored_now = ctx.Value("q", 0), ctx.Value("q", 0)
    procs = [
        ctx.Process(
            target=publish,
            args=(broker.port, share, ready, go, published, stored_now, opts.window),
        )
        for share in shares
    ]
    for p in procs:
        p.start()
    ready.wait(30)
    time.sleep(0.3)

    from django.db import connection

    def stored() -> int:
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM care_reading")
            value = int(cur.fetchone()[0])
        stored_now.value = value
        return value

    busy0, total0 = system_cpu()
    started = time.perf_counter()
    go.set()
    next_rss = 0.0
    killed_at: float | None = None
    restarted_at: float | None = None
    at_kill = 0
    deadline = started + 1800
    count = 0
    while time.perf_counter() < deadline:
        now = time.perf_counter() - started
        if now >= next_rss:
            for m in members:
                if m.proc is not None and m.proc.poll() is None:
                    m.rss.append((now, rss_mb(m.proc.pid)))
            next_rss = now + opts.rss_every
        count = stored()
        if count >= distinct:
            break
        if kill and killed_at is None and count >= distinct * opts.kill_at:
            members[0].kill()
            killed_at, at_kill = now, count
            print(f"  SIGKILL member 1 at {now:.2f} s with {count:,} stored", flush=True)
        if killed_at is not None and restarted_at is None and now - killed_at >= opts.down:
            alone = now - killed_at
            print(
                f"  member 2 alone for {alone:.2f} s: {count - at_kill:,} stored, "
                f"{(count - at_kill) / max(1e-9, alone):,.0f} readings/s; restarting member 1",
                flush=True,
            )
            members[0].start()
            restarted_at = time.perf_counter() - started
            print(f"  member 1 subscribed again at {restarted_at:.2f} s", flush=True)
        time.sleep(0.2)
    wall = time.perf_counter() - started
    busy1, total1 = system_cpu()
    if kill and killed_at is None:
        print("  the kill did not happen: everything was stored before it")
    for m in members:
        if m.proc is not None and m.proc.poll() is None:
            m.rss.append((wall, rss_mb(m.proc.pid)))
    for p in procs:
        p.join(60)
    time.sleep(1.5)  # resent tail
    outputs = [m.stop() for m in members]
    with connection.cursor() as cur:
        cur.execute("SELECT count(*), count(DISTINCT (device_id, at)) FROM care_reading")
        rows, rows_distinct = cur.fetchone()
        cur.execute(
            "SELECT count(*) FROM care_devicestate s JOIN (SELECT device_id, max(at) m "
            "FROM care_reading GROUP BY device_id) r ON r.device_id = s.device_id "
            "WHERE s.last_at = r.m"
        )
        (states_right,) = cur.fetchone()
        cur.execute("SELECT count(DISTINCT device_id) FROM care_reading")
        (devices,) = cur.fetchone()
    drop_sessions(broker.port, [m.client_id for m in members])
    check = {
        "sent_distinct": distinct,
        "sent": total,
        "stored": rows,
        "stored_distinct": rows_distinct,
        "lost": distinct - rows_distinct,
        "doubled": rows - rows_distinct,
        "states_at_latest": f"{states_right}/{devices}",
        "ok": rows == rows_distinct == distinct
        and states_right == devices
        and (killed_at is not None or not kill),
    }
    print(
        f"{name}: {members_n} subscriber(s){', one killed' if kill else ''}: {distinct:,} "
        f"readings ({total:,} sent in {n_messages:,} messages) stored after {wall:.2f} s: "
        f"{distinct / wall:,.0f} readings/s; machine busy "
        f"{100 * (busy1 - busy0) / max(1, total1 - total0):.0f}%"
    )
    for m, out in zip(members, outputs, strict=True):
        last = out.strip().splitlines()[-1] if out.strip() else ""
        series = " ".join(f"{t:.0f}s:{mb:.0f}" for t, mb in m.rss)
        print(f"  member {m.n} RSS MB {series}")
        print(f"  member {m.n} {'(after restart) ' if kill and m.n == 1 else ''}{last}")
    print("  count:", json.dumps(check), flush=True)
    return {"name": name, "rate": distinct / wall, "ok": check["ok"]}


def main() -> None:
    opts = args()
    broker = Broker()
    t0 = time.perf_counter()
    fleet = build_fleet(
        opts.database_url, households=opts.households, gateways=opts.gateways, smoke=opts.smoke
    )
    print(
        f"mosquitto on port {broker.port}; fleet {opts.households * 5:,} devices "
        f"({time.perf_counter() - t0:.1f} s to build)",
        flush=True,
    )
    try:
        results = [scenario(s.strip(), opts, broker, fleet) for s in opts.scenarios.split(",")]
    finally:
        broker.stop()
    if not opts.keep:
        from django.db import connection

        connection.close()
        pg_drop(opts.database_url)
    rates = {r["name"]: r["rate"] for r in results}
    if "1" in rates and "2" in rates:
        print(f"2 vs 1 subscriber(s): {rates['2'] / rates['1']:.2f}×")
    if not all(r["ok"] for r in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
