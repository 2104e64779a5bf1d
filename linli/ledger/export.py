"""Export of an account's history to Excel (LEDGER-3 published accounts, LEDGER-5)."""

import io
from decimal import Decimal
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from linli.ledger.choices import Book, fen_to_yuan, kind_label
from linli.ledger.models import Account, Entry

HEADERS = ["时间", "摘要", "类型", "金额", "余额"]
WIDTHS = {"A": 18, "B": 40, "C": 20, "D": 16, "E": 16}
# Amounts stay numbers (so they add up in Excel); the unit shows through the number format.
NUMBER_FORMAT = {
    Book.TIME: '#,##0" 分钟"',
    Book.POINTS: '#,##0" 分"',
    Book.MONEY: '#,##0.00" 元"',
}
UNIT_NOTE = {
    Book.TIME: "单位：分钟（60 分钟 = 1 小时 = 1 个时间币）",
    Book.POINTS: "单位：分（积分）",
    Book.MONEY: "单位：元",
}


def account_history_xlsx(*, account: Account) -> bytes:
    """All entries of `account`, oldest first, with the running balance after each."""
    book = Book(account.book)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title="明细")
    for column, width in WIDTHS.items():
        ws.column_dimensions[column].width = width
    ws.append([f"{account.name}（{book.label}）", UNIT_NOTE[book]])
    ws.append([_cell(ws, text, bold=True) for text in HEADERS])
    rows = (
        Entry.objects.filter(account_id=account.pk)
        .order_by("id")
        .values_list(
            "created_at", "transaction__memo", "transaction__kind", "amount", "balance_after"
        )
    )
    fmt = NUMBER_FORMAT[book]
    for created_at, memo, kind, amount, balance in rows.iterator(chunk_size=2000):
        local = timezone.localtime(created_at).replace(tzinfo=None)
        ws.append(
            [
                _cell(ws, local, fmt="yyyy-mm-dd hh:mm"),
                memo,
                kind_label(kind),
                _cell(ws, _value(book, amount), fmt=fmt),
                _cell(ws, _value(book, balance), fmt=fmt),
            ]
        )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _value(book: Book, amount: int) -> int | Decimal:
    return fen_to_yuan(amount) if book == Book.MONEY else amount


def _cell(
    ws: WriteOnlyWorksheet, value: Any, *, fmt: str = "", bold: bool = False
) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    if fmt:
        cell.number_format = fmt
    if bold:
        cell.font = Font(bold=True)
    return cell
