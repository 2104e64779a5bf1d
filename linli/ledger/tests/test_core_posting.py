"""The double-entry core (LEDGER-5): posting, limits, idempotency, reversals, append-only."""

from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction

from linli.core.audit.models import AuditEntry
from linli.core.errors import Conflict, ValidationFailed
from linli.ledger.choices import KIND_LABELS, Book, format_amount, kind_label
from linli.ledger.models import Account, AppendOnlyError, Entry, Transaction
from linli.ledger.selectors import account_balance, account_history, accounts_for_user
from linli.ledger.services.posting import (
    account_for_user,
    account_set_limit,
    account_system,
    transaction_post,
    transaction_reverse,
)
from linli.ledger.tests.factories import fund, funded, issuer, person, sink

pytestmark = pytest.mark.django_db


def _state() -> tuple[int, int, int, list[tuple[int, int]]]:
    """Everything a refused request must leave untouched."""
    balances = list(Account.objects.order_by("pk").values_list("pk", "balance"))
    return Transaction.objects.count(), Entry.objects.count(), AuditEntry.objects.count(), balances


def _spend(account: Account, amount: int, key: str = "spend-1") -> Transaction:
    return transaction_post(
        actor=None,
        idempotency_key=key,
        kind="points.redeem",
        memo="兑换理发",
        legs=[(account, -amount), (sink(account.book), amount)],
    )


# --- accounts -------------------------------------------------------------------------


def test_personal_account_is_created_once_per_book():
    alice = person("王阿姨")
    points = account_for_user(user=alice, book=Book.POINTS)
    assert (points.key, points.name, points.user, points.min_balance) == (
        f"user:{alice.pk}",
        "王阿姨",
        alice,
        0,
    )
    assert account_for_user(user=alice, book=Book.POINTS).pk == points.pk
    time = account_for_user(user=alice, book=Book.TIME)
    assert time.pk != points.pk and time.key == points.key
    assert [a.book for a in accounts_for_user(user=alice)] == ["points", "time"]


def test_system_account_by_book_and_key_and_unknown_book_refused():
    one = account_system(key="issuer:points", book=Book.POINTS, name="积分发行", min_balance=None)
    again = account_system(key="issuer:points", book=Book.POINTS, name="别的名字")
    assert again.pk == one.pk and again.min_balance is None and again.name == "积分发行"
    with pytest.raises(ValidationFailed, match="账本不存在"):
        account_system(key="x", book="gold", name="金子")
    with pytest.raises(ValidationFailed, match="账本不存在"):
        account_for_user(user=person(), book="gold")


# --- posting --------------------------------------------------------------------------


def test_posting_moves_value_and_history_shows_running_balance():
    alice = person()
    account = account_for_user(user=alice, book=Book.POINTS)
    source = issuer()
    first = transaction_post(
        actor=alice,
        idempotency_key="award-1",
        kind="points.award",
        memo="志愿服务奖励",
        legs=[(source, -100), (account, 100)],
    )
    # The caller's objects follow the new balances.
    assert (account.balance, source.balance) == (100, -100)
    _spend(account, 30)
    assert account_balance(account=account) == 70
    assert account_balance(account=source) == -100
    rows = account_history(account=account)
    assert [(r.kind, r.memo, r.amount, r.balance) for r in rows] == [
        ("points.redeem", "兑换理发", -30, 70),
        ("points.award", "志愿服务奖励", 100, 100),
    ]
    assert rows[1].transaction_id == first.pk
    older = account_history(account=account, limit=1, before_id=rows[0].entry_id)
    assert [r.entry_id for r in older] == [rows[1].entry_id]
    assert first.actor == alice and first.kind == "points.award"


def test_posting_can_span_books_when_each_book_balances():
    alice = person()
    time, points = (account_for_user(user=alice, book=b) for b in (Book.TIME, Book.POINTS))
    fund(time, 120)
    txn = transaction_post(
        actor=None,
        idempotency_key="swap",
        kind="exchange",
        memo="时间币换积分",
        legs=[(time, -60), (issuer(Book.TIME), 60), (issuer(Book.POINTS), -10), (points, 10)],
    )
    assert txn.entries.count() == 4
    assert (account_balance(account=time), account_balance(account=points)) == (60, 10)


def test_posting_stays_within_a_few_queries(django_assert_max_num_queries):
    account = funded(100)
    target = sink()
    with django_assert_max_num_queries(8):
        transaction_post(
            actor=None,
            idempotency_key="fast",
            kind="points.redeem",
            memo="兑换",
            legs=[(account, -10), (target, 10)],
        )


# --- idempotency ----------------------------------------------------------------------


def test_repeat_returns_the_first_transaction_and_moves_nothing_more():
    account = funded(100)
    first = _spend(account, 40, key="req-7")
    before = _state()
    again = _spend(account, 40, key="req-7")
    assert again.pk == first.pk
    assert _state() == before
    assert account_balance(account=account) == 60


