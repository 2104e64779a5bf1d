"""Benchmark CASE-1 intake: `POST /api/cases` through gunicorn against PostgreSQL.

    DEBUG=1 .venv/bin/python bench/casework_intake.py [--clients 8] [--seconds 20]
        [--requests 20000] [--workers 4] [--py-spy PATH] [--keep] [--smoke]
        [--memory [--memory-requests 10000]]

Recreates the database of --database-url (default linli_bench_intake on 127.0.0.1) with
createdb, migrates it and runs `manage.py demo` into it; gives 20 demo residents accounts
(with a phone number, so every submission also queues its SMS notice) and a bearer token
each; starts `gunicorn linli.wsgi -w 4 --threads 1` on a free port of 127.0.0.1; then:

1. baseline: one client, sequential requests (unloaded latency);
2. load: C client threads, each with its own http.client connection, post cases (random
   leaf category, random point inside a random demo grid, random resident token) until
   --seconds have passed or --requests were sent; PostgreSQL's pg_stat_activity is sampled
   meanwhile to see what the backends wait on, and /proc gives the CPU each side used;
3. check: cases in the database == 201 responses (none lost, none doubled), every tracking
   number distinct, one `submitted` event per case, the audit hash chain intact;
4. with --memory: --memory-requests more (C clients), the resident memory (VmRSS from
   /proc) of every gunicorn worker read after each tenth of them: flat after warm-up?
5. where the time goes (unless --no-profile): the same load again with py-spy sampling the
   gunicorn workers (if py-spy is found), and a cProfile of 200 in-process submissions.

Stops gunicorn and drops the database at the end unless --keep. Aim (the issue): >= 150
cases/s and p95 < 100 ms on a 2-core machine.
"""

import argparse
import cProfile
import http.client
import itertools
import json
import os
import pstats
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _common import (
    ROOT,
    bench_keys,
    build_database,
    django_setup,
    grid_points,
    leaf_categories,
    parse_args,
    percentile,
    pg_drop,
    proc_children,
    procs_named,
    read_proc_cpu,
    smoke_url,
    system_cpu,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/linli_bench_intake"
SEED = 2026
RESIDENTS = 20
DESCRIPTIONS = (
    "楼下垃圾桶满了没人清运",
    "小区门口堆了很多装修垃圾",
    "消防通道被私家车堵住",
    "3幢门口路灯坏了,晚上很黑",
    "楼上晚上十一点后还在装修",
    "2单元电梯停在三楼不动",
    "健身器材坏了,有安全隐患",
    "楼道里堆满杂物,影响通行",
)
REQUEST_TIMEOUT = 30.0


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--database-url", default=DEFAULT_URL)
    p.add_argument("--clients", type=int, default=8, help="concurrent clients (default 8)")
    p.add_argument("--seconds", type=float, default=20.0, help="load duration (default 20)")
    p.add_argument("--requests", type=int, default=20_000, help="at most this many requests")
    p.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    p.add_argument("--py-spy", default=shutil.which("py-spy"), help="py-spy binary (optional)")
    p.add_argument("--profile-seconds", type=float, default=8.0)
    p.add_argument("--profile-requests", type=int, default=200, help="in-process, profiled")
    p.add_argument("--no-profile", action="store_true", help="skip the where-the-time-goes part")
    p.add_argument("--baseline-requests", type=int, default=100, help="sequential, one client")
    p.add_argument("--warmup-seconds", type=float, default=3.0)
    p.add_argument("--points", type=int, default=5000, help="random points inside demo grids")
    p.add_argument("--keep", action="store_true", help="keep the database afterwards")
    p.add_argument(
        "--reuse", action="store_true", help="use the database as an earlier --keep left it"
    )
    p.add_argument("--memory", action="store_true", help="worker RSS over --memory-requests")
    p.add_argument("--memory-requests", type=int, default=10_000)
    return parse_args(
        p,
        database_url=smoke_url(DEFAULT_URL),
        clients=2,
        seconds=1.0,
        requests=200,
        workers=1,
        py_spy="",
        profile_requests=2,
        baseline_requests=5,
        warmup_seconds=0.5,
        points=200,
        memory=True,  # the memory run's code path too
        memory_requests=100,
    )


# ---------------------------------------------------------------- setup


def residents_with_tokens(n: int) -> list[str]:
    """Give `n` demo residents (people.Resident records) an account with a phone number
    and an unusable password, and a bearer token each. Returns the tokens."""
    from django.contrib.auth.hashers import make_password

    from linli.accounts.models import User
    from linli.accounts.services import api_token_create
    from linli.core.roles import Role
    from linli.people.models import Resident

    tokens = []
    known = list(User.objects.filter(username__startswith="bench_resident_").order_by("id")[:n])
    if len(known) == n:  # --reuse: the accounts an earlier run made
        return [api_token_create(actor=None, user=u, name="bench")[1] for u in known]
    people = list(Resident.objects.filter(user__isnull=True).order_by("id")[: n * 50 : 50])
    for i, person in enumerate(people):
        user = User.objects.create(
            username=f"bench_resident_{i + 1:02d}",
            role=Role.RESIDENT,
            full_name=person.full_name,
            phone=f"1390000{i + 1:04d}",
            password=make_password(None),
        )
        Resident.objects.filter(pk=person.pk).update(user=user)
        _, key = api_token_create(actor=None, user=user, name="bench")
        tokens.append(key)
    return tokens


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    port: int
    log: Path

    def workers(self) -> list[int]:
        return proc_children(self.proc.pid)


def gunicorn_start(url: str, workers: int, log: Path) -> Server:
    port = free_port()
    bench_keys()  # the keys the demo data was encrypted with
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "bench",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DEBUG": "0",
    }
    cmd = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "linli.wsgi",
        "-w",
        str(workers),
        "--threads",
        "1",
        "-b",
        f"127.0.0.1:{port}",
        "--timeout",
        "60",
        "--log-level",
        "warning",
    ]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = Server(proc, port, log)
    deadline = time.monotonic() + 180  # a busy shared machine imports slowly
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/cases/categories")
            conn.getresponse().read()
            conn.close()
            if len(server.workers()) >= workers:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    gunicorn_stop(server)
    raise SystemExit("gunicorn did not come up within 180 s")


