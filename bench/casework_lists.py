"""Benchmark CASE lists: the case list pages and API over 1,000,000 cases in PostgreSQL.

    DEBUG=1 .venv/bin/python bench/casework_lists.py [--cases 1000000] [--requests 200]
        [--page-seconds 90] [--residents 1000] [--keep] [--smoke]

Recreates the database of --database-url (default linli_bench_lists on 127.0.0.1) with
createdb, migrates it and runs `manage.py demo` into it; creates --residents accounts
(unusable passwords) plus one with exactly 3 cases; COPYs --cases cases straight into
casework_case (no services: this measures reading, not intake), spread over the demo
grids and leaf categories, 70% closed/rated and 30% in the open states, created over the
last year, with deadlines after creation and the owner (and, once dispatched, handler) unit
from the responsibility list; then VACUUM ANALYZE.

Then times, in-process with Django's test client (force_login, DEBUG off), --requests
requests of each page (or as many as fit in --page-seconds): the staff queue as
community_worker and as dept_officer, /cases/mine/ for a resident with ~1,000 cases and for
one with 3, /cases/public/, and GET /api/cases?mine=true. Prints p50/p95 per page, the
page's slowest SQL statement, and for any page with p95 >= 100 ms the EXPLAIN (ANALYZE,
BUFFERS) plan of that statement. Drops the database at the end unless --keep.
"""

import argparse
import datetime as dt
import os
import random
import re
import time
from dataclasses import dataclass
from typing import Any

