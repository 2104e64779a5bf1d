"""No double spend with real parallel processes on PostgreSQL (LEDGER-5).

Each child is a spawned Python process with its own database connection to the test
database; the data they need is committed first (transaction=True).
"""

import multiprocessing
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from linli.ledger.choices import Book
from linli.ledger.models import Entry, Transaction
from linli.ledger.selectors import account_balance, ledger_verify
from linli.ledger.services.posting import account_system
from linli.ledger.tests import core_workers
from linli.ledger.tests.factories import fund, issuer, sink

pytestmark = pytest.mark.django_db(transaction=True)
PROCESSES = 8


def _test_database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgresql://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture(scope="module")
def pool(django_db_setup: None) -> Iterator[Any]:
    """PROCESSES spawned workers, Django set up once, each with its own connection."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself; real parallel processes need PostgreSQL")
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(PROCESSES)
    with ctx.Pool(
        PROCESSES, initializer=core_workers.init, initargs=(_test_database_url(), barrier)
    ) as p:
        yield p


def _run(pool: Any, task: Any, args: list[Any]) -> list[tuple[str, Any]]:
    """One task per worker, released together by the barrier; their reports, flattened."""
    assert len(args) == PROCESSES
    out = [r for rows in pool.map(task, args, chunksize=1) for r in rows]
    assert not [r for r in out if r[0] == "error"], out
    return out


def _account(name: str, amount: int) -> Any:
    account = account_system(key=f"user:{name}", book=Book.POINTS, name=name)
    fund(account, amount)
    return account


def test_parallel_spends_from_one_account_never_overdraw(pool):
    account, target = _account("hot", 1000), sink()
    tries, amount = 10, 30  # 80 attempts of 30 against 1000: exactly 33 can succeed
    args = [(w, account.pk, target.pk, tries, amount) for w in range(PROCESSES)]
    out = _run(pool, core_workers.spend_many, args)
    outcome = Counter(kind for kind, _ in out)
    assert outcome == {"ok": 33, "refused": 80 - 33}
    assert {msg for kind, msg in out if kind == "refused"} == {"余额不足，无法完成这笔操作。"}
    assert len({pk for kind, pk in out if kind == "ok"}) == 33
    assert account_balance(account=account) == 1000 - 33 * 30 == 10
    assert account_balance(account=target) == 990
    assert Entry.objects.filter(account=account).count() == 1 + 33
    assert ledger_verify().ok
    call_command("ledger_check")


def test_parallel_repeats_of_one_key_post_exactly_once(pool):
    # The request spends the whole balance: a repeat must get the first result back,
    # not "余额不足".
    account, target = _account("repeat", 100), sink()
    out = _run(pool, core_workers.same_key, [(account.pk, target.pk, 100)] * PROCESSES)
    assert [kind for kind, _ in out] == ["ok"] * PROCESSES
    assert len({pk for _, pk in out}) == 1
    assert Transaction.objects.filter(idempotency_key="shared-key").count() == 1
    assert account_balance(account=account) == 0
    assert ledger_verify().ok


def test_parallel_reversals_of_one_transaction_reverse_it_once(pool):
    account = _account("undo", 500)
    deposit = fund(account, 70)
    out = _run(pool, core_workers.reverse_once, [(w, deposit.pk) for w in range(PROCESSES)])
    assert Counter(kind for kind, _ in out) == {"ok": 1, "refused": PROCESSES - 1}
    assert {name for kind, name in out if kind == "refused"} == {"Conflict"}
    assert Transaction.objects.filter(reverses=deposit).count() == 1
    assert account_balance(account=account) == 500
    assert ledger_verify().ok


def test_transfers_in_every_direction_at_once_neither_deadlock_nor_leak(pool):
    accounts = [_account(f"p{i}", 200) for i in range(4)]
    rounds = 25
    ids = [a.pk for a in accounts]
    out = _run(pool, core_workers.shuffle_transfers, [(w, ids, rounds) for w in range(PROCESSES)])
    assert Counter(kind for kind, _ in out)["ok"] > PROCESSES * rounds // 2
    assert sum(account_balance(account=a) for a in accounts) == 800
    assert account_balance(account=issuer()) == -800
    assert ledger_verify().ok
