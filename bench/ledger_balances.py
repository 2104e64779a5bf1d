"""Benchmark LEDGER-5 reads: balances and history pages over 1,000,000 entries in PostgreSQL.

    DEBUG=1 .venv/bin/python bench/ledger_balances.py [--entries 1000000] [--accounts 10000]
        [--reads 2000] [--keep] [--smoke]

Recreates the database of --database-url (default linli_bench_ledger_bal on 127.0.0.1),
migrates it, opens --accounts points accounts and one issuer, then COPYs --entries entries
straight into the tables as balanced 2-leg transactions (issuer -> a random account; one
"busy" account takes a tenth of them), with running balances written as transaction_post
writes them, and sets every cached balance from its entries; VACUUM ANALYZE.

Runs ledger_verify over the whole ledger (timed), then times, in-process with DEBUG off,
--reads calls each of: account_balance on random accounts, account_history (first page of 50)
on random accounts, on the busy account and on the issuer (half of all entries), and a deep
history page (before_id in the middle of the issuer's history). Prints p50/p95/max per read
and the EXPLAIN (ANALYZE, BUFFERS) plan of the issuer's history query. Aim: p95 < 5 ms.
Drops the database at the end unless --keep.
"""

import argparse
import datetime as dt
import os
import random
import time
from collections.abc import Callable, Iterator
from typing import Any

from _common import build_database, django_setup, parse_args, percentile, pg_drop, smoke_url

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/linli_bench_ledger_bal"
SEED = 2028
AIM_MS = 5.0


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--database-url", default=DEFAULT_URL)
    p.add_argument("--entries", type=int, default=1_000_000)
    p.add_argument("--accounts", type=int, default=10_000)
    p.add_argument("--reads", type=int, default=2000)
    p.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return parse_args(p, database_url=smoke_url(DEFAULT_URL), entries=2000, accounts=50, reads=5)


def open_accounts(n: int) -> tuple[int, list[int]]:
    from linli.ledger.choices import Book
    from linli.ledger.models import Account

    issuer = Account.objects.create(
        book=Book.POINTS, key="issuer:points", name="发行", min_balance=None
    )
    Account.objects.bulk_create(
        [Account(book=Book.POINTS, key=f"bench:{i}", name=f"账户{i}") for i in range(n)],
        batch_size=5000,
    )
    ids = list(Account.objects.exclude(pk=issuer.pk).order_by("pk").values_list("pk", flat=True))
    return issuer.pk, ids


def rows(n_txn: int, issuer: int, ids: list[int]) -> Iterator[tuple[tuple[Any, ...], ...]]:
    """Per transaction: its row and its two entry rows, balances running as posting writes."""
    rng = random.Random(SEED)
    busy = ids[0]
    balance: dict[int, int] = {}
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    for t in range(1, n_txn + 1):
        account = busy if rng.random() < 0.2 else rng.choice(ids)
        amount = rng.randint(1, 100)
        at = start + dt.timedelta(seconds=t * 30)
        b_issuer = balance.get(issuer, 0) - amount
        b_account = balance.get(account, 0) + amount
        balance[issuer], balance[account] = b_issuer, b_account
        txn = (t, at, at, f"bench-{t}", "points.award", "志愿服务奖励", "")
        yield (
            txn,
            (2 * t - 1, t, issuer, "points", -amount, b_issuer, at),
            (2 * t, t, account, "points", amount, b_account, at),
        )


def bulk_load(n_entries: int, issuer: int, ids: list[int]) -> float:
    from django.db import connection

    n_txn = n_entries // 2
    t0 = time.perf_counter()
    txn_sql = (
        "COPY ledger_transaction (id, created_at, updated_at, idempotency_key, kind, memo,"
        " fingerprint) FROM STDIN"
    )
    entry_sql = (
        "COPY ledger_entry (id, transaction_id, account_id, book, amount, balance_after,"
        " created_at) FROM STDIN"
    )
    with connection.cursor() as cursor:
        # Two passes over the same deterministic stream: one COPY per table.
        with cursor.cursor.copy(txn_sql) as copy:
            for txn, _a, _b in rows(n_txn, issuer, ids):
                copy.write_row(txn)
        with cursor.cursor.copy(entry_sql) as copy:
            for _txn, a, b in rows(n_txn, issuer, ids):
                copy.write_row(a)
                copy.write_row(b)
        for table in ("ledger_transaction", "ledger_entry"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), MAX(id)) FROM {table}"
            )
        cursor.execute(
            "UPDATE ledger_account a SET balance = s.total FROM (SELECT account_id,"
            " SUM(amount) AS total FROM ledger_entry GROUP BY account_id) s"
            " WHERE s.account_id = a.id"
        )
    return time.perf_counter() - t0


