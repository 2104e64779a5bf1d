"""Benchmark CASE-5: the deadline sweep over many open cases.

    createdb -h 127.0.0.1 -U postgres linli_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/linli_bench DEBUG=1 \
        .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/linli_bench DEBUG=1 \
        .venv/bin/python bench/casework_sweep.py [--cases 100000]
    DEBUG=1 .venv/bin/python bench/casework_sweep.py --smoke

Uses the database of DATABASE_URL (required, so it never touches the development database
by accident); --smoke makes its own instead (linli_bench_smoke_sweep, dropped at the end).
Builds the test world there if it is missing, deletes the cases of a previous run (tracking
numbers starting "BENCH"), then inserts N open cases directly with bulk_create (no intake
services: this measures the sweep, not intake): a quarter to warn, a quarter just overdue, a
quarter overdue long enough to escalate, a quarter on time; plus 1% closed cases due a 回访.
Then times `sweep_deadlines` twice at the same moment: the first pass changes about 3/4 of
the cases, the second must change nothing.
"""

import argparse
import datetime as dt
import os
import sys
import time
from typing import TYPE_CHECKING

from _common import build_database, django_setup, parse_args, pg_drop

if TYPE_CHECKING:
    from linli.casework.models import Category
    from linli.geo.models import Community, Department, Grid

BATCH = 5000
PREFIX = "BENCH"
SMOKE_URL = "postgres://postgres@127.0.0.1:5432/linli_bench_smoke_sweep"


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=100_000, help="open cases (default 100000)")
    return parse_args(parser, cases=200)


def world() -> tuple["Category", "Grid", "Community", "Department"]:
    """(category, grid, community, owner unit): the test world, built once per database."""
    from linli.casework.models import Category
    from linli.casework.services.categories import categories_ensure_defaults
    from linli.geo.models import Department, Grid
    from linli.testing.world import build_world

    if not Department.objects.filter(name="西湖区城管局").exists():
        build_world()
    categories_ensure_defaults(actor=None)
    grid = Grid.objects.select_related("community").order_by("pk").first()
    assert grid is not None
    owner = Department.objects.get(name="西湖区城管局")
    return Category.objects.get(code="01-10"), grid, grid.community, owner


def reset() -> float:
    """Delete the cases of a previous run (bench rows have only events hanging off them)."""
    from django.db import connection

    from linli.casework.models import Case, CaseEvent

    t0 = time.perf_counter()
    qn = connection.ops.quote_name
    cases, events = qn(Case._meta.db_table), qn(CaseEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {events} WHERE case_id IN "  # noqa: S608
            f"(SELECT id FROM {cases} WHERE tracking_no LIKE %s)",
            [f"{PREFIX}%"],
        )
        cursor.execute(f"DELETE FROM {cases} WHERE tracking_no LIKE %s", [f"{PREFIX}%"])  # noqa: S608
    return time.perf_counter() - t0


def populate(n: int, now: dt.datetime) -> float:
    from linli.casework.choices import Status
    from linli.casework.models import Case

    t0 = time.perf_counter()
    category, grid, community, owner = world()
    day, hour = dt.timedelta(days=1), dt.timedelta(hours=1)
    # (created_at, close_due, status, follow_up_due)
    plans = [
        (now - 3 * day, now + 6 * hour, Status.HANDLING, None),  # warn
        (now - 3 * day, now - dt.timedelta(minutes=1), Status.DISPATCHED, None),  # overdue
        (now - 30 * day, now - 20 * day, Status.HANDLING, None),  # overdue, escalate
        (now - hour, now + 10 * day, Status.REGISTERED, None),  # on time
    ]
    follow_up = (now - 10 * day, now - 8 * day, Status.CLOSED, now - hour)
    rows = []
    total = n + n // 100
    for i in range(total):
        _, due, status, follow = follow_up if i >= n else plans[i % len(plans)]
        rows.append(
            Case(
                tracking_no=f"{PREFIX}{i:010d}",
                channel="web",
                category=category,
                description="基准测试",
                lat=30.2725,
                lon=120.1225,
                grid=grid,
                community=community,
                owner_unit=owner,
                handler_unit=owner,
                status=status,
                respond_due=due,
                close_due=due,
                follow_up_due=follow,
            )
        )
        if len(rows) == BATCH:
            Case.objects.bulk_create(rows)
            rows = []
    Case.objects.bulk_create(rows)
    # created_at is auto_now_add: set it afterwards, one UPDATE per plan.
    for created, due, _, _ in [*plans, follow_up]:
        Case.objects.filter(tracking_no__startswith=PREFIX, close_due=due).update(
            created_at=created
        )
    return time.perf_counter() - t0


def main() -> None:
    args = parse()
    if args.smoke:
        url = SMOKE_URL
        build_database(url, demo=False, smoke=True)
    elif not (url := os.environ.get("DATABASE_URL", "")):
        sys.exit("Set DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/linli_bench).")
    django_setup(url)  # DEBUG off: no query log skewing the timings
    from django.db import connection
    from django.utils import timezone

    from linli.casework.scheduled import sweep_deadlines

    now = timezone.now()
    reset_s = reset()
    build_s = populate(args.cases, now)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE casework_case")

    t0 = time.perf_counter()
    first = sweep_deadlines(now=now)
    first_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    second = sweep_deadlines(now=now)
    second_s = time.perf_counter() - t0

    changed = first.warned + first.overdue + first.escalated + first.follow_ups
    print(f"database:            {connection.vendor} {connection.settings_dict['NAME']}")
    print(f"open cases:          {args.cases:,} (+{args.cases // 100:,} closed, due a 回访)")
    print(f"delete previous run: {reset_s:.2f} s")
    print(f"insert (bulk):       {build_s:.2f} s")
    print(
        f"sweep 1 (changes):   {first_s:.2f} s  warned={first.warned:,} "
        f"overdue={first.overdue:,} escalated={first.escalated:,} "
        f"follow_ups={first.follow_ups:,}  ({changed:,} state changes)"
    )
    print(f"sweep 2 (idempotent): {second_s:.3f} s  {second}")
    assert second == type(second)(), "the second sweep changed something"
    if args.smoke:
        connection.close()
        pg_drop(url)


if __name__ == "__main__":
    main()
