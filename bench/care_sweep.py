"""Benchmark CARE-3..5: the care rule sweep over 100,000 households in PostgreSQL.

    DEBUG=1 .venv/bin/python bench/care_sweep.py [--households 100000] [--keep] [--smoke]

Recreates the database of --database-url (default linli_bench_care_sweep on 127.0.0.1),
migrates it and COPYs in a city of --households homes of elderly people living alone: 50
communities of 20 grids (each with its grid worker, each community with a community
worker), 100 homes per grid, four devices per home (water, electricity, door, motion) and
their DeviceState rows as ingest leaves them at NOW (a Wednesday, 20:01), each meter's
electricity baselines (all 72 slots) and the hourly register snapshots of the last 13
hours, care profiles (10% with quiet hours, 1% with their own no-water hours) and away
periods (2% away now, 5% back in the last days). The states are drawn so that a realistic
share of homes matters: 0.3% silent homes (no water, door or movement for 13 h – 4 days,
electricity at its base load), 1% whose water has been still for 12–30 h while the person
is seen moving (a meter question), 2% using far less electricity than usual while moving
about, 1% of devices offline, 0.5% of water meters stuck, 0.3% flat batteries.

Then times `care_sweep` four times, as a deployment runs it: at NOW (the first sweep of
the hour: it snapshots every electricity register and judges electricity; and, here, the
first sweep ever, so it opens every alert and task at once), at NOW again (nothing new), at
NOW + 15 min (an ordinary sweep) and at NOW + 60 min (the next hour's sweep, steady state).
Prints the seconds, what each changed, its statements and the slowest ones, with EXPLAIN
(ANALYZE, BUFFERS) for any statement over 200 ms. Drops the database unless --keep.
"""

import argparse
import datetime as dt
import os
import random
import time
from typing import Any

from _common import build_database, django_setup, parse_args, pg_drop, smoke_url

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/linli_bench_care_sweep"
SEED = 2026
HOMES_PER_GRID = 100
GRIDS_PER_COMMUNITY = 20
AIM_S = 2.0
KINDS = ("water", "electricity", "door", "motion")


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--database-url", default=DEFAULT_URL)
    p.add_argument("--households", type=int, default=100_000)
    p.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return parse_args(p, database_url=smoke_url(DEFAULT_URL), households=200)


# ---------------------------------------------------------------- the city


def places(n: int) -> tuple[list[int], dt.datetime]:
    """Communities, grids, staff, buildings; returns the building id of each home."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from linli.accounts.models import Membership, User
    from linli.geo.models import Building, Community, District, Grid, Street

    tz = timezone.get_default_timezone()
    now = dt.datetime(2026, 3, 4, 20, 1, tzinfo=tz)
    district = District.objects.create(code="330106", name="西湖区", city="杭州市")
    street = Street.objects.create(district=district, code="001", name="基准街道")
    password = make_password(None)
    grids = (n + HOMES_PER_GRID - 1) // HOMES_PER_GRID
    buildings: list[int] = []
    for c in range((grids + GRIDS_PER_COMMUNITY - 1) // GRIDS_PER_COMMUNITY):
        community = Community.objects.create(
            street=street, code=f"{c + 1:03d}", name=f"社区{c + 1}"
        )
        worker = User.objects.create(
            username=f"cw{c + 1}", role="community_worker", password=password
        )
        Membership.objects.create(user=worker, kind="community_worker", community=community)
        for g in range(GRIDS_PER_COMMUNITY):
            if c * GRIDS_PER_COMMUNITY + g >= grids:
                break
            lon, lat = 120.0 + 0.01 * g, 30.2 + 0.01 * c
            ring = [[lon, lat], [lon + 0.005, lat], [lon + 0.005, lat + 0.005], [lon, lat]]
            grid = Grid.objects.create(
                community=community,
                code=f"{g + 1:03d}",
                unit_code=f"330106001{c + 1:03d}{g + 1:03d}",
                name=f"网格{c + 1}-{g + 1}",
                geometry={"type": "Polygon", "coordinates": [ring]},
                min_lon=lon,
                min_lat=lat,
                max_lon=lon + 0.005,
                max_lat=lat + 0.005,
            )
            gw = User.objects.create(username=f"gw{grid.pk}", role="grid_worker", password=password)
            Membership.objects.create(user=gw, kind="grid_worker", grid=grid)
            made = Building.objects.bulk_create(
                Building(grid=grid, name=f"{b + 1}幢", lat=lat, lon=lon) for b in range(5)
            )
            buildings += [made[h // 20].pk for h in range(HOMES_PER_GRID)]
    return buildings[:n], now


def copy(table: str, columns: tuple[str, ...], rows: Any) -> int:
    from django.db import connection, transaction

    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    n = 0
    with transaction.atomic(), connection.cursor() as cursor, cursor.cursor.copy(sql) as cp:
        for row in rows:
            cp.write_row(row)
            n += 1
    return n


def setval(table: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
        )


def hourly_use(hour: int, *, low: bool) -> float:
    """kWh in the hour starting at `hour` o'clock: fridge, breakfast, evening lights and TV."""
    base = 0.05
    if low:
        return base
    return base + (
        0.3 if 7 <= hour < 9 else 0.5 if 17 <= hour < 22 else 0.1 if 9 <= hour < 17 else 0
    )


