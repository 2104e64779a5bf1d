"""A posting's statements in plain SQL (LEDGER-5).

transaction_post runs on every movement of value; building these through the ORM cost several
times the CPU of the statements themselves. On PostgreSQL a posting is one call of the
function `linli_ledger_post` (migration 0005): one round trip, and the accounts' row locks are
held for that call and its commit only, which is what bounds a hot account. On SQLite the four
statements below run one by one (its writers are serialised anyway).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

from django.db import connection
from django.db.models import DateTimeField, Field

from linli.ledger.models import Account, Entry, Transaction

ACCOUNT = Account._meta.db_table
ENTRY = Entry._meta.db_table
TRANSACTION = Transaction._meta.db_table
TRANSACTION_COLUMNS = [
    "created_at",
    "updated_at",
    "idempotency_key",
    "kind",
    "memo",
    "actor_id",
    "reverses_id",
    "fingerprint",
]


# "ok", or why nothing was posted: "missing" account, "book" mismatch, "insufficient"
# balance, key (or reversal target) "taken" by an earlier posting.
Outcome = tuple[Literal["ok", "missing", "book", "insufficient", "taken"], list[int]]


@dataclass(frozen=True)
class Locked:
    book: str
    balance: int
    min_balance: int | None


def _marks(n: int) -> str:
    return ", ".join(["%s"] * n)


def _time(value: Any) -> Any:
    return DateTimeField().get_db_prep_value(value, connection)


def lock_accounts(ids: list[int]) -> dict[int, Locked]:
    """Lock the accounts' rows in id order (so postings never deadlock) and read them."""
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    sql = (
        f"SELECT id, book, balance, min_balance FROM {ACCOUNT}"  # noqa: S608
        f" WHERE id IN ({_marks(len(ids))}) ORDER BY id{lock}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, ids)
        return {row[0]: Locked(*row[1:]) for row in cursor.fetchall()}


def claim(txn: Transaction) -> bool:
    """Insert the transaction row unless its key (or its reversal target) is taken.

    A concurrent insert of the same key waits for the other database transaction, then does
    nothing; no savepoint is needed.
    """
    fields = [
        cast(Field[Any, Any], Transaction._meta.get_field(c.removesuffix("_id")))
        for c in TRANSACTION_COLUMNS
    ]
    values = [f.get_db_prep_save(getattr(txn, f.attname), connection) for f in fields]
    sql = (
        f"INSERT INTO {TRANSACTION} ({', '.join(TRANSACTION_COLUMNS)})"  # noqa: S608
        f" VALUES ({_marks(len(values))}) ON CONFLICT DO NOTHING RETURNING id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        return False
    txn.pk = row[0]
    txn._state.adding = False
    txn._state.db = connection.alias
    return True


def insert_entries(rows: list[tuple[int, int, str, int, int]], now: Any) -> None:
    """rows: (transaction id, account id, book, amount, balance after)."""
    created = _time(now)
    values = ", ".join([f"({_marks(6)})"] * len(rows))
    params = [v for row in rows for v in (*row, created)]
    sql = (
        f"INSERT INTO {ENTRY} (transaction_id, account_id, book, amount, balance_after,"  # noqa: S608
        f" created_at) VALUES {values}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def set_balances(balances: dict[int, int], now: Any) -> None:
    cases = " ".join(["WHEN %s THEN %s"] * len(balances))
    params: list[Any] = [v for item in balances.items() for v in item]
    params += [_time(now), *balances]
    sql = (
        f"UPDATE {ACCOUNT} SET balance = CASE id {cases} END, updated_at = %s"  # noqa: S608
        f" WHERE id IN ({_marks(len(balances))})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def post(txn: Transaction, legs: Sequence[tuple[Account, int]]) -> Outcome:
    """PostgreSQL: lock, check, claim the key, append entries and move the cached balances in
    one call. Refusals are answers, not errors, so a caller's transaction stays usable.
    Returns the balances after the posting, in the order of `legs`."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT outcome, txn_id, balances FROM linli_ledger_post("
            "%s, %s, %s, %s, %s, %s, %s, %s::bigint[], %s::text[], %s::bigint[])",
            [
                txn.idempotency_key,
                txn.kind,
                txn.memo,
                txn.actor_id,
                txn.reverses_id,
                txn.fingerprint,
                txn.created_at,
                [account.pk for account, _amount in legs],
                [account.book for account, _amount in legs],
                [amount for _account, amount in legs],
            ],
        )
        outcome, pk, balances = cursor.fetchone()
    if outcome == "ok":
        txn.pk = pk
        txn._state.adding = False
        txn._state.db = connection.alias
    return outcome, balances or []
