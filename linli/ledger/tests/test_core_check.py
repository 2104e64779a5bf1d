"""ledger_check catching deliberate breaks, the Excel export, the read-only admin (LEDGER-5)."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from openpyxl import load_workbook

from linli.ledger.choices import KIND_LABELS, Book
from linli.ledger.export import account_history_xlsx
from linli.ledger.models import Account, Entry, Transaction
from linli.ledger.selectors import ledger_verify
from linli.ledger.services.posting import account_for_user, transaction_post, transaction_reverse
from linli.ledger.tests.factories import fund, funded, person, sink

pytestmark = pytest.mark.django_db


def _raw(sql: str, params: list | None = None, *, bypass_trigger: bool = False) -> None:
    """Tamper the way someone with database access would: around the app (and its trigger)."""
    with connection.cursor() as cur:
        if bypass_trigger:
            if connection.vendor == "postgresql":
                # Run the deferred foreign-key checks first: ALTER TABLE refuses pending ones.
                cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cur.execute("ALTER TABLE ledger_entry DISABLE TRIGGER ledger_entry_append_only")
                cur.execute("SET CONSTRAINTS ALL DEFERRED")
            else:
                cur.execute("DROP TRIGGER IF EXISTS ledger_entry_append_only")
        cur.execute(sql, params or [])


def _spend(account: Account, amount: int, key: str) -> Transaction:
    return transaction_post(
        actor=None,
        idempotency_key=key,
        kind="points.redeem",
        memo="兑换",
        legs=[(account, -amount), (sink(account.book), amount)],
    )


def _check_fails(capsys) -> str:
    with pytest.raises(CommandError) as caught:
        call_command("ledger_check")
    assert caught.value.returncode == 1
    assert "账本检查发现" in str(caught.value) and "break(s)" in str(caught.value)
    return capsys.readouterr().err


def test_sound_ledger_passes_with_a_summary(capsys):
    account = funded(100)
    _spend(account, 30, "s1")
    call_command("ledger_check")
    out = capsys.readouterr().out
    assert "交易 2 笔，分录 4 条，账户 3 个" in out
    assert "2 transactions, 4 entries, 3 accounts" in out
    assert "账本检查通过 / ledger check passed" in out


def test_an_unbalanced_row_names_its_transaction_and_account(capsys):
    account = funded(100)
    txn = _spend(account, 30, "s1")
    # INSERT is not blocked (the ledger appends); an extra leg unbalances the transaction.
    _raw(
        "INSERT INTO ledger_entry (transaction_id, account_id, book, amount, balance_after,"
        " created_at) VALUES (%s, %s, 'points', 5, 75, %s)",
        [txn.pk, account.pk, txn.created_at],
    )
    err = _check_fails(capsys)
    assert f"交易 #{txn.pk} 在账本 points 不平衡（合计 5）" in err
    assert f"账户 #{account.pk} 缓存余额 70 ≠ 分录合计 75" in err


def test_an_edited_amount_is_caught_when_the_trigger_is_bypassed(capsys):
    account = funded(100)
    txn = _spend(account, 30, "s1")
    entry = txn.entries.get(account=account)
    _raw("UPDATE ledger_entry SET amount = -3 WHERE id = %s", [entry.pk], bypass_trigger=True)
    err = _check_fails(capsys)
    assert f"transaction {txn.pk} unbalanced" in err
    assert f"account {account.pk} cached balance differs" in err
    assert f"分录 #{entry.pk} 记录的余额 70 ≠ 累计 97" in err


def test_a_drifted_cached_balance_and_an_account_below_its_limit(capsys):
    account = funded(100)
    other = funded(5)
    _raw("UPDATE ledger_account SET balance = balance + 1 WHERE id = %s", [account.pk])
    _raw("UPDATE ledger_account SET min_balance = 10 WHERE id = %s", [other.pk])
    err = _check_fails(capsys)
    assert f"账户 #{account.pk} 缓存余额 101 ≠ 分录合计 100" in err
    assert f"账户 #{other.pk} 余额 5 低于下限 10" in err
    assert f"#{other.pk} 缓存余额" not in err


def test_wrong_book_zero_and_empty_transactions_are_named(capsys):
    account = funded(100)
    txn = _spend(account, 30, "s1")
    entry = txn.entries.get(account=account)
    _raw("UPDATE ledger_entry SET book = 'time' WHERE id = %s", [entry.pk], bypass_trigger=True)
    _raw(
        "INSERT INTO ledger_transaction (created_at, updated_at, idempotency_key, kind, memo,"
        " fingerprint) VALUES (%s, %s, 'forged', 'x', '', '')",
        [txn.created_at, txn.created_at],
    )
    empty = Transaction.objects.get(idempotency_key="forged")
    _raw(
        "INSERT INTO ledger_entry (transaction_id, account_id, book, amount, balance_after,"
        " created_at) VALUES (%s, %s, 'points', 0, 70, %s)",
        [txn.pk, account.pk, txn.created_at],
    )
    zero = Entry.objects.get(transaction=txn, amount=0)
    err = _check_fails(capsys)
    assert (
        f"分录 #{entry.pk}（交易 #{txn.pk}）账本 time 与账户 #{account.pk} 的账本 points 不符"
        in err
    )
    assert f"交易 #{empty.pk} 没有分录" in err
    assert f"分录 #{zero.pk}（交易 #{txn.pk}）金额为零" in err
    result = ledger_verify()
    assert not result.ok and len(result.breaks) >= 4


# --- export ---------------------------------------------------------------------------


def _sheet(account: Account) -> list[tuple]:
    data = account_history_xlsx(account=account)
    ws = load_workbook(io.BytesIO(data))["明细"]
    return [tuple(c.value for c in row) for row in ws.iter_rows()]


def test_money_history_exports_in_yuan_with_a_running_balance(monkeypatch):
    # Labels for this test only: the registry is global and other tests read the real ones.
    monkeypatch.setitem(KIND_LABELS, "test.fund", "捐款")
    monkeypatch.setitem(KIND_LABELS, "points.redeem", "支出")
    account = account_for_user(user=person("李大爷"), book=Book.MONEY)
    fund(account, 12345)
    spend = _spend(account, 2000, "s1")
    transaction_reverse(actor=None, transaction=spend, idempotency_key="undo")
    _spend(account, 5, "s2")
    rows = _sheet(account)
    assert rows[0] == ("李大爷（资金）", "单位：元", None, None, None)
    assert rows[1] == ("时间", "摘要", "类型", "金额", "余额")
    assert [r[1:] for r in rows[2:]] == [
        ("发放", "捐款", 123.45, 123.45),
        ("兑换", "支出", -20, 103.45),
        ("冲正：兑换", "支出（冲正）", 20, 123.45),
        ("兑换", "支出", -0.05, 123.4),
    ]
    ws = load_workbook(io.BytesIO(account_history_xlsx(account=account)))["明细"]
    assert ws["D3"].number_format == '#,##0.00" 元"'
    assert ws["A3"].is_date


def test_time_and_points_histories_show_their_units():
    time = account_for_user(user=person(), book=Book.TIME)
    fund(time, 90)
    rows = _sheet(time)
    assert rows[0][1].startswith("单位：分钟")
    assert rows[2][3:] == (90, 90)
    ws = load_workbook(io.BytesIO(account_history_xlsx(account=time)))["明细"]
    assert ws["D3"].number_format == '#,##0" 分钟"'
    points = funded(30)
    assert _sheet(points)[2][3:] == (30, 30)
    empty = account_for_user(user=person(), book=Book.POINTS)
    assert len(_sheet(empty)) == 2  # title and headers only


# --- admin ----------------------------------------------------------------------------


def test_admin_shows_the_ledger_read_only(world, login):
    account = funded(100)
    txn = _spend(account, 30, "s1")
    admin = login("sysadmin")
    for path in ("account", "transaction", "entry"):
        assert admin.get(f"/admin/ledger/{path}/").status_code == 200
        assert admin.get(f"/admin/ledger/{path}/add/").status_code == 403
    page = admin.get(f"/admin/ledger/transaction/{txn.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content
    posted = admin.post(f"/admin/ledger/account/{account.pk}/change/", {"balance": 999})
    assert posted.status_code == 403
    assert (
        admin.post(f"/admin/ledger/transaction/{txn.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    account.refresh_from_db()
    assert account.balance == 70


def test_a_reversal_that_does_not_mirror_its_original_is_named(capsys):
    account = funded(100)
    spend = _spend(account, 30, "s1")
    reversal = transaction_reverse(actor=None, transaction=spend, idempotency_key="undo")
    call_command("ledger_check")
    capsys.readouterr()
    entry = reversal.entries.get(account=account)
    other = sink()
    # Move the reversal's credit onto another account: each transaction still balances.
    _raw(
        "UPDATE ledger_entry SET amount = -amount, account_id = %s WHERE transaction_id = %s"
        " AND account_id = %s",
        [account.pk, reversal.pk, other.pk],
        bypass_trigger=True,
    )
    _raw("UPDATE ledger_entry SET amount = -amount WHERE id = %s", [entry.pk], bypass_trigger=True)
    err = _check_fails(capsys)
    assert f"冲正交易 #{reversal.pk} 与原交易 #{spend.pk} 在账户 #{account.pk} 上不对应" in err