def test_repeat_with_different_content_is_a_conflict_and_changes_nothing():
    account, other = funded(100), funded(100)
    _spend(account, 40, key="req-8")
    before = _state()
    with pytest.raises(Conflict) as caught:
        _spend(account, 50, key="req-8")
    assert caught.value.status == 409
    assert "请求编号已用于另一笔内容不同的交易" in caught.value.message
    with pytest.raises(Conflict):
        _spend(other, 40, key="req-8")
    with pytest.raises(Conflict):
        transaction_post(
            actor=None,
            idempotency_key="req-8",
            kind="points.other",
            memo="兑换理发",
            legs=[(account, -40), (sink(), 40)],
        )
    assert _state() == before
    assert account_balance(account=account) == 60


# --- refusals -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("legs_of", "message"),
    [
        (lambda a, b, t: [], "至少要有两笔分录"),
        (lambda a, b, t: [(a, -10)], "借贷不平衡"),
        (lambda a, b, t: [(a, -10), (b, 9)], "借贷不平衡"),
        (lambda a, b, t: [(a, -10), (t, 10)], "借贷不平衡"),  # mixed books
        (lambda a, b, t: [(a, -1.5), (b, 1.5)], "必须是整数"),
        (lambda a, b, t: [(a, Decimal(-1)), (b, Decimal(1))], "必须是整数"),
        (lambda a, b, t: [(a, "-1"), (b, "1")], "必须是整数"),
        (lambda a, b, t: [(a, True), (b, -1)], "必须是整数"),
        (lambda a, b, t: [(a, 0), (b, 0)], "不能为零"),
        (lambda a, b, t: [(a, -5), (a, 5)], "只能出现一次"),
        (lambda a, b, t: [(a, -(10**16)), (b, 10**16)], "金额过大"),
        (lambda a, b, t: [(Account(book="points"), -1), (b, 1)], "账户不存在"),
        (lambda a, b, t: [(a, -1, "x"), (b, 1)], "分录格式不正确"),
    ],
)
def test_bad_legs_are_refused_and_nothing_is_written(legs_of, message):
    a, b = funded(100), funded(100)
    t = funded(100, Book.TIME)
    before = _state()
    with pytest.raises(ValidationFailed, match=message) as caught:
        transaction_post(
            actor=None, idempotency_key="bad", kind="test", memo="", legs=legs_of(a, b, t)
        )
    assert caught.value.field == "legs"
    assert _state() == before


@pytest.mark.parametrize(
    ("key", "kind", "memo", "field"),
    [
        ("", "k", "", "idempotency_key"),
        ("   ", "k", "", "idempotency_key"),
        ("x" * 101, "k", "", "idempotency_key"),
        ("ok", "", "", "kind"),
        ("ok", "k" * 61, "", "kind"),
        ("ok", "k", "长" * 201, "memo"),
    ],
)
def test_bad_request_fields_are_refused(key, kind, memo, field):
    a, b = funded(10), funded(10)
    before = _state()
    with pytest.raises(ValidationFailed) as caught:
        transaction_post(
            actor=None, idempotency_key=key, kind=kind, memo=memo, legs=[(a, -1), (b, 1)]
        )
    assert caught.value.field == field
    assert _state() == before


def test_overdraft_is_refused_without_naming_the_balance():
    account, _ = funded(50), sink()
    before = _state()
    with pytest.raises(ValidationFailed) as caught:
        _spend(account, 51)
    assert caught.value.message == "余额不足，无法完成这笔操作。"
    assert caught.value.code == "insufficient"
    assert _state() == before
    # The key was not used up by the refused request: the same key may post a valid spend.
    _spend(account, 50, key="spend-1")
    assert account_balance(account=account) == 0


def test_credit_limit_set_by_a_rule_and_unlimited_issuers():
    account = funded(10)
    staff = person("社工")
    account_set_limit(actor=staff, account=account, min_balance=-120)
    assert AuditEntry.objects.filter(action="ledger.account.limit", object_id=str(account.pk))
    _spend(account, 130, key="s1")
    assert account_balance(account=account) == -120
    with pytest.raises(ValidationFailed, match="余额不足"):
        _spend(account, 1, key="s2")
    with pytest.raises(ValidationFailed, match="整数"):
        account_set_limit(actor=staff, account=account, min_balance=1.5)  # type: ignore[arg-type]
    # An issuer goes as far below zero as it issues.
    fund(account_for_user(user=person(), book=Book.POINTS), 10**9)
    assert account_balance(account=issuer()) == -(10 + 10**9)


def test_a_credit_to_an_account_already_below_its_new_limit_is_allowed():
    account = funded(10)
    account_set_limit(actor=None, account=account, min_balance=50)
    fund(account, 5)
    assert account_balance(account=account) == 15
    with pytest.raises(ValidationFailed, match="余额不足"):
        _spend(account, 1)