from _common import (
    build_database,
    django_setup,
    grid_points,
    leaf_categories,
    parse_args,
    percentile,
    pg_drop,
    smoke_url,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/linli_bench_lists"
SEED = 2027
BATCH = 100_000
AIM_MS = 100.0
PLAN_LINES = 45
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
# Open cases by state (30% of all cases).
OPEN_WEIGHTS = {
    "received": 0.20,
    "registered": 0.15,
    "dispatched": 0.20,
    "handling": 0.30,
    "handled": 0.10,
    "verified": 0.05,
}
DISPATCHED_OR_LATER = {"dispatched", "handling", "handled", "verified", "closed", "rated"}


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--database-url", default=DEFAULT_URL)
    p.add_argument("--cases", type=int, default=1_000_000)
    p.add_argument("--requests", type=int, default=200, help="requests per page (default 200)")
    p.add_argument("--page-seconds", type=float, default=90.0, help="time cap per page")
    p.add_argument("--residents", type=int, default=1000, help="resident accounts reporting")
    p.add_argument("--points", type=int, default=200, help="random points per demo grid")
    p.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return parse_args(
        p,
        database_url=smoke_url(DEFAULT_URL),
        cases=2000,
        requests=3,
        page_seconds=5.0,
        residents=50,
        points=10,
    )


# ---------------------------------------------------------------- data


def residents(n: int) -> tuple[list[int], int, int]:
    """(ids of n bulk-created residents, the heavy one, the light one)."""
    from django.contrib.auth.hashers import make_password

    from linli.accounts.models import User
    from linli.core.roles import Role

    users = User.objects.bulk_create(
        [
            User(
                username=f"bench_r_{i:04d}",
                role=Role.RESIDENT,
                full_name=f"居民{i:04d}",
                password=make_password(None),
            )
            for i in range(n)
        ],
        batch_size=1000,
    )
    light = User.objects.create(
        username="bench_r_light", role=Role.RESIDENT, password=make_password(None)
    )
    return [u.pk for u in users], users[0].pk, light.pk


@dataclass(frozen=True)
class Place:
    grid_id: int
    community_id: int
    points: list[tuple[float, float]]


def case_rows(n: int, reporters: list[int], light: int, per_grid: int) -> Any:
    """Yield COPY rows (tuples in `columns` order) for n cases; first yields the columns."""
    from linli.casework.choices import Channel, DeadlineUnit
    from linli.casework.models import Case
    from linli.casework.services.intake import route
    from linli.geo.models import Grid

    rng = random.Random(SEED)
    grids = list(Grid.objects.select_related("community__street").order_by("id"))
    points = grid_points(rng, per_grid * len(grids))
    places = [
        Place(g.pk, g.community_id, [(la, lo) for la, lo, gid in points if gid == g.pk])
        for g in grids
    ]
    places = [p for p in places if p.points]
    categories = leaf_categories()
    owners = {(c.pk, g.pk): route(category=c, grid=g) for c in categories for g in grids}
    open_states = list(OPEN_WEIGHTS)
    open_weights = list(OPEN_WEIGHTS.values())

    fields = [f for f in Case._meta.concrete_fields if not f.primary_key]
    columns = [f.column for f in fields]
    yield columns
    template: dict[str, Any] = {}
    for f in fields:
        if f.has_default():
            template[f.attname] = f.get_default()
        elif f.null:
            template[f.attname] = None
        elif f.blank:
            template[f.attname] = ""
    template["channel"] = Channel.WEB
    index = {f.attname: i for i, f in enumerate(fields)}
    base = [template.get(f.attname) for f in fields]

    now = dt.datetime.now(dt.UTC)
    year_s = 365 * 86400
    light_rows = set(rng.sample(range(n), 3)) if n >= 3 else set()
    col = index.__getitem__
    i_created, i_updated, i_track = col("created_at"), col("updated_at"), col("tracking_no")
    i_cat, i_desc, i_rep = col("category_id"), col("description"), col("reporter_id")
    i_lat, i_lon, i_grid, i_comm = col("lat"), col("lon"), col("grid_id"), col("community_id")
    i_status, i_owner, i_handler = col("status"), col("owner_unit_id"), col("handler_unit_id")
    i_level, i_rdue, i_cdue = col("level"), col("respond_due"), col("close_due")
    i_resp, i_closed, i_over = col("responded_at"), col("closed_at"), col("overdue")
    i_rating, i_rated, i_public = col("rating"), col("rated_at"), col("public")
    r = 0
    for i in range(n):
        row = base.copy()
        category = rng.choice(categories)
        place = rng.choice(places)
        lat, lon = rng.choice(place.points)
        created = now - dt.timedelta(seconds=rng.random() * year_s)
        if category.respond_unit == DeadlineUnit.HOURS:
            respond = dt.timedelta(hours=category.respond_amount)
        else:
            respond = dt.timedelta(days=category.respond_amount * 7 / 5)
        if category.close_unit == DeadlineUnit.HOURS:
            close = dt.timedelta(hours=category.close_amount)
        else:
            close = dt.timedelta(days=category.close_amount * 7 / 5)
        close = max(close, respond)
        x = rng.random()
        if x < 0.40:
            status = "closed"
        elif x < 0.70:
            status = "rated"
        else:
            status = rng.choices(open_states, open_weights)[0]
        owner = owners[(category.pk, place.grid_id)]
        row[i_created] = created
        row[i_track] = f"BL{i:010d}"
        row[i_cat] = category.pk
        row[i_desc] = DESCRIPTIONS[i % len(DESCRIPTIONS)]
        if i in light_rows:
            row[i_rep] = light
        else:
            row[i_rep] = reporters[r % len(reporters)]
            r += 1
        row[i_lat], row[i_lon] = lat, lon
        row[i_grid], row[i_comm] = place.grid_id, place.community_id
        row[i_status] = status
        row[i_owner] = owner.pk
        row[i_rdue] = created + respond
        row[i_cdue] = close_due = created + close
        row[i_public] = category.public
        updated = created
        if status != "received":
            row[i_resp] = updated = created + respond * rng.uniform(0.1, 0.9)
        if status in DISPATCHED_OR_LATER:
            row[i_handler] = owner.pk
        if status in ("closed", "rated"):
            closed = min(created + close * rng.uniform(0.2, 1.3), now)
            row[i_closed] = updated = closed
            row[i_level] = owner.level
            row[i_over] = closed > close_due
            if status == "rated":
                row[i_rating] = rng.choices((1, 2, 3, 4, 5), (2, 3, 10, 35, 50))[0]
                row[i_rated] = updated = min(closed + dt.timedelta(hours=rng.uniform(1, 72)), now)
        else:
            row[i_over] = close_due < now
        row[i_updated] = updated
        yield tuple(row)


def bulk_load(n: int, reporters: list[int], light: int, per_grid: int) -> float:
    from django.db import connection, transaction

    t0 = time.perf_counter()
    rows = case_rows(n, reporters, light, per_grid)
    columns = next(rows)
    sql = f"COPY casework_case ({', '.join(columns)}) FROM STDIN"
    done = 0
    while done < n:
        size = min(BATCH, n - done)
        with (
            transaction.atomic(),
            connection.cursor() as cursor,
            cursor.cursor.copy(sql) as copy,
        ):
            for _ in range(size):
                copy.write_row(next(rows))
        done += size
        rate = done / (time.perf_counter() - t0)
        print(f"  {done:>9,} cases copied ({rate:,.0f}/s)", flush=True)
    return time.perf_counter() - t0


def analyze() -> float:
    from django.db import connection

    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) casework_case")
        cursor.execute("ANALYZE")
    return time.perf_counter() - t0


