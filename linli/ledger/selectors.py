"""Reading the ledger: balances, histories, and the integrity check (LEDGER-5).

These take accounts the caller has already been allowed to see; the programmes' selectors
decide who may see which account.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from linli.ledger.models import Account, Entry


@dataclass(frozen=True)
class HistoryRow:
    entry_id: int
    transaction_id: int
    created_at: dt.datetime
    kind: str
    memo: str
    amount: int  # signed; + is a credit to the account
    balance: int  # the account's balance right after this entry


def account_balance(*, account: Account) -> int:
    """The cached balance, read fresh (one indexed row)."""
    value = Account.objects.filter(pk=account.pk).values_list("balance", flat=True).first()
    return int(value or 0)


def account_history(
    *, account: Account, limit: int = 50, before_id: int | None = None
) -> list[HistoryRow]:
    """Newest first; page on with `before_id` = the last row's entry_id."""
    rows = Entry.objects.filter(account_id=account.pk)
    if before_id is not None:
        rows = rows.filter(id__lt=before_id)
    values = rows.order_by("-id").values_list(
        "id",
        "transaction_id",
        "created_at",
        "transaction__kind",
        "transaction__memo",
        "amount",
        "balance_after",
    )[: max(1, min(limit, 500))]
    return [HistoryRow(*row) for row in values]


def accounts_for_user(*, user: Any) -> list[Account]:
    return list(Account.objects.filter(user_id=user.pk).order_by("book", "id"))


@dataclass
class CheckResult:
    transactions: int = 0
    entries: int = 0
    accounts: int = 0
    breaks: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.breaks


def _rows(sql: str) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return list(cursor.fetchall())


# Each query names the rows that break one rule; all are plain aggregates that run on
# SQLite and PostgreSQL alike and stay fast with millions of entries.
UNBALANCED = """
SELECT transaction_id, book, SUM(amount) FROM ledger_entry
GROUP BY transaction_id, book HAVING SUM(amount) <> 0 ORDER BY transaction_id
"""
EMPTY = """
SELECT t.id FROM ledger_transaction t
WHERE NOT EXISTS (SELECT 1 FROM ledger_entry e WHERE e.transaction_id = t.id) ORDER BY t.id
"""
WRONG_BOOK = """
SELECT e.id, e.transaction_id, e.account_id, e.book, a.book FROM ledger_entry e
JOIN ledger_account a ON a.id = e.account_id WHERE e.book <> a.book ORDER BY e.id
"""
ZERO = "SELECT id, transaction_id FROM ledger_entry WHERE amount = 0 ORDER BY id"
CACHE = """
SELECT a.id, a.balance, COALESCE(s.total, 0) FROM ledger_account a
LEFT JOIN (SELECT account_id, SUM(amount) AS total FROM ledger_entry GROUP BY account_id) s
  ON s.account_id = a.id
WHERE a.balance <> COALESCE(s.total, 0) ORDER BY a.id
"""
BELOW = """
SELECT id, balance, min_balance FROM ledger_account
WHERE min_balance IS NOT NULL AND balance < min_balance ORDER BY id
"""
RUNNING = """
SELECT id, account_id, balance_after, running FROM (
  SELECT id, account_id, balance_after,
         SUM(amount) OVER (PARTITION BY account_id ORDER BY id) AS running
  FROM ledger_entry) r
WHERE balance_after <> running ORDER BY id
"""
MIRROR = """
SELECT t.id, t.reverses_id, e.account_id FROM ledger_transaction t
JOIN ledger_entry e ON e.transaction_id = t.id OR e.transaction_id = t.reverses_id
WHERE t.reverses_id IS NOT NULL
GROUP BY t.id, t.reverses_id, e.account_id HAVING SUM(e.amount) <> 0 ORDER BY t.id
"""
COUNTS = """
SELECT (SELECT COUNT(*) FROM ledger_transaction), (SELECT COUNT(*) FROM ledger_entry),
       (SELECT COUNT(*) FROM ledger_account)
"""


def ledger_verify(*, limit: int = 100) -> CheckResult:
    """Check every rule of the ledger; each break names its transaction, entry or account."""
    counts = _rows(COUNTS)[0]
    result = CheckResult(transactions=counts[0], entries=counts[1], accounts=counts[2])
    out = result.breaks
    for txn, book, total in _rows(UNBALANCED)[:limit]:
        out.append(
            f"交易 #{txn} 在账本 {book} 不平衡（合计 {total}）/ transaction {txn} unbalanced"
        )
    for (txn,) in _rows(EMPTY)[:limit]:
        out.append(f"交易 #{txn} 没有分录 / transaction {txn} has no entries")
    for entry, txn, account, ebook, abook in _rows(WRONG_BOOK)[:limit]:
        out.append(
            f"分录 #{entry}（交易 #{txn}）账本 {ebook} 与账户 #{account} 的账本 {abook} 不符"
            f" / entry {entry} book mismatch"
        )
    for entry, txn in _rows(ZERO)[:limit]:
        out.append(f"分录 #{entry}（交易 #{txn}）金额为零 / entry {entry} is zero")
    for account, cached, total in _rows(CACHE)[:limit]:
        out.append(
            f"账户 #{account} 缓存余额 {cached} ≠ 分录合计 {total}"
            f" / account {account} cached balance differs from its entries"
        )
    for account, balance, floor in _rows(BELOW)[:limit]:
        out.append(
            f"账户 #{account} 余额 {balance} 低于下限 {floor} / account {account} below its limit"
        )
    for entry, account, after, running in _rows(RUNNING)[:limit]:
        out.append(
            f"分录 #{entry} 记录的余额 {after} ≠ 累计 {running}（账户 #{account}）"
            f" / entry {entry} running balance wrong"
        )
    for txn, original, account in _rows(MIRROR)[:limit]:
        out.append(
            f"冲正交易 #{txn} 与原交易 #{original} 在账户 #{account} 上不对应"
            f" / reversal {txn} does not mirror transaction {original}"
        )
    return result
