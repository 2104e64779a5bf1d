"""Double-entry core: books, accounts, transactions, entries (LEDGER-5).

Entries and transactions are append-only (refused here, in the queryset, and by a database
trigger installed in migration 0001); a mistake is corrected by a reversing transaction.
"""

from typing import Any, NoReturn

from django.conf import settings
from django.db import models

from linli.core.base import BaseModel
from linli.ledger.choices import Book

__all__ = ["Account", "AppendOnlyError", "Entry", "Transaction"]


class AppendOnlyError(Exception):
    pass


class Account(BaseModel):
    """One holder's balance in one book. `balance` is a cache of the sum of its entries."""

    book = models.CharField("账本", max_length=10, choices=Book.choices)
    key = models.CharField("账户标识", max_length=100)
    name = models.CharField("账户名称", max_length=100)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="个人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_accounts",
    )
    community = models.ForeignKey(
        "geo.Community",
        verbose_name="社区",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_accounts",
    )
    # None: no limit (issuers and outside sources); otherwise the lowest allowed balance.
    min_balance = models.BigIntegerField("最低余额", null=True, blank=True, default=0)
    balance = models.BigIntegerField("余额", default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["book", "key"], name="ledger_account_key")]
        verbose_name = "账户"
        verbose_name_plural = "账户"

    def __str__(self) -> str:
        return f"{self.name}（{self.get_book_display()}）"


class AppendOnlyQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Ledger rows cannot be edited; post a reversal.")

    def delete(self) -> NoReturn:  # type: ignore[override]
        raise AppendOnlyError("Ledger rows cannot be deleted; post a reversal.")


class AppendOnlyModel(models.Model):
    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Ledger rows cannot be edited; post a reversal.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:  # type: ignore[override]
        raise AppendOnlyError("Ledger rows cannot be deleted; post a reversal.")


class Transaction(AppendOnlyModel, BaseModel):
    """A balanced set of entries, posted once per idempotency key."""

    idempotency_key = models.CharField("幂等键", max_length=100, unique=True)
    kind = models.CharField("类型", max_length=60, db_index=True)
    memo = models.CharField("摘要", max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="经办人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_transactions",
    )
    reverses = models.OneToOneField(
        "self",
        verbose_name="冲正对象",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    fingerprint = models.CharField(max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = "交易"
        verbose_name_plural = "交易"

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.memo}"


class Entry(AppendOnlyModel):
    """One leg of a transaction. Positive amount = credit (the account's balance goes up)."""

    transaction = models.ForeignKey(
        Transaction, verbose_name="交易", on_delete=models.PROTECT, related_name="entries"
    )
    # The (account, -id) index below serves lookups by account; no separate index.
    account = models.ForeignKey(
        Account,
        verbose_name="账户",
        on_delete=models.PROTECT,
        related_name="entries",
        db_index=False,
    )
    # Copied from the account so per-book sums need no join; ledger_check compares them.
    book = models.CharField("账本", max_length=10, choices=Book.choices)
    amount = models.BigIntegerField("金额")
    # The account's balance right after this entry (written under the account's row lock).
    balance_after = models.BigIntegerField("余额")
    created_at = models.DateTimeField("时间")

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["account", "-id"], name="ledger_entry_history")]
        verbose_name = "分录"
        verbose_name_plural = "分录"

    def __str__(self) -> str:
        return f"#{self.pk} {self.account_id} {self.amount:+d}"
