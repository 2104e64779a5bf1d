"""Benchmark PEOPLE access with 100,000 residents in PostgreSQL (PEOPLE-2/3 speed targets).

    DEBUG=1 .venv/bin/python bench/people_access.py [--residents 100000] [--requests 200]
        [--keep] [--smoke]

Recreates the database of --database-url (default linli_bench_people on 127.0.0.1), migrates
it and runs `manage.py demo` (4,694 residents in 24 grids); then adds households to the demo
buildings and COPYs residents into them until there are --residents in all, every one with an
ID number, phone and, for the elderly, health conditions, encrypted by the model fields
themselves (`get_db_prep_save`: the same AES-GCM path as any save) and the keyed ID hash.

Then times, in-process, with DEBUG off, the real code paths (each audited as in production):
- `residents_list` for the demo grid worker: first page, a later page, a name search;
- `resident_by_id_number` with random ID numbers of the community worker's community;
- `resident_read` of random records by the community worker;
- the crypto per record view: decrypting every encrypted value a record view loads (the
  resident's fields and the contacts' phones), against `present()` on the loaded record.
Targets: list p95 < 100 ms, lookup p95 < 10 ms, crypto per view < 1 ms.
"""

import argparse
import os
import random
import statistics
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from _common import build_database, django_setup, parse_args, percentile, pg_drop, smoke_url

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/linli_bench_people"
SEED = 2028
PER_HOUSEHOLD = 2.6
COPY_BATCH = 20_000
HEALTH = ("高血压", "糖尿病", "冠心病", "慢阻肺")


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--database-url", default=DEFAULT_URL)
    p.add_argument("--residents", type=int, default=100_000)
    p.add_argument("--requests", type=int, default=200, help="timed calls per measurement")
    p.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return parse_args(p, database_url=smoke_url(DEFAULT_URL), residents=5000, requests=5)


# ---------------------------------------------------------------- data


def add_households(n: int, rng: random.Random) -> list[int]:
    """n new households spread over the demo buildings (units 5–9, so none collides)."""
    from linli.geo.models import Building, Household

    buildings = list(Building.objects.values_list("pk", flat=True))
    made = [
        Household(
            building_id=buildings[i % len(buildings)],
            unit=f"{5 + (i // 4000) % 5}单元",
            room=f"B{i:06d}",
        )
        for i in range(n)
    ]
    Household.objects.bulk_create(made, batch_size=5000)
    rng.shuffle(made)
    return [h.pk for h in made]


def resident_rows(n: int, households: list[int], rng: random.Random) -> Any:
    """Yield the COPY column names, then n rows of DB-ready values (encrypted by the fields)."""
    from django.db import connection

    from linli.demo import names as catalog
    from linli.people.models import Resident
    from linli.people.services.records import id_number_hash
    from linli.people.validation import id_check_digit, phone_mask

    fields = [f for f in Resident._meta.concrete_fields if not f.primary_key]
    yield [f.column for f in fields]
    surnames = [s for s, _w in catalog.SURNAMES]
    used: set[str] = set()
    for i in range(n):
        sex = rng.choice("MF")
        year = rng.randint(1930, 2024)
        cohort = "elder" if year <= 1960 else "mid" if year <= 1985 else "young"
        while True:  # 330102 (上城区): never one of the demo's 330106 numbers
            day = rng.randrange(365)
            born = time.strftime("%m%d", time.gmtime(86400 * day))
            first17 = f"330102{year}{born}{rng.randrange(100):02d}"
            first17 += str(rng.randrange(0, 10, 2) + (1 if sex == "M" else 0))
            if first17 not in used:
                used.add(first17)
                break
        id_number = first17 + id_check_digit(first17)
        phone = f"1{rng.choice('3589')}{rng.randrange(10**9):09d}" if year < 2012 else ""
        resident = Resident(
            household_id=households[i % len(households)],
            full_name=rng.choice(surnames) + rng.choice(catalog.GIVEN_NAMES[(cohort, sex)]),
            sex=sex,
            birth_year=year,
            is_head=False,
            phone=phone,
            phone_masked=phone_mask(phone),
            id_number=id_number,
            id_number_hash=id_number_hash(id_number),
            health_conditions=rng.choice(HEALTH) if year <= 1966 and rng.random() < 0.5 else "",
            ability="self_care" if year <= 1966 else "",
        )
        yield tuple(f.get_db_prep_save(f.pre_save(resident, True), connection) for f in fields)


