"""Benchmark CASE-5: 100,000 add_working_days(start, 3) with random starts in 2024–2026.

    DEBUG=1 .venv/bin/python bench/calendar_deadline.py [--n 100000] [--smoke]

Uses a throwaway SQLite database (/tmp/linli-bench-calendar.sqlite3), recreated on every
run, loaded with `calendar_load 2024 2025 2026`. Prints two figures: the module function
(a fresh view per call: one version query per year touched) and one WorkingCalendar held
for the whole batch (how an SLA sweep would use it).
"""

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

DB_PATH = Path("/tmp/linli-bench-calendar.sqlite3")
os.environ["DATABASE_URL"] = f"sqlite:///{DB_PATH}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django  # noqa: E402
from _common import parse_args, sqlite_migrated  # noqa: E402

DAYS = 3
SEED = 2025


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--n", type=int, default=100_000, help="deadlines to compute")
    return parse_args(p, n=1000)


def reset_database(smoke: bool) -> None:
    from django.core.management import call_command

    sqlite_migrated(DB_PATH, smoke=smoke)
    call_command("calendar_load", "2024", "2025", "2026", verbosity=0)


def random_starts(n: int) -> list[dt.datetime]:
    tz = ZoneInfo("Asia/Shanghai")
    first = dt.datetime(2024, 1, 1, tzinfo=tz)
    span = int((dt.datetime(2027, 1, 1, tzinfo=tz) - first).total_seconds())
    rng = random.Random(SEED)
    return [first + dt.timedelta(seconds=rng.randrange(span)) for _ in range(n)]


def main() -> None:
    args = parse()
    n = args.n
    django.setup()
    from django.conf import settings

    # Production runs without DEBUG; don't let Django's query log skew the timings.
    settings.DEBUG = False

    from linli.core.calendar.selectors import WorkingCalendar, add_working_days

    reset_database(args.smoke)
    starts = random_starts(n)
    add_working_days(start=starts[0], days=DAYS)  # fill the per-process cache

    t0 = time.perf_counter()
    per_call = [add_working_days(start=s, days=DAYS) for s in starts]
    per_call_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    calendar = WorkingCalendar()
    batch = [calendar.add_working_days(start=s, days=DAYS) for s in starts]
    batch_s = time.perf_counter() - t0

    assert per_call == batch
    provisional = sum(d.provisional for d in per_call)  # starts late in 2026 reach 2027
    print(f"deadlines computed:        {n:,} × add_working_days(…, {DAYS}), starts 2024–2026")
    print(f"provisional (reach 2027):  {provisional:,}")
    print(f"per call (1 query/year):   {n / per_call_s:,.0f} deadlines/s")
    print(f"one WorkingCalendar batch: {n / batch_s:,.0f} deadlines/s")


if __name__ == "__main__":
    main()
