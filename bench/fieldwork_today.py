"""Benchmark 今日任务 (issue 21): every grid worker's list of a district, and one worker's
list opened, in PostgreSQL.

    DEBUG=1 .venv/bin/python bench/fieldwork_today.py [--workers 1000]
        [--residents 1000000] [--requests 200] [--keep] [--smoke]

Recreates the database of --database-url (default linli_bench_fieldwork on 127.0.0.1),
migrates it (no demo), then builds a district straight into the tables (COPY, no services:
this measures the list, not intake): --workers grids in 10-grid communities, each with one
grid worker, 20 buildings and 25 households per building; --residents residents spread over
them (birth years 1930–2020, created over the last two years, 4% tagged 独居老人, 4% 低保,
3% 半失能), visits for 40% of them over the last 120 days, VACUUM ANALYZE.

Then times `fieldwork_sweep`'s work (every worker's list for today; aim < 60 s) and one
worker's list opened, page and API (force_login, DEBUG off): p50/p95 over --requests
requests (aim p95 < 200 ms). Drops the database at the end unless --keep.
"""

import argparse
import datetime as dt
import random
import time
import uuid
from collections.abc import Iterator
from typing import Any

from _common import build_database, django_setup, parse_args, percentile, pg_drop, smoke_url

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/linli_bench_fieldwork"
SEED = 2121
BUILDINGS_PER_GRID = 20
HOUSEHOLDS_PER_BUILDING = 25
AIM_SWEEP_S = 60.0
AIM_LIST_MS = 200.0


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--database-url", default=DEFAULT_URL)
    p.add_argument("--workers", type=int, default=1000)
    p.add_argument("--residents", type=int, default=1_000_000)
    p.add_argument("--requests", type=int, default=200)
    p.add_argument("--keep", action="store_true")
    return parse_args(p, database_url=smoke_url(DEFAULT_URL), workers=6, residents=3000, requests=5)


def copy_rows(model: Any, columns: list[str], rows: Iterator[tuple[Any, ...]]) -> int:
    from django.db import connection, transaction

    table = model._meta.db_table
    n = 0
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with transaction.atomic(), connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
            n += 1
    return n


def reset_sequences(*models: Any) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for m in models:
            t = m._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), COALESCE(MAX(id), 1)) FROM {t}"
            )