def city(n: int) -> dict[str, Any]:
    from linli.care.services.baseline import slot_of

    buildings, now = places(n)
    rng = random.Random(SEED)
    t0 = time.perf_counter()
    copy(
        "geo_household",
        ("id", "building_id", "unit", "room", "created_at", "updated_at"),
        ((i + 1, b, "1单元", f"{i + 1}", now, now) for i, b in enumerate(buildings)),
    )
    setval("geo_household")
    silent = set(rng.sample(range(1, n + 1), n * 3 // 1000))
    dry = set(rng.sample(range(1, n + 1), n // 100)) - silent  # still meter, person moving
    low = set(rng.sample(range(1, n + 1), n * 2 // 100)) - silent
    stuck = set(rng.sample(range(1, n + 1), n // 200)) - silent
    ago = lambda **kw: now - dt.timedelta(**kw)  # noqa: E731

    def devices() -> Any:
        for h in range(1, n + 1):
            for k, kind in enumerate(KINDS):
                pk = (h - 1) * 4 + k + 1
                battery = rng.randint(5, 15) if rng.random() < 0.003 else rng.randint(20, 100)
                rmax = 99999.0 if kind == "electricity" else None
                yield (
                    pk,
                    f"B{pk}",
                    kind,
                    h,
                    dt.date(2026, 1, 1),
                    "",
                    battery,
                    rmax,
                    True,
                    now,
                    now,
                )

    copy(
        "care_device",
        (
            "id",
            "serial",
            "kind",
            "household_id",
            "installed_on",
            "place",
            "battery",
            "register_max",
            "active",
            "created_at",
            "updated_at",
        ),
        devices(),
    )
    setval("care_device")
    registers: dict[int, float] = {}

    def states() -> Any:
        for h in range(1, n + 1):
            quiet = h in silent
            for k, kind in enumerate(KINDS):
                pk = (h - 1) * 4 + k + 1
                offline = rng.random() < 0.01
                last = ago(hours=rng.uniform(3, 72)) if offline else ago(minutes=rng.uniform(0, 14))
                use_at = use_v = event = change = None
                value: float | None = None
                if kind == "water":
                    value = round(rng.uniform(50, 900), 3)
                    if quiet:
                        use_at = ago(hours=rng.uniform(13, 96))
                    elif h in stuck:
                        use_at = ago(days=rng.uniform(3.5, 10))
                    elif h in dry:
                        use_at = ago(hours=rng.uniform(12, 30))
                    else:
                        use_at = ago(hours=rng.expovariate(1 / 2.0))
                    use_v, change = value, use_at
                elif kind == "electricity":
                    value = registers[pk] = rng.uniform(1000, 90000)
                    change = last
                else:
                    last = ago(hours=rng.uniform(0, 2)) if not offline else last
                    value = 0.0
                    event = (
                        ago(hours=rng.uniform(13, 96))
                        if quiet
                        else ago(hours=rng.expovariate(1 / (0.5 if kind == "motion" else 6.0)))
                    )
                yield (pk, h, kind, last, value, use_at, use_v, event, change)

    copy(
        "care_devicestate",
        (
            "device_id",
            "household_id",
            "kind",
            "last_at",
            "last_value",
            "use_mark_at",
            "use_mark_value",
            "last_event_at",
            "last_change_at",
        ),
        states(),
    )
    hour = now.replace(minute=0)

    def snapshots() -> Any:
        # Hour by hour, as the sweeps write them (one INSERT … SELECT per hour).
        values = {h: registers[(h - 1) * 4 + 2] for h in range(1, n + 1)}
        for back in range(1, 14):
            at = hour - dt.timedelta(hours=back)
            for h in range(1, n + 1):
                # The register before the last `back` hours of use.
                values[h] -= hourly_use(at.hour, low=h in low or h in silent)
                pk = (h - 1) * 4 + 2
                yield (pk, h, at, at + dt.timedelta(minutes=1), round(values[h], 3))

    snaps = copy(
        "care_powersnapshot", ("device_id", "household_id", "hour", "at", "value"), snapshots()
    )
    monday = dt.datetime(2026, 3, 2, tzinfo=now.tzinfo)
    reference = {
        slot_of(monday + dt.timedelta(hours=x), 12): monday + dt.timedelta(hours=x)
        for x in range(1, 24 * 7 + 1)
    }

    def baselines() -> Any:
        for h in range(1, n + 1):
            pk = (h - 1) * 4 + 2
            for slot, end in reference.items():
                expected = sum(
                    hourly_use((end - dt.timedelta(hours=b)).hour, low=False) for b in range(1, 13)
                ) * rng.uniform(0.85, 1.15)
                yield (pk, slot, 30.0, expected, (0.12 * expected) ** 2, 40, now)

    base = copy(
        "care_powerbaseline",
        ("device_id", "slot", "weight", "expected", "variance", "days", "refreshed_at"),
        baselines(),
    )
    # Written nightly in slot order of each meter; the visibility map lets the sweep read
    # the index alone.
    copy(
        "care_careprofile",
        (
            "household_id",
            "enabled",
            "no_water_hours",
            "quiet_start",
            "quiet_end",
            "note",
            "created_at",
            "updated_at",
        ),
        (
            (
                h,
                True,
                8.0 if h % 100 == 0 else None,
                dt.time(22, 30) if h % 10 == 0 else None,
                dt.time(6, 30) if h % 10 == 0 else None,
                "",
                now,
                now,
            )
            for h in range(1, n + 1)
            if h % 10 == 0 or h % 100 == 0
        ),
    )
    copy(
        "care_awayperiod",
        ("household_id", "starts", "ends", "reason", "note", "created_at", "updated_at"),
        (
            (
                h,
                ago(days=3),
                now + dt.timedelta(days=2) if h % 50 == 0 else ago(days=1),
                "hospital",
                "",
                now,
                now,
            )
            for h in range(1, n + 1)
            if h % 50 == 0 or h % 20 == 1
        ),
    )
    return {
        "now": now,
        "load_s": time.perf_counter() - t0,
        "snapshots": snaps,
        "baselines": base,
        "silent": len(silent),
    }


# ---------------------------------------------------------------- timing


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def an_hour_passes() -> None:
    """What an hour of ingest does to the states (untimed): every device reported again,
    every electricity register moved on by its home's use."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE care_devicestate SET last_at = last_at + interval '1 hour', "
            "last_value = last_value + CASE WHEN kind = 'electricity' THEN 0.5 ELSE 0 END"
        )
        cursor.execute("VACUUM ANALYZE care_devicestate")


def timed(label: str, moment: dt.datetime) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from linli.care.scheduled import care_sweep

    with CaptureQueriesContext(connection) as ctx:
        t0 = time.perf_counter()
        result = care_sweep(now=moment)
        seconds = time.perf_counter() - t0
    queries = sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))
    return {"label": label, "s": seconds, "result": result, "queries": queries}


def explain(sql: str) -> list[str]:
    from django.db import connection

    if not sql.lstrip().upper().startswith("SELECT"):
        return []
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return [r[0] for r in cursor.fetchall()]


def main() -> None:
    args = parse()
    url = args.database_url
    t_all = time.perf_counter()
    build_database(url, demo=False, smoke=args.smoke)
    django_setup(url)
    info = city(args.households)
    t0 = time.perf_counter()
    analyze()
    print(
        f"loaded {args.households:,} homes in {info['load_s']:.0f} s "
        f"({info['baselines']:,} baseline rows, {info['snapshots']:,} snapshots); "
        f"VACUUM ANALYZE {time.perf_counter() - t0:.0f} s",
        flush=True,
    )
    now = info["now"]
    load_before = os.getloadavg()
    runs = [
        timed("first sweep of the hour (and ever)", now),
        timed("again at the same moment", now),
        timed("15 minutes later", now + dt.timedelta(minutes=15)),
    ]
    an_hour_passes()
    runs.append(timed("next hour, steady state", now + dt.timedelta(minutes=60)))
    load_after = os.getloadavg()
    print()
    print("=" * 100)
    print(
        f"care sweep: {args.households:,} households, {4 * args.households:,} devices, PostgreSQL"
    )
    print("=" * 100)
    for r in runs:
        res = r["result"]
        flag = "" if r["s"] < AIM_S else f"  <-- over {AIM_S:.0f} s"
        print(
            f"{r['label']:<38} {r['s']:6.2f} s  {len(r['queries']):3d} statements  "
            f"opened {res.opened} deferred {res.deferred} resolved {res.resolved} "
            f"escalated {res.escalated} tasks +{res.tasks_opened}/-{res.tasks_resolved} "
            f"homes judged {res.homes_judged} power {res.power_hour}{flag}"
        )
        for q in r["queries"][:3]:
            print(f"    {float(q['time']) * 1000:7.0f} ms  {q['sql'][:150]}")
        for q in r["queries"]:
            if float(q["time"]) >= 0.2:
                print("\n".join("      " + line for line in explain(q["sql"])))
    print(
        "machine load average (1, 5, 15 min) before / after timing:"
        f" {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f} /"
        f" {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f} on {os.cpu_count()} cores"
    )
    from django.db import connections

    connections.close_all()
    if not args.keep:
        pg_drop(url)
    print(f"total {time.perf_counter() - t_all:.0f} s")


if __name__ == "__main__":
    main()