def gunicorn_stop(server: Server) -> None:
    if server.proc.poll() is not None:
        return
    server.proc.send_signal(signal.SIGTERM)
    try:
        server.proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.proc.pid, signal.SIGKILL)  # its own session: only its workers
        server.proc.wait(timeout=10)


# ---------------------------------------------------------------- load


@dataclass
class Result:
    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    tracking: list[str] = field(default_factory=list)
    wall_s: float = 0.0

    @property
    def sent(self) -> int:
        return sum(self.statuses.values())

    @property
    def created(self) -> int:
        return self.statuses["201"]


def load(
    *,
    port: int,
    tokens: list[str],
    points: list[tuple[float, float, int]],
    codes: list[str],
    clients: int,
    seconds: float,
    max_requests: int,
    seed: int,
) -> Result:
    result = Result()
    lock = threading.Lock()
    counter = itertools.count()
    start = time.perf_counter()
    deadline = start + seconds

    def client(index: int) -> None:
        rng = random.Random(seed * 1000 + index)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
        lat_ms: list[float] = []
        statuses: Counter[str] = Counter()
        tracking: list[str] = []
        while time.perf_counter() < deadline and next(counter) < max_requests:
            lat, lon, _ = rng.choice(points)
            body = json.dumps(
                {
                    "category": rng.choice(codes),
                    "description": rng.choice(DESCRIPTIONS),
                    "lat": lat,
                    "lon": lon,
                }
            ).encode()
            headers = {
                "Content-Type": "application/json",
                "Authorization": f"Bearer {rng.choice(tokens)}",
            }
            t0 = time.perf_counter()
            try:
                conn.request("POST", "/api/cases", body, headers)
                resp = conn.getresponse()
                data = resp.read()
            except (OSError, http.client.HTTPException) as exc:
                statuses[f"exception {type(exc).__name__}"] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
                continue
            lat_ms.append((time.perf_counter() - t0) * 1000)
            statuses[str(resp.status)] += 1
            if resp.status == 201:
                tracking.append(json.loads(data)["tracking_no"])
        conn.close()
        with lock:
            result.latencies_ms.extend(lat_ms)
            result.statuses.update(statuses)
            result.tracking.extend(tracking)

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + REQUEST_TIMEOUT + 30)
    result.wall_s = time.perf_counter() - start
    result.latencies_ms.sort()
    return result


