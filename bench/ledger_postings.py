"""Benchmark LEDGER-5 postings: concurrent 2-leg transfers through transaction_post on PostgreSQL.

    DEBUG=1 .venv/bin/python bench/ledger_postings.py [--clients 8] [--seconds 15]
        [--accounts 1000] [--keep] [--smoke]

Recreates the database of --database-url (default linli_bench_ledger_post on 127.0.0.1),
migrates it, opens --accounts points accounts (min_balance 0) and funds them all from the
issuer in one posting. Then two runs of --seconds each, --clients spawned processes (each its
own connection, released together by a barrier), every posting a real transaction_post with
its own idempotency key (row locks, limit check, entries, cached balances, audit record):

  pool  transfers between two random accounts of the pool
  hot   every transfer leaves one hot account (all clients fight for its row lock)

Prints postings/s, p50/p95/max latency and refusals per run, then verifies the ledger with
ledger_verify (every transaction balances, cached balances equal their entries, no account
below its limit) and counts rows: transactions and entries must be exactly the funding
postings plus the successful ones, two entries each (nothing lost, nothing doubled).
Drops the database at the end unless --keep.
"""

import argparse
import multiprocessing
import os
import random
import time
from typing import Any

from _common import (
    build_database,
    django_setup,
    parse_args,
    percentile,
    pg_drop,
    read_proc_cpu,
    smoke_url,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/linli_bench_ledger_post"
AIM_PER_SECOND = 1000.0
START_BALANCE = 10**9


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--database-url", default=DEFAULT_URL)
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--seconds", type=float, default=15.0)
    p.add_argument("--accounts", type=int, default=1000)
    p.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return parse_args(p, database_url=smoke_url(DEFAULT_URL), clients=2, seconds=1.0, accounts=10)


def setup_accounts(n: int) -> list[int]:
    from linli.ledger.choices import Book
    from linli.ledger.services.posting import account_system, transaction_post

    issuer = account_system(key="issuer:points", book=Book.POINTS, name="发行", min_balance=None)
    accounts = [
        account_system(key=f"bench:{i}", book=Book.POINTS, name=f"账户{i}") for i in range(n)
    ]
    legs = [(issuer, -START_BALANCE * n), *[(a, START_BALANCE) for a in accounts]]
    transaction_post(
        actor=None, idempotency_key="bench-fund", kind="bench.fund", memo="", legs=legs
    )
    return [a.pk for a in accounts]


def client(args: tuple[str, Any, str, int, list[int], float, int]) -> dict[str, Any]:
    """One client process: post transfers until the time is up; report latencies."""
    url, barrier, run, worker, ids, seconds, hot = args
    django_setup(url)
    from django.db import connection

    from linli.core.errors import ApplicationError
    from linli.ledger.models import Account
    from linli.ledger.services.posting import transaction_post

    accounts = {a.pk: a for a in Account.objects.filter(pk__in=ids)}
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        backend = cur.fetchone()[0]
    rng = random.Random(worker)
    latencies: list[float] = []
    refused = 0
    barrier.wait()
    cpu0, db_cpu0 = time.process_time(), read_proc_cpu(backend)
    end = time.perf_counter() + seconds
    i = 0
    while time.perf_counter() < end:
        src_id = hot if hot else rng.choice(ids)
        dst_id = rng.choice(ids)
        if dst_id == src_id:
            continue
        i += 1
        t0 = time.perf_counter()
        try:
            transaction_post(
                actor=None,
                idempotency_key=f"{run}-{worker}-{i}",
                kind="bench.transfer",
                memo="转账",
                legs=_legs(accounts[src_id], accounts[dst_id], rng.randint(1, 10)),
            )
            latencies.append(time.perf_counter() - t0)
        except ApplicationError:
            refused += 1
    return {
        "latencies": latencies,
        "refused": refused,
        "cpu": time.process_time() - cpu0,
        "db_cpu": read_proc_cpu(backend) - db_cpu0,
    }


def _legs(src: Any, dst: Any, amount: int) -> list[tuple[Any, int]]:
    return [(src, -amount), (dst, amount)]


def run(url: str, name: str, clients: int, ids: list[int], seconds: float, hot: int) -> int:
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as mgr:
        barrier = mgr.Barrier(clients + 1)
        with ctx.Pool(clients) as pool:
            jobs = [(url, barrier, name, w, ids, seconds, hot) for w in range(clients)]
            pending = pool.map_async(client, jobs, chunksize=1)
            barrier.wait()  # every client has set Django up and loaded its accounts
            t0 = time.perf_counter()
            results = pending.get()
            wall = time.perf_counter() - t0
    lat = sorted(x for r in results for x in r["latencies"])
    refused = sum(r["refused"] for r in results)
    rate = len(lat) / wall
    verdict = "ok" if rate >= AIM_PER_SECOND else f"BELOW the {AIM_PER_SECOND:.0f}/s aim"
    print(
        f"{name:>5}: {len(lat):7d} postings in {wall:5.1f} s = {rate:7.0f}/s ({verdict}); "
        f"p50 {percentile(lat, 0.5) * 1000:5.1f} ms, p95 {percentile(lat, 0.95) * 1000:5.1f} ms, "
        f"max {lat[-1] * 1000 if lat else 0:6.1f} ms; refused {refused}"
    )
    # CPU per posting does not depend on what else the machine runs: it bounds the rate
    # this machine (os.cpu_count() cores) could reach with nothing else on it.
    app_ms = sum(r["cpu"] for r in results) / max(1, len(lat)) * 1000
    db_ms = sum(r["db_cpu"] for r in results) / max(1, len(lat)) * 1000
    cores = os.cpu_count() or 1
    print(
        f"       CPU per posting: client {app_ms:.2f} ms + PostgreSQL backend {db_ms:.2f} ms"
        f" = {app_ms + db_ms:.2f} ms -> at most {cores * 1000 / (app_ms + db_ms):.0f}/s on"
        f" {cores} core(s) with the machine to itself"
    )
    return len(lat)


def verify(expected_postings: int) -> None:
    from linli.ledger.models import Entry, Transaction
    from linli.ledger.selectors import ledger_verify

    result = ledger_verify()
    funding = Transaction.objects.filter(kind="bench.fund").count()
    transfers = Transaction.objects.filter(kind="bench.transfer").count()
    transfer_entries = Entry.objects.filter(transaction__kind="bench.transfer").count()
    print(
        f"check: {result.transactions} transactions, {result.entries} entries, "
        f"{result.accounts} accounts; ledger_verify {'passed' if result.ok else 'FAILED'}"
    )
    for line in result.breaks[:20]:
        print("  ", line)
    exact = transfers == expected_postings and transfer_entries == 2 * expected_postings
    print(
        f"check: {transfers} transfer transactions (clients counted {expected_postings}), "
        f"{transfer_entries} entries, {funding} funding posting(s): "
        f"{'nothing lost, nothing doubled' if exact else 'MISMATCH'}"
    )
    if not (result.ok and exact):
        raise SystemExit(1)


def main() -> None:
    args = parse()
    print(f"setting up {args.database_url} ...")
    build_database(args.database_url, demo=False, smoke=args.smoke)
    django_setup(args.database_url)
    ids = setup_accounts(args.accounts)
    from django.db import connections

    connections.close_all()
    print(f"{args.accounts} accounts, {args.clients} client processes, {args.seconds:.0f} s a run")
    done = run(args.database_url, "pool", args.clients, ids, args.seconds, hot=0)
    done += run(args.database_url, "hot", args.clients, ids, args.seconds, hot=ids[0])
    print(f"machine load (1/5/15 min): {os.getloadavg()}, {os.cpu_count()} cores")
    verify(done)
    connections.close_all()
    if not args.keep:
        pg_drop(args.database_url)


if __name__ == "__main__":
    main()