def build(args: argparse.Namespace) -> dict[str, Any]:
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.utils import timezone

    from linli.accounts.choices import MembershipKind
    from linli.accounts.models import Membership, User
    from linli.core.roles import Role
    from linli.fieldwork.models import Visit
    from linli.geo.models import Building, Community, District, Grid, Household, Street
    from linli.people.defaults import tags_ensure_defaults
    from linli.people.models import Resident, ResidentTag, Tag

    rng = random.Random(SEED)
    now = timezone.now()
    tags_ensure_defaults()
    district = District.objects.create(code="330199", name="测试区", city="杭州市")
    street = Street.objects.create(district=district, code="001", name="测试街道")
    password = make_password(None)
    grids: list[Grid] = []
    per_row = 40
    size = 0.004
    n_comm = (args.workers + 9) // 10
    communities = Community.objects.bulk_create(
        [Community(street=street, code=f"{i + 1:03d}", name=f"社区{i + 1}") for i in range(n_comm)]
    )
    for i in range(args.workers):
        c = communities[i // 10]
        lon, lat = 120.0 + (i % per_row) * size, 30.0 + (i // per_row) * size
        ring = [
            [lon, lat],
            [lon + size, lat],
            [lon + size, lat + size],
            [lon, lat + size],
            [lon, lat],
        ]
        grids.append(
            Grid(
                community=c,
                code=f"{i % 10 + 1:03d}",
                unit_code=f"330199001{c.code}{i % 10 + 1:03d}",
                name=f"{c.name}{i % 10 + 1}号网格",
                geometry={"type": "Polygon", "coordinates": [ring]},
                min_lon=lon,
                min_lat=lat,
                max_lon=lon + size,
                max_lat=lat + size,
            )
        )
    grids = Grid.objects.bulk_create(grids, batch_size=1000)
    users = User.objects.bulk_create(
        [
            User(
                username=f"bench_gw_{i:04d}",
                role=Role.GRID_WORKER,
                full_name=f"网格员{i}",
                password=password,
            )
            for i in range(args.workers)
        ],
        batch_size=1000,
    )
    Membership.objects.bulk_create(
        [
            Membership(user=u, kind=MembershipKind.GRID_WORKER, grid=g)
            for u, g in zip(users, grids, strict=True)
        ],
        batch_size=1000,
    )
    buildings = Building.objects.bulk_create(
        [
            Building(
                grid=g,
                name=f"{b + 1}幢",
                lat=g.min_lat + size * (0.1 + 0.8 * (b // 5) / 4),
                lon=g.min_lon + size * (0.1 + 0.8 * (b % 5) / 4),
            )
            for g in grids
            for b in range(BUILDINGS_PER_GRID)
        ],
        batch_size=5000,
    )
    hh_cols = ["id", "created_at", "updated_at", "building_id", "unit", "room"]
    hh_total = len(buildings) * HOUSEHOLDS_PER_BUILDING
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM geo_household")
        hh_base = cursor.fetchone()[0] + 1
    copy_rows(
        Household,
        hh_cols,
        (
            (
                hh_base + i,
                now,
                now,
                buildings[i // HOUSEHOLDS_PER_BUILDING].pk,
                "1单元",
                f"{i % HOUSEHOLDS_PER_BUILDING + 101}",
            )
            for i in range(hh_total)
        ),
    )
    fields = {f.column: f for f in Resident._meta.concrete_fields}
    r_cols = list(fields)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM people_resident")
        r_base = cursor.fetchone()[0] + 1
    base_row = {c: (None if f.null else f.get_default()) for c, f in fields.items()}
    ability_of: dict[int, str] = {}

    def resident_rows() -> Iterator[tuple[Any, ...]]:
        for i in range(args.residents):
            row = dict(base_row)
            created = now - dt.timedelta(days=rng.uniform(0, 730))
            ability = "semi" if rng.random() < 0.03 else ""
            row.update(
                id=r_base + i,
                created_at=created,
                updated_at=created,
                household_id=hh_base + (i % hh_total),
                full_name=f"居民{i}",
                sex="F" if i % 2 else "M",
                birth_year=rng.randint(1930, 2020),
                is_head=False,
                ability=ability,
                alerts_audience="family",
                optional_audience="grid",
            )
            if ability:
                ability_of[r_base + i] = ability
            yield tuple(row[c] for c in r_cols)

    copy_rows(Resident, r_cols, resident_rows())
    alone = Tag.objects.get(code="alone_elderly").pk
    dibao = Tag.objects.get(code="dibao").pk
    tag_rows = []
    for i in range(args.residents):
        x = rng.random()
        if x < 0.04:
            tag_rows.append((now, now, r_base + i, alone))
        elif x < 0.08:
            tag_rows.append((now, now, r_base + i, dibao))
    copy_rows(ResidentTag, ["created_at", "updated_at", "resident_id", "tag_id"], iter(tag_rows))
    grid_of_hh = {}
    for b_index, b in enumerate(buildings):
        for k in range(HOUSEHOLDS_PER_BUILDING):
            grid_of_hh[hh_base + b_index * HOUSEHOLDS_PER_BUILDING + k] = (
                b.grid_id,
                users[b_index // BUILDINGS_PER_GRID].pk,
            )

    def visit_rows() -> Iterator[tuple[Any, ...]]:
        for i in range(args.residents):
            if rng.random() < 0.4:
                g, w = grid_of_hh[hh_base + (i % hh_total)]
                at = now - dt.timedelta(days=rng.uniform(0, 120))
                yield (
                    uuid.UUID(int=rng.getrandbits(128)),
                    now,
                    now,
                    r_base + i,
                    g,
                    w,
                    "seen",
                    at,
                    "",
                )

    visits = copy_rows(
        Visit,
        [
            "uuid",
            "created_at",
            "updated_at",
            "resident_id",
            "grid_id",
            "worker_id",
            "outcome",
            "at",
            "note",
        ],
        visit_rows(),
    )
    reset_sequences(Household, Resident)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    return {"grids": len(grids), "residents": args.residents, "visits": visits, "users": users}


def time_list(path: str, user: Any, n: int) -> tuple[float, float, int]:
    from django.test import Client

    client = Client()
    client.force_login(user)
    client.get(path)  # warm
    timings = []
    for _ in range(n):
        t0 = time.perf_counter()
        r = client.get(path)
        timings.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200, r.status_code
    timings.sort()
    return percentile(timings, 0.5), percentile(timings, 0.95), len(timings)


def main() -> None:
    args = parse()
    url = args.database_url
    took = build_database(url, demo=False, smoke=args.smoke)
    print("database: " + ", ".join(f"{k} {v:.1f} s" for k, v in took.items()), flush=True)
    django_setup(url)
    t0 = time.perf_counter()
    info = build(args)
    print(
        f"built: {info['grids']:,} grids/workers, {info['residents']:,} residents, "
        f"{info['visits']:,} visits in {time.perf_counter() - t0:.1f} s",
        flush=True,
    )
    from linli.fieldwork.models import DayTask
    from linli.fieldwork.services.today import sweep

    t0 = time.perf_counter()
    written = sweep()
    sweep_s = time.perf_counter() - t0
    verdict = "OK" if sweep_s < AIM_SWEEP_S else "OVER"
    print(
        f"sweep: {written:,} items for {info['grids']:,} workers in {sweep_s:.1f} s"
        f" (aim < {AIM_SWEEP_S:.0f} s) {verdict}",
        flush=True,
    )
    t0 = time.perf_counter()
    again = sweep()
    print(
        f"sweep again (kept current): {again:,} new items in {time.perf_counter() - t0:.1f} s",
        flush=True,
    )
    user = info["users"][len(info["users"]) // 2]
    items = DayTask.objects.filter(worker=user, done_at__isnull=True).count()
    for label, path in (
        ("page /fieldwork/today/", "/fieldwork/today/"),
        ("API /api/fieldwork/today", "/api/fieldwork/today"),
    ):
        p50, p95, n = time_list(path, user, args.requests)
        verdict = "OK" if p95 < AIM_LIST_MS else "OVER"
        print(
            f"one worker's list ({items} items), {label}: n={n} p50 {p50:.1f} ms"
            f" p95 {p95:.1f} ms (aim < {AIM_LIST_MS:.0f} ms) {verdict}",
            flush=True,
        )
    if not args.keep:
        from django.db import connections

        connections.close_all()
        pg_drop(url)


if __name__ == "__main__":
    main()
