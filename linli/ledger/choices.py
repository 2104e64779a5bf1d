"""Books of the ledger and how their amounts read (LEDGER-5)."""

from decimal import Decimal

from django.db import models


class Book(models.TextChoices):
    """One unit per book; amounts are always whole numbers of that unit."""

    TIME = "time", "时间币"  # minutes; 60 minutes = 1 hour = 1 time credit (LEDGER-1)
    POINTS = "points", "积分"  # points (LEDGER-2)
    MONEY = "money", "资金"  # fen 分 (LEDGER-3)


UNIT = {Book.TIME: "分钟", Book.POINTS: "分", Book.MONEY: "元"}


def format_amount(book: str, amount: int, *, signed: bool = False) -> str:
    """Plain Chinese reading of an amount: "1小时30分钟", "30 分", "12.50 元"."""
    sign = "-" if amount < 0 else ("+" if signed and amount > 0 else "")
    value = abs(amount)
    if book == Book.TIME:
        hours, minutes = divmod(value, 60)
        if hours and minutes:
            text = f"{hours}小时{minutes}分钟"
        elif hours:
            text = f"{hours}小时"
        else:
            text = f"{minutes}分钟"
    elif book == Book.MONEY:
        text = f"{fen_to_yuan(value):,.2f} 元"
    else:
        text = f"{value} 分"
    return sign + text


def fen_to_yuan(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


# Chinese names of transaction kinds, filled in by the programmes (register_kind_labels) so
# histories and exports read "时间存入" rather than "timebank.deposit".
KIND_LABELS: dict[str, str] = {}
KIND_PREFIX_LABELS = {
    "timebank": "时间银行",
    "points": "积分",
    "fund": "基金",
    "sharing": "闲置共享",
}
REVERSAL_SUFFIX = ".reversal"


def register_kind_labels(labels: dict[str, str]) -> None:
    KIND_LABELS.update(labels)


def kind_label(kind: str) -> str:
    if kind.endswith(REVERSAL_SUFFIX):
        return f"{kind_label(kind[: -len(REVERSAL_SUFFIX)])}（冲正）"
    if kind in KIND_LABELS:
        return KIND_LABELS[kind]
    return KIND_PREFIX_LABELS.get(kind.split(".", 1)[0], kind)
