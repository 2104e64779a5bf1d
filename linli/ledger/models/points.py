"""Community points 社区积分 (LEDGER-2): rules (configuration), awards, the rewards catalogue
and its vouchers."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.core.base import BaseModel


class PointRule(BaseModel):
    """What earns points, and how many: configuration data edited in the admin."""

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=50)
    points = models.PositiveIntegerField("每次积分")
    daily_cap = models.PositiveIntegerField(
        "每人每日上限", null=True, blank=True, help_text="留空表示不设上限"
    )
    active = models.BooleanField("启用", default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "积分规则"
        verbose_name_plural = "积分规则"

    def __str__(self) -> str:
        return f"{self.name}({self.points} 分)"


class PointAward(BaseModel):
    """One award; `source_key` (e.g. "vote:12:user:5") makes awarding idempotent."""

    source_key = models.CharField(max_length=90, unique=True)
    rule = models.ForeignKey(PointRule, on_delete=models.PROTECT, related_name="awards")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="point_awards"
    )
    points = models.PositiveIntegerField()
    awarded_on = models.DateField()
    transaction = models.ForeignKey(
        "ledger.Transaction", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "积分发放"
        verbose_name_plural = "积分发放"
        indexes = [
            models.Index(fields=["user", "rule", "awarded_on"], name="ledger_award_daily"),
        ]


class Reward(BaseModel):
    """An item of the rewards catalogue of a community, honoured by a partner merchant."""

    community = models.ForeignKey("geo.Community", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("名称", max_length=50)
    description = models.CharField("说明", max_length=300, blank=True)
    points_price = models.PositiveIntegerField("所需积分")
    stock = models.PositiveIntegerField("库存")
    merchant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="rewards_honoured",
        verbose_name="兑换商家",
        limit_choices_to={"role": "partner"},
    )
    active = models.BooleanField("上架", default=True)

    class Meta:
        ordering = ["points_price", "pk"]
        verbose_name = "兑换物品"
        verbose_name_plural = "兑换目录"
        constraints = [
            models.CheckConstraint(name="ledger_reward_stock_nonneg", condition=Q(stock__gte=0)),
            models.CheckConstraint(name="ledger_reward_price_pos", condition=Q(points_price__gt=0)),
        ]

    def __str__(self) -> str:
        return self.name


class VoucherStatus(models.TextChoices):
    ISSUED = "issued", _("未使用")
    USED = "used", _("已使用")
    CANCELLED = "cancelled", _("已作废")


class Voucher(BaseModel):
    """Issued when points are redeemed; the merchant marks it used once."""

    code = models.CharField("兑换码", max_length=12, unique=True)
    reward = models.ForeignKey(Reward, on_delete=models.PROTECT, related_name="vouchers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="vouchers"
    )
    points = models.PositiveIntegerField("花费积分")
    status = models.CharField(
        "状态", max_length=10, choices=VoucherStatus.choices, default=VoucherStatus.ISSUED
    )
    redeem = models.ForeignKey("ledger.Transaction", on_delete=models.PROTECT, related_name="+")
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    idempotency_key = models.CharField(max_length=100, unique=True)

    class Meta:
        verbose_name = "兑换券"
        verbose_name_plural = "兑换券"
        indexes = [models.Index(fields=["user", "-id"], name="ledger_voucher_user")]

    def __str__(self) -> str:
        return self.code

    @property
    def code_display(self) -> str:
        """Read aloud in two groups of four: ABCD EFGH."""
        return f"{self.code[:4]} {self.code[4:]}"