def bulk_load(n: int, rng: random.Random) -> tuple[float, float]:
    """Households and n residents; returns (seconds to build rows incl. encryption, total)."""
    from django.db import connection, transaction

    t0 = time.perf_counter()
    households = add_households(max(1, round(n / PER_HOUSEHOLD)), rng)
    rows = resident_rows(n, households, rng)
    columns = next(rows)
    sql = f"COPY people_resident ({', '.join(columns)}) FROM STDIN"
    done, build = 0, 0.0
    while done < n:
        size = min(COPY_BATCH, n - done)
        t1 = time.perf_counter()
        chunk = [next(rows) for _ in range(size)]
        build += time.perf_counter() - t1
        with (
            transaction.atomic(),
            connection.cursor() as cursor,
            cursor.cursor.copy(sql) as copy,
        ):
            for row in chunk:
                copy.write_row(row)
        done += size
        print(f"  {done:>8,} residents copied", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) people_resident")
        cursor.execute("ANALYZE")
    return build, time.perf_counter() - t0


# ---------------------------------------------------------------- timing


def timed(label: str, calls: list[Callable[[], Any]]) -> tuple[str, int, float, float, float]:
    for call in calls[:3]:  # warm
        call()
    times: list[float] = []
    for call in calls:
        t0 = time.perf_counter()
        call()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return label, len(times), percentile(times, 0.5), percentile(times, 0.95), times[-1]


def crypto_per_view(ids: list[int]) -> tuple[list[float], list[float], list[int]]:
    """Per record: ms to decrypt every encrypted value a record view loads, and ms of
    `present()` on the record already loaded (plaintext in memory)."""
    from django.db import connection

    from linli.accounts.models import User
    from linli.core.crypto import EncryptedTextField
    from linli.people.models import Contact, Resident
    from linli.people.selectors import access_for
    from linli.people.services.records import present

    enc = [f for f in Resident._meta.concrete_fields if isinstance(f, EncryptedTextField)]
    contact_phone = Contact._meta.get_field("phone")
    worker = User.objects.get(username="community_worker")
    columns = ", ".join(str(f.column) for f in enc)
    decrypt_ms, present_ms, values = [], [], []
    for pk in ids:
        with connection.cursor() as cursor:  # raw tokens: nothing decrypted yet
            cursor.execute(
                f"SELECT {columns} FROM people_resident WHERE id = %s",
                [pk],
            )
            tokens = [(f, v) for f, v in zip(enc, cursor.fetchone(), strict=True) if v]
            cursor.execute("SELECT phone FROM people_contact WHERE resident_id = %s", [pk])
            tokens += [(contact_phone, v) for (v,) in cursor.fetchall() if v]
        t0 = time.perf_counter()
        for f, token in tokens:
            f.from_db_value(token, None, connection)
        decrypt_ms.append((time.perf_counter() - t0) * 1000)
        values.append(len(tokens))
        resident = (
            Resident.objects.select_related("household__building")
            .prefetch_related("contacts", "tag_links__tag")
            .get(pk=pk)
        )
        access = access_for(actor=worker, resident=resident)
        access.fields = list({*access.fields, "id_number", "health_conditions"})  # a grant's
        t0 = time.perf_counter()
        present(resident, access)
        present_ms.append((time.perf_counter() - t0) * 1000)
    return sorted(decrypt_ms), sorted(present_ms), values


