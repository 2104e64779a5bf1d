"""Posting to the double-entry ledger (LEDGER-5).

Every movement of value is one balanced transaction: its entries sum to zero in each book,
accounts are locked in id order, limits are checked under the locks, entries are appended and
cached balances updated in the same database transaction. A request carries an idempotency key;
a repeat returns the first transaction, a repeat with different content is a Conflict.
"""

import hashlib
import json
from collections.abc import Sequence
from contextlib import nullcontext
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.audit.services import audit_record
from linli.core.errors import Conflict, ValidationFailed
from linli.ledger.choices import REVERSAL_SUFFIX, AuditAction, Book
from linli.ledger.models import Account, Transaction
from linli.ledger.services import posting_sql as sql

MAX_AMOUNT = 10**15  # far above any real figure, far below the 64-bit limit
Leg = tuple[Account, int]


def account_for_user(*, user: Any, book: str) -> Account:
    """The person's own account in `book` ("user:<id>"), created on first use."""
    _check_book(book)
    account, _created = Account.objects.get_or_create(
        book=book,
        key=f"user:{user.pk}",
        defaults={"name": user.display_name, "user": user, "min_balance": 0},
    )
    return account


def account_system(
    *,
    key: str,
    book: str,
    name: str,
    community: Any = None,
    min_balance: int | None = 0,
) -> Account:
    """An organisation's or system account by (book, key), created on first use.

    Issuers and outside sources pass `min_balance=None` (they may go below zero).
    """
    _check_book(book)
    if not key or len(key) > 100:
        raise ValidationFailed(_("账户标识不能为空，且不超过100个字符。"), field="key")
    account, _created = Account.objects.get_or_create(
        book=book,
        key=key,
        defaults={"name": name, "community": community, "min_balance": min_balance},
    )
    return account