class PgSampler(threading.Thread):
    """Samples pg_stat_activity of the benchmark database every 50 ms: how many backends
    are running a query, idle inside a transaction, or waiting on a lock (and on which)."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.stop = threading.Event()
        self.samples = 0
        self.states: Counter[str] = Counter()
        self.lock_waits: Counter[str] = Counter()

    def run(self) -> None:
        import psycopg

        dbname = self.url.rsplit("/", 1)[1]
        with psycopg.connect(self.url, autocommit=True) as conn:
            for _ in range(100_000):
                if self.stop.wait(0.05):
                    break
                rows = conn.execute(
                    "SELECT state, wait_event_type, wait_event, query FROM pg_stat_activity"
                    " WHERE datname = %s AND pid <> pg_backend_pid()"
                    " AND backend_type = 'client backend'",
                    (dbname,),
                ).fetchall()
                self.samples += 1
                for state, wtype, wevent, query in rows:
                    if state == "active" and wtype == "Lock":
                        self.states["waiting on a lock"] += 1
                        self.lock_waits[f"{wevent}: {' '.join(query.split())[:110]}"] += 1
                    elif state == "active" and wtype in ("IO", "LWLock"):
                        self.states[f"active, waiting {wtype}:{wevent}"] += 1
                    elif state == "active":
                        self.states["active (running / sending)"] += 1
                    elif state == "idle in transaction":
                        self.states["idle in transaction (app works, locks held)"] += 1
                    else:
                        self.states[str(state)] += 1


@dataclass
class Cpu:
    client_s: float
    gunicorn_s: float
    postgres_s: float
    machine_busy: float  # share of all cores busy, 0..1
    cores: int


def cpu_snapshot(server: Server) -> tuple[float, float, float, tuple[float, float]]:
    client = sum(os.times()[:2])
    workers = sum(read_proc_cpu(p) for p in [server.proc.pid, *server.workers()])
    postgres = sum(read_proc_cpu(p) for p in procs_named("postgres"))
    return client, workers, postgres, system_cpu()


def cpu_delta(a: tuple[Any, ...], b: tuple[Any, ...]) -> Cpu:
    busy = (b[3][0] - a[3][0]) / max(1, b[3][1] - a[3][1])
    return Cpu(b[0] - a[0], b[1] - a[1], b[2] - a[2], busy, os.cpu_count() or 1)


# ---------------------------------------------------------------- checks


def verify(before: int, results: list[Result]) -> list[str]:
    from linli.casework.choices import EventKind
    from linli.casework.models import Case, CaseEvent
    from linli.core.audit.services import audit_verify

    created = sum(r.created for r in results)
    tracking = [t for r in results for t in r.tracking]
    after = Case.objects.count()
    in_db = Case.objects.filter(tracking_no__in=tracking).count()
    events = CaseEvent.objects.filter(
        case__tracking_no__in=tracking, kind=EventKind.SUBMITTED
    ).count()
    audit = audit_verify()
    lines = [
        f"cases before:        {before}",
        f"201 responses:       {created}",
        f"cases after:         {after}  (after - before = {after - before})",
        f"distinct tracking:   {len(set(tracking))}, found in the database: {in_db}",
        f"submitted events:    {events}",
        f"audit chain:         {'intact' if audit.ok else 'BROKEN: ' + audit.reason}"
        f" ({audit.checked} entries)",
    ]
    ok = after - before == created == len(set(tracking)) == in_db == events and audit.ok
    lines.append("VERIFIED: nothing lost, nothing doubled" if ok else "MISMATCH (see above)")
    return lines


# ---------------------------------------------------------------- where the time goes

SUSPECTS = (
    # (label, path suffix, function, caller path suffix, caller function)
    ("bearer-token auth", "linli/core/access.py", "__call__", None, None),
    ("case_intake", "casework/services/intake.py", "case_intake", None, None),
    ("  _category (category query)", "casework/services/intake.py", "_category", None, None),
    ("  _locate (grid_locate + grid query)", "casework/services/intake.py", "_locate", None, None),
    ("  intake_lookups (cache check)", "linli/casework/lookups.py", "intake_lookups", None, None),
    ("  route (responsibility list)", "casework/services/intake.py", "route", None, None),
    ("  case_deadlines (calendar)", "linli/casework/deadlines.py", "case_deadlines", None, None),
    (
        "  Case.objects.create (INSERT)",
        "django/db/models/manager.py",
        "manager_method",
        "casework/services/intake.py",
        "case_intake",
    ),
    ("  attach_photos", "casework/services/intake.py", "attach_photos", None, None),
    ("  record_step", "casework/services/common.py", "record_step", None, None),
    ("    audit_record (head lock + entry)", "core/audit/services.py", "audit_record", None, None),
    ("    notification_send", "core/notifications/services.py", "notification_send", None, None),
    (
        "  COMMIT (+ on_commit task enqueue)",
        "django/db/transaction.py",
        "__exit__",
        "casework/services/intake.py",
        "case_intake",
    ),
    ("    task enqueue (on_commit)", "django_tasks/base.py", "enqueue", None, None),
    ("response: detail() (timeline query)", "linli/casework/api.py", "detail", None, None),
    ("all SQL round trips (cursor.execute)", "django/db/backends/utils.py", "_execute", None, None),
)


def _stat_ct(
    stats: dict[Any, Any], path: str, func: str, cpath: str | None, cfunc: str | None
) -> float:
    total = 0.0
    for (file, _line, name), (_cc, _nc, _tt, ct, callers) in stats.items():
        if name != func or not file.endswith(path):
            continue
        if cpath is None:
            total += ct
            continue
        for (cfile, _cl, cname), edge in callers.items():
            if cname == cfunc and cfile.endswith(cpath):
                total += edge[3]
    return total


def profile_in_process(
    tokens: list[str], points: list[Any], codes: list[str], requests: int
) -> list[str]:
    """cProfile of `requests` sequential submissions through Django's test client
    (one process, no contention): what one request costs, piece by piece."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    rng = random.Random(SEED + 7)

    def post(client: Client) -> int:
        lat, lon, _ = rng.choice(points)
        body = {"category": rng.choice(codes), "description": "路灯坏了", "lat": lat, "lon": lon}
        return client.post("/api/cases", body, content_type="application/json").status_code

    client = Client(HTTP_AUTHORIZATION=f"Bearer {tokens[0]}")
    for _ in range(5):
        post(client)  # warm: STRtree, templates, imports
    t0 = time.perf_counter()
    plain = Counter(post(client) for _ in range(requests))
    plain_ms = (time.perf_counter() - t0) / requests * 1000
    with CaptureQueriesContext(connection) as many:
        for _ in range(requests):
            post(client)
    sql_ms = sum(float(q["time"]) for q in many.captured_queries) / requests * 1000
    with CaptureQueriesContext(connection) as ctx:
        status = post(client)
    queries = ctx.captured_queries
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    statuses = Counter(post(client) for _ in range(requests))
    prof.disable()
    per_ms = (time.perf_counter() - t0) / requests * 1000
    stats = pstats.Stats(prof).stats  # type: ignore[attr-defined]
    lines = [
        f"in-process, sequential, no profiler: {plain_ms:.1f} ms per request {dict(plain)},"
        f" of which {sql_ms:.1f} ms waiting on SQL (Django's query log; ms resolution)",
        f"in-process, sequential, {requests} requests {dict(statuses)}:"
        f" {per_ms:.1f} ms each under cProfile (which roughly doubles pure-Python cost)",
        f"SQL statements per submission: {len(queries)} (sample request answered {status})",
    ]
    for q in queries:
        lines.append(f"    {float(q['time']) * 1000:5.1f} ms  {' '.join(q['sql'].split())[:100]}")
    lines.append("cumulative time per request (cProfile):")
    for label, path, func, cpath, cfunc in SUSPECTS:
        ms = _stat_ct(stats, path, func, cpath, cfunc) / requests * 1000
        lines.append(f"    {label:<42} {ms:7.2f} ms")
    return lines