def main() -> None:
    args = parse()
    url = args.database_url
    t_all = time.perf_counter()
    took = build_database(url, smoke=args.smoke)  # with bench_keys(), as this process
    print("database: " + ", ".join(f"{k} {v:.1f} s" for k, v in took.items()), flush=True)
    django_setup(url)
    from django.db import connections

    from linli.accounts.models import User
    from linli.people.models import Resident
    from linli.people.selectors import resident_by_id_number, visible_to
    from linli.people.services.records import resident_read, residents_list

    rng = random.Random(SEED)
    existing = Resident.objects.count()
    to_add = max(0, args.residents - existing)
    print(f"demo residents: {existing:,}; adding {to_add:,} …", flush=True)
    build_s, load_s = bulk_load(to_add, rng)
    total = Resident.objects.count()
    gw = User.objects.get(username="grid_worker")
    cw = User.objects.get(username="community_worker")
    in_grid = visible_to(gw).count()
    community_ids = list(visible_to(cw).values_list("pk", flat=True))
    sample = rng.sample(community_ids, min(len(community_ids), args.requests))
    numbers = [r.id_number for r in Resident.objects.filter(pk__in=sample)]
    pages = max(1, (in_grid + 49) // 50)
    later = max(1, pages * 2 // 3)
    n = args.requests
    results = [
        timed("list, grid worker, page 1", [lambda: residents_list(actor=gw)] * n),
        timed(
            f"list, grid worker, page {later}", [lambda: residents_list(actor=gw, page=later)] * n
        ),
        timed(
            "list, grid worker, name search '王'", [lambda: residents_list(actor=gw, q="王")] * n
        ),
        timed(
            "lookup by ID number",
            [partial(resident_by_id_number, actor=cw, id_number=x) for x in numbers],
        ),
        timed(
            "record view (resident_read)",
            [partial(resident_read, actor=cw, resident_id=pk, purpose="bench") for pk in sample],
        ),
    ]
    found = sum(resident_by_id_number(actor=cw, id_number=x) is not None for x in numbers)
    decrypt_ms, present_ms, values = crypto_per_view(sample)
    load_after = os.getloadavg()
    connections.close_all()
    if not args.keep:
        pg_drop(url)

    print()
    print("=" * 92)
    print(
        f"people access: {total:,} residents in PostgreSQL ({in_grid:,} in the grid worker's"
        f" grid, {len(community_ids):,} in the community worker's community); DEBUG off"
    )
    print(
        f"load: rows built and encrypted in {build_s:.1f} s, households + COPY + ANALYZE"
        f" {load_s:.1f} s; whole run {time.perf_counter() - t_all:.0f} s"
    )
    print("=" * 92)
    print(f"{'measurement':<44} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for label, count, p50, p95, top in results:
        print(f"{label:<44} {count:>4} {p50:>8.2f} {p95:>8.2f} {top:>8.2f}")
    print(f"(ID lookups that found their resident: {found}/{len(numbers)})")
    print(
        f"{'crypto per record view (decrypt all)':<44} {len(decrypt_ms):>4}"
        f" {percentile(decrypt_ms, 0.5):>8.3f} {percentile(decrypt_ms, 0.95):>8.3f}"
        f" {decrypt_ms[-1]:>8.3f}   ({statistics.mean(values):.1f} values per record)"
    )
    print(
        f"{'present() on the loaded record':<44} {len(present_ms):>4}"
        f" {percentile(present_ms, 0.5):>8.3f} {percentile(present_ms, 0.95):>8.3f}"
        f" {present_ms[-1]:>8.3f}"
    )
    print(
        "targets: list p95 < 100 ms; lookup p95 < 10 ms; crypto per view < 1 ms."
        f" Load average after: {load_after[0]:.2f} on {os.cpu_count()} cores"
    )


if __name__ == "__main__":
    main()
