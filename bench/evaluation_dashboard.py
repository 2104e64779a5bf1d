"""Benchmark EVAL-3: the evaluation dashboard over 1,000,000 cases, and the month-end
snapshot of the whole district, in PostgreSQL.

    DEBUG=1 .venv/bin/python bench/evaluation_dashboard.py [--cases 1000000]
        [--requests 200] [--keep] [--smoke]

Recreates the database of --database-url (default linli_bench_evaluation), migrates it and
runs `manage.py demo` (which builds a year of history and freezes its snapshots); COPYs
--cases cases into casework_case the way bench/casework_lists.py does (created over the
last year); VACUUM ANALYZE. Then:

1. the month-end snapshot of the district: every metric by every grouping for the last
   ended month, recomputed over the loaded cases (aim < 60 s);
2. the dashboard page as a community worker and as the supervisor, and the figures API —
   p50/p95 over --requests requests (aim p95 < 300 ms): they read snapshots only.
Drops the database at the end unless --keep.
"""

import argparse
import time

from _common import build_database, django_setup, parse_args, percentile, pg_drop, smoke_url
from casework_lists import analyze, bulk_load, residents

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/linli_bench_evaluation"
AIM_SNAPSHOT_S = 60.0
AIM_PAGE_MS = 300.0


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--database-url", default=DEFAULT_URL)
    p.add_argument("--cases", type=int, default=1_000_000)
    p.add_argument("--requests", type=int, default=200)
    p.add_argument("--residents", type=int, default=1000)
    p.add_argument("--points", type=int, default=200)
    p.add_argument("--keep", action="store_true")
    return parse_args(
        p, database_url=smoke_url(DEFAULT_URL), cases=2000, requests=3, residents=50, points=10
    )


def time_get(client, path: str, n: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    for _ in range(2):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    timings = []
    for _ in range(n):
        t0 = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    timings.sort()
    return percentile(timings, 0.5), percentile(timings, 0.95)


def main() -> None:
    args = parse()
    took = build_database(args.database_url, smoke=args.smoke)
    for step, seconds in took.items():
        print(f"{step}: {seconds:.1f} s")
    django_setup(args.database_url)
    from django.test import Client

    from linli.accounts.choices import MembershipKind
    from linli.accounts.models import Membership, User
    from linli.casework.models import Case
    from linli.core.roles import Role
    from linli.evaluation.models import SnapshotFigure
    from linli.evaluation.services import last_closed_month, snapshot_month

    try:
        reporters, heavy, light = residents(args.residents)
        seconds = bulk_load(args.cases, reporters, light, args.points)
        print(f"loaded {args.cases:,} cases in {seconds:.1f} s; analyze {analyze():.1f} s")
        print(f"cases in the database: {Case.objects.count():,}")

        month = last_closed_month()
        t0 = time.perf_counter()
        snap = snapshot_month(month=month, recompute=True, reason="bench")
        snap_s = time.perf_counter() - t0
        figures = SnapshotFigure.objects.filter(snapshot=snap).count()
        due = SnapshotFigure.objects.get(snapshot=snap, metric="due", dimension="all", key="all")
        verdict = "ok" if snap_s < AIM_SNAPSHOT_S else "ABOVE AIM"
        print(
            f"month-end snapshot {month:%Y-%m} (district, {int(due.numerator):,} cases due): "
            f"{snap_s:.2f} s, {figures} figures — aim < {AIM_SNAPSHOT_S:.0f} s: {verdict}"
        )

        worker = (
            Membership.objects.filter(kind=MembershipKind.COMMUNITY_WORKER)
            .select_related("user")
            .first()
        )
        supervisor = User.objects.filter(role=Role.SUPERVISOR).first()
        pages = [
            ("dashboard, community worker", worker.user if worker else None,
             "/evaluation/?metric=on_time_close_rate&dimension=community"),
            ("dashboard, supervisor", supervisor,
             "/evaluation/?metric=on_time_close_rate&dimension=community"),
            ("figures API, community worker", worker.user if worker else None,
             "/api/evaluation/figures?metric=satisfaction_rate&dimension=grid"),
        ]  # fmt: skip
        for label, user, path in pages:
            if user is None:
                raise SystemExit(f"no user for {label}")
            client = Client()
            client.force_login(user)
            p50, p95 = time_get(client, path, args.requests)
            verdict = "ok" if p95 < AIM_PAGE_MS else "ABOVE AIM"
            print(
                f"{label}: p50 {p50:.1f} ms, p95 {p95:.1f} ms over {args.requests} requests "
                f"— aim p95 < {AIM_PAGE_MS:.0f} ms: {verdict}"
            )
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            pg_drop(args.database_url)


if __name__ == "__main__":
    main()