def pyspy_profile(
    py_spy: str, server: Server, seconds: float, run_load: Any, tmp: Path
) -> tuple[list[str], Result]:
    """py-spy samples every gunicorn worker (idle time included) while the load runs again;
    shares are of the samples taken inside a request."""
    procs = []
    for pid in server.workers():
        out = tmp / f"pyspy-{pid}.txt"
        cmd = [py_spy, "record", "--pid", str(pid), "--idle", "--nonblocking", "--rate", "100"]
        cmd += ["--duration", str(int(seconds) + 1), "--format", "raw", "--output", str(out)]
        procs.append(
            (subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE), out)
        )
    time.sleep(1.0)  # let py-spy attach
    result = run_load(seconds)
    stacks: Counter[str] = Counter()
    for proc, out in procs:
        try:
            proc.wait(timeout=seconds + 30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        if out.exists():
            for line in out.read_text().splitlines():
                stack, _, count = line.rpartition(" ")
                if stack and count.isdigit():
                    stacks[stack] += int(count)
    total = sum(stacks.values())
    in_request = {s: c for s, c in stacks.items() if "handle_request" in s}
    busy = sum(in_request.values())
    if not total or not busy:
        return ["py-spy collected no samples (ptrace not permitted?)"], result
    marks = [
        ("bearer-token auth", "api_token_authenticate"),
        ("case_intake", "case_intake ("),
        ("  _locate / grid_locate", "_locate ("),
        ("  route (responsibility list)", "route ("),
        ("  case_deadlines", "case_deadlines ("),
        ("  record_step", "record_step ("),
        ("    audit_record", "audit_record ("),
        ("    notification_send", "notification_send ("),
        ("  COMMIT", "commit ("),
        ("    task enqueue", "enqueue ("),
        ("detail() response", "detail (linli/casework/api.py"),
        ("waiting in psycopg (DB round trips)", "psycopg"),
        ("api submit() view (rest: ninja + middleware)", "submit (linli/casework/api.py"),
    ]

    def share(needle: str) -> float:
        return sum(c for s, c in in_request.items() if needle in s) / busy

    # Leaf frames tell what the CPU (or the wait) actually is.
    leaves: Counter[str] = Counter()
    for s, c in in_request.items():
        leaves[s.rsplit(";", 1)[-1]] += c
    lines = [
        f"py-spy: {total} samples over {len(procs)} workers; {busy / total:.0%} inside a"
        f" request (the rest: waiting for a connection)",
        "share of in-request samples (inclusive):",
    ]
    for label, needle in marks:
        lines.append(f"    {label:<42} {share(needle):6.1%}")
    lines.append("top leaf frames (exclusive) inside requests:")
    for frame, c in leaves.most_common(12):
        lines.append(f"    {c / busy:6.1%}  {frame[:110]}")
    return lines, result


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB (VmRSS); 0 if it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0.0


def memory_run(server: Server, total: int, run_load: Any) -> tuple[list[str], Result]:
    """`total` more requests in ten steps; each worker's RSS after each step. A worker that
    leaks grows step after step; a healthy one levels off after its first requests."""
    pids = server.workers()
    step = max(1, total // 10)
    done = 0
    combined = Result()
    rows = [(0, [rss_mb(p) for p in pids])]
    seed = SEED + 100
    while done < total:
        r = run_load(min(step, total - done), seed)
        seed += 1
        done += r.sent
        combined.statuses.update(r.statuses)
        combined.tracking.extend(r.tracking)
        combined.wall_s += r.wall_s
        rows.append((done, [rss_mb(p) for p in pids]))
        if not r.sent:
            break
    lines = [
        f"worker RSS (MB) over {done} more requests, {len(pids)} workers"
        f" (pids {', '.join(map(str, pids))}), {combined.created} cases created:",
        "    requests  " + "  ".join(f"{'w' + str(i + 1):>7}" for i in range(len(pids))),
    ]
    for n, values in rows:
        lines.append(f"    {n:8d}  " + "  ".join(f"{v:7.1f}" for v in values))
    if len(rows) > 3:
        # After warm-up: from the second step on (caches, imports, the STRtree are built).
        growth = [rows[-1][1][i] - rows[2][1][i] for i in range(len(pids))]
        top = max(max(v for v in values) for _, values in rows)
        lines.append(
            f"    growth from {rows[2][0]} to {rows[-1][0]} requests: "
            + ", ".join(f"{g:+.1f}" for g in growth)
            + f" MB; largest RSS {top:.1f} MB (aim: flat, < 300 MB)"
        )
    alive = [p for p in pids if rss_mb(p) > 0]
    if len(alive) != len(pids) or server.workers() != pids:
        lines.append(f"    WORKERS CHANGED during the run: now {server.workers()}")
    return lines, combined


# ---------------------------------------------------------------- report


def latency_line(r: Result) -> str:
    lat = r.latencies_ms
    return (
        f"p50 {percentile(lat, 0.50):.1f} ms, p95 {percentile(lat, 0.95):.1f} ms,"
        f" p99 {percentile(lat, 0.99):.1f} ms, max {lat[-1] if lat else float('nan'):.1f} ms"
    )


def main() -> None:
    args = parse()
    url = args.database_url
    load_start = os.getloadavg()
    t0 = time.perf_counter()
    took = {"reused": 0.0} if args.reuse else build_database(url, smoke=args.smoke)
    print("database: " + ", ".join(f"{k} {v:.1f} s" for k, v in took.items()))
    django_setup(url)
    from django.db import connections

    from linli.casework.models import Case

    tokens = residents_with_tokens(RESIDENTS)
    rng = random.Random(SEED)
    points = grid_points(rng, args.points)
    codes = [c.code for c in leaf_categories()]
    before = Case.objects.count()
    connections.close_all()
    print(
        f"{len(tokens)} resident tokens, {len(points)} points, {len(codes)} leaf categories,"
        f" {before} demo cases; setup {time.perf_counter() - t0:.1f} s"
    )

    tmp = Path(tempfile.mkdtemp(prefix="linli-bench-intake-"))
    server = gunicorn_start(url, args.workers, tmp / "gunicorn.log")
    print(f"gunicorn: master {server.proc.pid}, workers {server.workers()}, port {server.port}")
    profile_lines: list[str] = []
    memory_lines: list[str] = []
    pyspy_result: Result | None = None
    try:

        def run(clients: int, seconds: float, max_requests: int, seed: int) -> Result:
            return load(
                port=server.port,
                tokens=tokens,
                points=points,
                codes=codes,
                clients=clients,
                seconds=seconds,
                max_requests=max_requests,
                seed=seed,
            )

        warm = run(args.clients, args.warmup_seconds, 10_000, SEED + 1)  # every worker warm
        cpu_b0 = cpu_snapshot(server)
        base = run(1, 60.0, args.baseline_requests, SEED + 2)
        base_cpu = cpu_delta(cpu_b0, cpu_snapshot(server))
        sampler = PgSampler(url)
        sampler.start()
        cpu0 = cpu_snapshot(server)
        main_run = run(args.clients, args.seconds, args.requests, SEED + 3)
        cpu = cpu_delta(cpu0, cpu_snapshot(server))
        sampler.stop.set()
        sampler.join(timeout=10)
        counted = [warm, base, main_run]
        if args.memory:
            memory_lines, memory_result = memory_run(
                server,
                args.memory_requests,
                lambda n, seed: run(args.clients, 3600.0, n, seed),
            )
            counted.append(memory_result)
        check = verify(before, counted)
        if not args.no_profile:
            if args.py_spy:
                lines, pyspy_result = pyspy_profile(
                    args.py_spy,
                    server,
                    args.profile_seconds,
                    lambda s: run(args.clients, s, args.requests, SEED + 4),
                    tmp,
                )
                profile_lines += lines
            else:
                profile_lines.append("py-spy not found (--py-spy PATH): skipped worker sampling")
    finally:
        gunicorn_stop(server)
    log_tail = server.log.read_text(errors="replace")[-2000:] if server.log.exists() else ""
    if not args.no_profile:
        from django.conf import settings

        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        profile_lines += profile_in_process(tokens, points, codes, args.profile_requests)
    connections.close_all()
    if not args.keep:
        pg_drop(url)
    shutil.rmtree(tmp, ignore_errors=True)

    r = main_run
    print()
    print("=" * 78)
    print(
        f"casework intake: POST /api/cases via gunicorn -w {args.workers} --threads 1,"
        f" PostgreSQL, {os.cpu_count()} cores"
    )
    print("=" * 78)
    print(
        f"baseline (1 client, {base.sent} requests): {base.sent / base.wall_s:.1f} cases/s, "
        + latency_line(base)
    )
    if base.created:
        print(
            f"  per case at 1 client: gunicorn {base_cpu.gunicorn_s / base.created * 1000:.1f} ms"
            f" CPU, postgres {base_cpu.postgres_s / base.created * 1000:.1f} ms CPU"
        )
    print(f"machine load average before start: {' '.join(f'{x:.2f}' for x in load_start)}")
    print(f"load: {args.clients} clients, {r.wall_s:.1f} s, {r.sent} requests")
    print(f"  throughput:        {r.created / r.wall_s:.1f} cases/s (201s per second)")
    print(f"  latency:           {latency_line(r)}")
    print(f"  responses:         {dict(sorted(r.statuses.items()))}")
    errors = {k: v for k, v in r.statuses.items() if k != "201"}
    print(f"  errors by status:  {errors or 'none'}")
    print(
        f"  CPU seconds:       client {cpu.client_s:.1f}, gunicorn {cpu.gunicorn_s:.1f},"
        f" postgres (all) {cpu.postgres_s:.1f}; machine busy {cpu.machine_busy:.0%} of"
        f" {cpu.cores} cores"
    )
    others = (
        cpu.machine_busy * cpu.cores * r.wall_s - cpu.client_s - cpu.gunicorn_s - cpu.postgres_s
    )
    print(f"  other processes:   ~{max(0.0, others):.1f} CPU s (other users of this machine)")
    if r.created:
        print(
            f"  per case:          gunicorn {cpu.gunicorn_s / r.created * 1000:.1f} ms CPU,"
            f" postgres {cpu.postgres_s / r.created * 1000:.1f} ms CPU,"
            f" client {cpu.client_s / r.created * 1000:.1f} ms CPU"
        )
    print(f"  pg backends ({sampler.samples} samples of pg_stat_activity, average count):")
    for state, n in sampler.states.most_common():
        print(f"      {n / max(1, sampler.samples):5.2f}  {state}")
    if sampler.lock_waits:
        print("    lock waits by statement (average waiting backends):")
        for what, n in sampler.lock_waits.most_common(5):
            print(f"      {n / max(1, sampler.samples):5.2f}  {what}")
    print(f"  warm-up ({warm.sent} requests) not counted in the figures above")
    if memory_lines:
        print("memory:")
        for line in memory_lines:
            print(f"  {line}")
    print("check (warm-up + baseline + load" + (" + memory run):" if args.memory else "):"))
    for line in check:
        print(f"  {line}")
    aim_rate = r.created / r.wall_s >= 150
    aim_p95 = percentile(r.latencies_ms, 0.95) < 100
    print(
        f"aim >= 150 cases/s: {'met' if aim_rate else 'NOT met'};"
        f" aim p95 < 100 ms: {'met' if aim_p95 else 'NOT met'}"
    )
    if profile_lines:
        print("-" * 78)
        print("where the time goes")
        if pyspy_result is not None:
            print(
                f"(profiled load: {pyspy_result.created / pyspy_result.wall_s:.1f} cases/s,"
                f" {latency_line(pyspy_result)} — slowed by py-spy)"
            )
        for line in profile_lines:
            print(line)
    if "Traceback" in log_tail or "ERROR" in log_tail:
        print("-" * 78)
        print("gunicorn log (tail):")
        print(log_tail)
    print(f"database {'kept' if args.keep else 'dropped'}: {url}")
    if check[-1].startswith("MISMATCH"):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