def account_set_limit(*, actor: Any, account: Account, min_balance: int | None) -> Account:
    """Change how low an account may go (a rule allowing credit); audited."""
    if min_balance is not None and (_not_int(min_balance) or abs(min_balance) > MAX_AMOUNT):
        raise ValidationFailed(_("最低余额必须是整数。"), field="min_balance")
    with transaction.atomic():
        locked = Account.objects.select_for_update().get(pk=account.pk)
        before = locked.min_balance
        locked.min_balance = min_balance
        locked.save(update_fields=["min_balance", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.ACCOUNT_LIMIT,
            obj=locked,
            data={"before": before, "after": min_balance},
        )
    account.min_balance = min_balance
    return locked


def transaction_post(
    *,
    actor: Any,
    idempotency_key: str,
    kind: str,
    memo: str,
    legs: Sequence[Leg],
) -> Transaction:
    """Post one balanced transaction. `legs` are (account, signed amount); + is a credit."""
    return _post(actor=actor, key=idempotency_key, kind=kind, memo=memo, legs=legs, reverses=None)


def transaction_reverse(
    *,
    actor: Any,
    transaction: Transaction,
    idempotency_key: str,
    memo: str = "",
) -> Transaction:
    """Post the negated legs of `transaction`, at most once; limits still apply."""
    original = transaction
    existing = _existing(idempotency_key)
    if existing is None:
        if original.reverses_id is not None:
            raise ValidationFailed(_("冲正交易不能再次冲正。"))
        if Transaction.objects.filter(reverses=original).exists():
            raise Conflict(_("这笔交易已经冲正过了。"))
    legs = [
        (entry.account, -entry.amount)
        for entry in original.entries.select_related("account").order_by("id")
    ]
    kind = f"{original.kind}{REVERSAL_SUFFIX}"[:60]
    return _post(
        actor=actor,
        key=idempotency_key,
        kind=kind,
        memo=memo or f"冲正：{original.memo}"[:200],
        legs=legs,
        reverses=original,
    )


def _post(
    *,
    actor: Any,
    key: str,
    kind: str,
    memo: str,
    legs: Sequence[Leg],
    reverses: Transaction | None,
) -> Transaction:
    _check_request(key=key, kind=kind, memo=memo)
    amounts = _check_legs(legs)
    now = timezone.now()
    txn = Transaction(
        idempotency_key=key,
        kind=kind,
        memo=memo,
        actor=actor if getattr(actor, "pk", None) else None,
        reverses=reverses,
        fingerprint=_fingerprint(kind=kind, legs=legs, reverses=reverses),
        created_at=now,
        updated_at=now,
    )
    # A reversal's audit entry shares the posting's database transaction; a plain posting on
    # PostgreSQL is one statement, atomic by itself (no BEGIN/COMMIT round trips).
    one_call = connection.vendor == "postgresql"
    with transaction.atomic() if reverses is not None or not one_call else nullcontext():
        if one_call:
            outcome, balances = sql.post(txn, legs)
        else:
            outcome, balances = _post_statements(txn, legs, sorted(amounts))
        if outcome != "ok":
            return _refused(outcome, txn)
        # A posting is its own record (actor, kind, time; append-only rows). The hash-chained
        # audit log takes corrections only: one shared chain head per posting would queue
        # every posting in the city behind one row lock.
        if reverses is not None:
            audit_record(
                actor=actor,
                action=AuditAction.TRANSACTION_REVERSE,
                obj=txn,
                data={"kind": kind, "legs": len(legs), "reverses": reverses.pk},
            )
    for (account, _amount), balance in zip(legs, balances, strict=True):
        account.balance = balance
    return txn


def _post_statements(txn: Transaction, legs: Sequence[Leg], ids: list[int]) -> sql.Outcome:
    """What linli_ledger_post does on PostgreSQL, statement by statement (SQLite)."""
    locked = sql.lock_accounts(ids)
    if len(locked) != len(ids):
        return "missing", []
    if any(locked[account.pk].book != account.book for account, _amount in legs):
        return "book", []
    # The key is claimed before limits are checked: a repeat (even one that waited for our
    # locks) gets the first result back, not a misleading "余额不足".
    if not sql.claim(txn):
        return "taken", []
    for account, amount in legs:
        row = locked[account.pk]
        if amount < 0 and row.min_balance is not None and row.balance + amount < row.min_balance:
            raise _insufficient()  # raised, not returned: the claimed key must roll back
    balances = [locked[account.pk].balance + amount for account, amount in legs]
    rows = [
        (txn.pk, account.pk, account.book, amount, balance)
        for (account, amount), balance in zip(legs, balances, strict=True)
    ]
    sql.insert_entries(rows, txn.created_at)
    sql.set_balances(
        {account.pk: b for (account, _a), b in zip(legs, balances, strict=True)}, txn.created_at
    )
    return "ok", balances


def _refused(outcome: str, txn: Transaction) -> Transaction:
    """The answer to a posting the database did not make: the first result of a repeat, or
    why not."""
    if outcome == "taken":
        existing = _existing(txn.idempotency_key)
        if existing is not None:
            return _same_or_conflict(existing, txn.fingerprint)
        raise Conflict(_("这笔交易已经冲正过了。"))
    if outcome == "missing":
        raise ValidationFailed(_("账户不存在。"), field="legs")
    if outcome == "book":
        raise ValidationFailed(_("账户与账本不一致。"), field="legs")
    raise _insufficient()


def _insufficient() -> ValidationFailed:
    return ValidationFailed(_("余额不足，无法完成这笔操作。"), code="insufficient")


def _existing(key: str) -> Transaction | None:
    return Transaction.objects.filter(idempotency_key=key).first()


def _same_or_conflict(existing: Transaction, fingerprint: str) -> Transaction:
    if existing.fingerprint != fingerprint:
        raise Conflict(
            _("这个请求编号已用于另一笔内容不同的交易，请刷新后重新提交。"),
            field="idempotency_key",
        )
    return existing


def _check_book(book: str) -> None:
    if book not in Book.values:
        raise ValidationFailed(_("账本不存在。"), field="book")


def _not_int(value: Any) -> bool:
    return not isinstance(value, int) or isinstance(value, bool)


def _check_request(*, key: str, kind: str, memo: str) -> None:
    if not isinstance(key, str) or not key.strip() or len(key) > 100:
        raise ValidationFailed(_("请求编号不能为空，且不超过100个字符。"), field="idempotency_key")
    if not kind or len(kind) > 60:
        raise ValidationFailed(_("交易类型不能为空，且不超过60个字符。"), field="kind")
    if len(memo) > 200:
        raise ValidationFailed(_("摘要不能超过200个字。"), field="memo")


def _check_legs(legs: Sequence[Leg]) -> dict[int, int]:
    """Validate the legs; return the net amount per account id."""
    if not legs:
        raise ValidationFailed(_("交易至少要有两笔分录。"), field="legs")
    per_book: dict[str, int] = {}
    per_account: dict[int, int] = {}
    for leg in legs:
        if not isinstance(leg, tuple | list) or len(leg) != 2:
            raise ValidationFailed(_("分录格式不正确。"), field="legs")
        account, amount = leg
        if not isinstance(account, Account) or account.pk is None:
            raise ValidationFailed(_("账户不存在。"), field="legs")
        if _not_int(amount):
            raise ValidationFailed(_("金额必须是整数（分钟、积分或分）。"), field="legs")
        if amount == 0:
            raise ValidationFailed(_("金额不能为零。"), field="legs")
        if abs(amount) > MAX_AMOUNT:
            raise ValidationFailed(_("金额过大。"), field="legs")
        if account.pk in per_account:
            raise ValidationFailed(_("同一账户在一笔交易中只能出现一次。"), field="legs")
        per_account[account.pk] = amount
        per_book[account.book] = per_book.get(account.book, 0) + amount
    if any(total != 0 for total in per_book.values()):
        raise ValidationFailed(_("借贷不平衡：每个账本的分录合计必须为零。"), field="legs")
    return per_account


def _fingerprint(*, kind: str, legs: Sequence[Leg], reverses: Transaction | None) -> str:
    content = {
        "kind": kind,
        "legs": sorted((account.pk, amount) for account, amount in legs),
        "reverses": getattr(reverses, "pk", None),
    }
    text = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
