"""闲置共享 and community economy (LEDGER-4, §6.1). Amounts are fen 分; payments happen
outside Linli and are recorded here."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.core.base import BaseModel


class ItemKind(models.TextChoices):
    TOOL = "tool", _("工具")
    BOOK = "book", _("书籍")
    PARKING = "parking", _("车位")
    OTHER = "other", _("其他")


class ShareItem(BaseModel):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="share_items"
    )
    community = models.ForeignKey("geo.Community", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("类别", max_length=10, choices=ItemKind.choices)
    title = models.CharField("名称", max_length=60)
    description = models.CharField("说明", max_length=300, blank=True)
    price = models.PositiveIntegerField("租金(分/天)")
    active = models.BooleanField("可出租", default=True)

    class Meta:
        verbose_name = "共享物品"
        verbose_name_plural = "共享物品"
        indexes = [models.Index(fields=["community", "active"], name="ledger_share_open")]
        constraints = [
            models.CheckConstraint(name="ledger_share_price_pos", condition=Q(price__gt=0))
        ]

    def __str__(self) -> str:
        return self.title


class Rental(BaseModel):
    """A rental paid outside Linli: the commission goes to the community welfare fund."""

    item = models.ForeignKey(ShareItem, on_delete=models.PROTECT, related_name="rentals")
    renter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="rentals"
    )
    days = models.PositiveSmallIntegerField("天数")
    amount = models.PositiveBigIntegerField("租金(分)")
    commission = models.PositiveBigIntegerField("佣金(分)")
    transaction = models.ForeignKey(
        "ledger.Transaction", on_delete=models.PROTECT, related_name="+"
    )
    idempotency_key = models.CharField(max_length=100, unique=True)

    class Meta:
        verbose_name = "共享租用"
        verbose_name_plural = "共享租用"


class EconomyIncome(BaseModel):
    """Community-economy income (venue rental …) recorded by staff; a share goes to the
    public fund."""

    community = models.ForeignKey("geo.Community", on_delete=models.PROTECT, related_name="+")
    source = models.CharField("收入来源", max_length=100)
    amount = models.PositiveBigIntegerField("金额(分)")
    public_share = models.PositiveBigIntegerField("入公共基金(分)")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    transaction = models.ForeignKey(
        "ledger.Transaction", on_delete=models.PROTECT, related_name="+"
    )
    idempotency_key = models.CharField(max_length=100, unique=True)

    class Meta:
        verbose_name = "社区经济收入"
        verbose_name_plural = "社区经济收入"