# --- reversals ------------------------------------------------------------------------


def test_reversal_restores_balances_once():
    account = funded(100)
    spend = _spend(account, 30)
    staff = person()
    reversal = transaction_reverse(actor=staff, transaction=spend, idempotency_key="undo-1")
    assert reversal.reverses_id == spend.pk and reversal.kind == "points.redeem.reversal"
    assert reversal.memo == "冲正：兑换理发"
    assert account_balance(account=account) == 100
    assert account_balance(account=sink()) == 0
    assert Transaction.objects.get(pk=spend.pk).reversed_by == reversal
    assert AuditEntry.objects.filter(action="ledger.transaction.reverse").count() == 1
    # The same request again returns the same reversal.
    again = transaction_reverse(actor=staff, transaction=spend, idempotency_key="undo-1")
    assert again.pk == reversal.pk
    before = _state()
    with pytest.raises(Conflict, match="已经冲正过了"):
        transaction_reverse(actor=staff, transaction=spend, idempotency_key="undo-2")
    with pytest.raises(ValidationFailed, match="冲正交易不能再次冲正"):
        transaction_reverse(actor=staff, transaction=reversal, idempotency_key="undo-3")
    assert _state() == before


def test_reversal_of_credits_already_spent_is_refused():
    account = account_for_user(user=person(), book=Book.TIME)
    deposit = fund(account, 60)
    _spend(account, 45)
    before = _state()
    with pytest.raises(ValidationFailed, match="余额不足"):
        transaction_reverse(actor=None, transaction=deposit, idempotency_key="undo", memo="录错了")
    assert _state() == before
    assert not Transaction.objects.filter(reverses=deposit).exists()


# --- append-only ----------------------------------------------------------------------


def test_entries_and_transactions_cannot_be_edited_or_deleted_by_the_app():
    account = funded(100)
    txn = _spend(account, 10)
    entry = txn.entries.first()
    assert entry is not None
    entry.amount = 999
    for obj in (entry, txn):
        with pytest.raises(AppendOnlyError):
            obj.save()
        with pytest.raises(AppendOnlyError):
            obj.delete()
    for manager in (Entry.objects, Transaction.objects):
        with pytest.raises(AppendOnlyError):
            manager.filter(pk=entry.pk).update(created_at=None)
        with pytest.raises(AppendOnlyError):
            manager.all().delete()
    assert sorted(Entry.objects.filter(transaction=txn).values_list("amount", flat=True)) == [
        -10,
        10,
    ]


@pytest.mark.parametrize("table", ["ledger_entry", "ledger_transaction"])
def test_database_refuses_raw_update(table):
    txn = _spend(funded(100), 10)
    column = "amount" if table == "ledger_entry" else "memo"
    value = "5" if table == "ledger_entry" else "'forged'"
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"UPDATE {table} SET {column} = {value} WHERE id >= %s", [txn.pk])  # noqa: S608
    assert Transaction.objects.get(pk=txn.pk).memo == "兑换理发"


def test_database_refuses_raw_delete_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite guards UPDATE only: its test flush deletes rows one by one")
    txn = _spend(funded(100), 10)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM ledger_entry WHERE transaction_id = %s", [txn.pk])
    assert Entry.objects.filter(transaction=txn).count() == 2


# --- display --------------------------------------------------------------------------


def test_amounts_and_kinds_read_in_plain_chinese(monkeypatch):
    assert format_amount(Book.TIME, 90) == "1小时30分钟"
    assert format_amount(Book.TIME, 120) == "2小时"
    assert format_amount(Book.TIME, -45) == "-45分钟"
    assert format_amount(Book.POINTS, 30, signed=True) == "+30 分"
    assert format_amount(Book.MONEY, 123456) == "1,234.56 元"
    assert format_amount(Book.MONEY, -5) == "-0.05 元"
    monkeypatch.setitem(KIND_LABELS, "points.redeem", "积分兑换")  # this test only
    assert kind_label("points.redeem") == "积分兑换"
    assert kind_label("points.redeem.reversal") == "积分兑换（冲正）"
    assert kind_label("timebank.unknown") == "时间银行"
    assert kind_label("other") == "other"


def test_a_refusal_inside_a_callers_transaction_leaves_it_usable():
    # On PostgreSQL a refusal is an answer of linli_ledger_post, not a database error, so the
    # caller's transaction goes on (no savepoint needed) and nothing of the refusal is kept.
    account = funded(50)
    with transaction.atomic():
        with pytest.raises(ValidationFailed, match="余额不足"):
            _spend(account, 51, key="inside-1")
        _spend(account, 20, key="inside-2")
        assert (
            _spend(account, 20, key="inside-2").pk
            == Transaction.objects.get(idempotency_key="inside-2").pk
        )
    assert account_balance(account=account) == 30
    assert not Transaction.objects.filter(idempotency_key="inside-1").exists()