# ---------------------------------------------------------------- timing


@dataclass
class PageResult:
    label: str
    path: str
    n: int
    p50: float
    p95: float
    max_ms: float
    rows_hint: str
    queries: int
    sql_ms: float
    slowest_ms: float
    slowest_sql: str
    plan: list[str]


def short_sql(sql: str) -> str:
    """The statement on one line, with a long select list shortened to `…`."""
    sql = " ".join(sql.split())
    return re.sub(
        r"^SELECT (DISTINCT )?(\"\w+\"\.\"\w+\", ){8,}.*? FROM ", r"SELECT \1… FROM ", sql
    )


def short_line(line: str, width: int = 160) -> str:
    return line if len(line) <= width else line[: width - 1] + "…"


def explain(sql: str) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return [line for (line,) in cursor.fetchall()]


def time_page(label: str, path: str, user: Any, requests: int, seconds: float) -> PageResult:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    if user is not None:
        client.force_login(user)
    for _ in range(3):  # warm: templates, caches, the STRtree
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{label}: GET {path} answered {response.status_code}")
    timings: list[float] = []
    deadline = time.perf_counter() + seconds
    for _ in range(requests):
        if time.perf_counter() > deadline:
            break
        t0 = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    timings.sort()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    if path.startswith("/api/"):
        rows_hint = f"{len(response.json())} items"
    else:
        body = response.content
        shown = body.count(b'<span class="status s-') - body.count(b"s-overdue")
        rows_hint = f"{shown} cases shown"
    selects = [q for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    slowest = max(selects, key=lambda q: float(q["time"]))
    p95 = percentile(timings, 0.95)
    # Re-time the slowest statement by itself (the query log has 1 ms resolution).
    plan = explain(slowest["sql"])
    exec_line = next((line for line in plan if line.startswith("Execution Time")), "")
    slowest_ms = float(exec_line.split(":")[1].split()[0]) if exec_line else float("nan")
    return PageResult(
        label,
        path,
        len(timings),
        percentile(timings, 0.50),
        p95,
        timings[-1],
        rows_hint,
        len(ctx.captured_queries),
        sum(float(q["time"]) for q in ctx.captured_queries) * 1000,
        slowest_ms,
        short_sql(slowest["sql"]),
        plan if p95 >= AIM_MS else [],
    )


def main() -> None:
    args = parse()
    url = args.database_url
    t_all = time.perf_counter()
    took = build_database(url, smoke=args.smoke)
    print("database: " + ", ".join(f"{k} {v:.1f} s" for k, v in took.items()), flush=True)
    django_setup(url)
    from django.db import connections

    from linli.accounts.models import User
    from linli.casework.models import Case

    reporters, heavy_id, light_id = residents(args.residents)
    print(f"copying {args.cases:,} cases …", flush=True)
    copy_s = bulk_load(args.cases, reporters, light_id, args.points)
    analyze_s = analyze()
    total = Case.objects.count()
    heavy = User.objects.get(pk=heavy_id)
    light = User.objects.get(pk=light_id)
    worker = User.objects.get(username="community_worker")
    officer = User.objects.get(username="dept_officer")
    counts = {
        "heavy": Case.objects.filter(reporter=heavy).count(),
        "light": Case.objects.filter(reporter=light).count(),
    }
    print(
        f"loaded: {total:,} cases; copy {copy_s:.1f} s, VACUUM ANALYZE {analyze_s:.1f} s",
        flush=True,
    )

    pages = [
        ("queue as community_worker", "/cases/queue/", worker),
        ("queue as dept_officer", "/cases/queue/", officer),
        (f"mine, resident with {counts['heavy']} cases", "/cases/mine/", heavy),
        (f"mine, resident with {counts['light']} cases", "/cases/mine/", light),
        ("public list (anonymous)", "/cases/public/", None),
        (f"API ?mine=true, {counts['heavy']} cases", "/api/cases?mine=true", heavy),
        (f"API ?mine=true, {counts['light']} cases", "/api/cases?mine=true", light),
    ]
    results = []
    load_before = os.getloadavg()
    for label, path, user in pages:
        t0 = time.perf_counter()
        res = time_page(label, path, user, args.requests, args.page_seconds)
        results.append(res)
        print(
            f"  timed {label}: {res.n} requests in {time.perf_counter() - t0:.1f} s,"
            f" p95 {res.p95:.1f} ms",
            flush=True,
        )
    load_after = os.getloadavg()
    connections.close_all()
    if not args.keep:
        pg_drop(url)

    print()
    print("=" * 100)
    print(
        f"casework lists: {total:,} cases in PostgreSQL, Django test client in-process,"
        f" DEBUG off, up to {args.requests} requests per page"
    )
    print("=" * 100)
    head = f"{'page':<36} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'SQL':>4}"
    print(f"{head} {'SQL ms':>7} {'slowest SQL ms':>14}  shown")
    for r in results:
        mark = "  <-- p95 >= 100 ms" if r.p95 >= AIM_MS else ""
        print(
            f"{r.label:<36} {r.n:>4} {r.p50:>8.1f} {r.p95:>8.1f} {r.max_ms:>8.1f}"
            f" {r.queries:>4} {r.sql_ms:>7.0f} {r.slowest_ms:>14.1f}  {r.rows_hint}{mark}"
        )
    print(
        "SQL ms: the page's statements in Django's query log (1 ms resolution); slowest SQL ms:"
        " that statement re-run under EXPLAIN ANALYZE"
    )
    print(
        "machine load average (1, 5, 15 min) before / after timing:"
        f" {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f} /"
        f" {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f} on {os.cpu_count()} cores"
    )
    met = all(r.p95 < AIM_MS for r in results)
    print(f"aim p95 < {AIM_MS:.0f} ms on every page: {'met' if met else 'NOT met'}")
    for r in results:
        if not r.plan:
            continue
        print("-" * 100)
        print(f"{r.label} ({r.path}): slowest statement, {r.slowest_ms:.1f} ms by itself")
        print(f"  {r.slowest_sql[:700]}")
        for line in r.plan[:PLAN_LINES]:
            print(f"  | {short_line(line)}")
        if len(r.plan) > PLAN_LINES:
            print(f"  | … ({len(r.plan) - PLAN_LINES} more lines)")
    print(
        f"total {time.perf_counter() - t_all:.0f} s; database {'kept' if args.keep else 'dropped'}:"
        f" {url}"
    )


if __name__ == "__main__":
    main()