def timed(label: str, n: int, call: Callable[[], Any]) -> float:
    took = []
    cpu0 = time.process_time()
    for _ in range(n):
        t0 = time.perf_counter()
        call()
        took.append((time.perf_counter() - t0) * 1000)
    cpu_ms = (time.process_time() - cpu0) / n * 1000
    took.sort()
    p95 = percentile(took, 0.95)
    verdict = "ok" if p95 < AIM_MS else f"ABOVE the {AIM_MS:.0f} ms aim"
    print(
        f"{label:<44} p50 {percentile(took, 0.5):6.2f} ms  p95 {p95:6.2f} ms"
        f"  max {took[-1]:6.2f} ms  (Python CPU {cpu_ms:.2f} ms; {verdict})"
    )
    return p95


def main() -> None:
    args = parse()
    print(f"setting up {args.database_url} ...", flush=True)
    build_database(args.database_url, demo=False, smoke=args.smoke)
    django_setup(args.database_url)
    from django.db import connection

    from linli.ledger.models import Account, Entry
    from linli.ledger.selectors import account_balance, account_history, ledger_verify

    issuer_id, ids = open_accounts(args.accounts)
    print(f"copying {args.entries:,} entries ...", flush=True)
    copy_s = bulk_load(args.entries, issuer_id, ids)
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) ledger_entry")
        cursor.execute("VACUUM (ANALYZE) ledger_transaction")
        cursor.execute("VACUUM (ANALYZE) ledger_account")
    print(f"loaded in {copy_s:.1f} s, VACUUM ANALYZE {time.perf_counter() - t0:.1f} s")

    t0 = time.perf_counter()
    result = ledger_verify()
    verdict = "passed" if result.ok else f"FAILED: {result.breaks[:5]}"
    print(
        f"ledger_verify over {result.entries:,} entries, {result.transactions:,} transactions,"
        f" {result.accounts:,} accounts: {time.perf_counter() - t0:.1f} s, {verdict}"
    )

    rng = random.Random(SEED)
    accounts = list(Account.objects.filter(pk__in=rng.sample(ids, min(500, len(ids)))))
    issuer = Account.objects.get(pk=issuer_id)
    busy = Account.objects.get(pk=ids[0])
    middle = (Entry.objects.filter(account=issuer).order_by("id").values_list("id", flat=True))[
        Entry.objects.filter(account=issuer).count() // 2
    ]
    counts = {
        "busy": Entry.objects.filter(account=busy).count(),
        "issuer": Entry.objects.filter(account=issuer).count(),
    }
    print(
        f"reads ({args.reads} each): a typical account has ~{args.entries // 2 // args.accounts}"
        f" entries, the busy one {counts['busy']:,}, the issuer {counts['issuer']:,}"
    )
    worst = max(
        timed(
            "account_balance (random account)",
            args.reads,
            lambda: account_balance(account=rng.choice(accounts)),
        ),
        timed(
            "account_history first page (random account)",
            args.reads,
            lambda: account_history(account=rng.choice(accounts)),
        ),
        timed(
            "account_history first page (busy account)",
            args.reads,
            lambda: account_history(account=busy),
        ),
        timed(
            "account_history first page (issuer)",
            args.reads,
            lambda: account_history(account=issuer),
        ),
        timed(
            "account_history page in the middle (issuer)",
            args.reads,
            lambda: account_history(account=issuer, before_id=middle),
        ),
    )
    for name, account in (("a random account", accounts[0]), ("the issuer", issuer)):
        qs = (
            Entry.objects.filter(account_id=account.pk)
            .order_by("-id")
            .values_list("id", "transaction__kind", "amount", "balance_after")[:50]
        )
        print(f"plan of the history page of {name}:")
        print(qs.explain(analyze=True, buffers=True))
    print(f"machine load while reading (1/5/15 min): {os.getloadavg()}, {os.cpu_count()} cores")
    print(f"worst p95 {worst:.2f} ms: {'ok' if worst < AIM_MS else 'ABOVE the aim'}")
    connection.close()
    if not args.keep:
        pg_drop(args.database_url)


if __name__ == "__main__":
    main()
