"""Community development fund 社区发展基金 (LEDGER-3) and sharing / community economy
(LEDGER-4). Amounts are fen 分. Money does not move through Linli: these rows and the MONEY
book record payments made outside."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.core.base import BaseModel

DEFAULT_COMMISSION_BP = 500  # 5% of a rental to the welfare fund (§6.1)
DEFAULT_PUBLIC_SHARE_BP = 3000  # 30% of community-economy income to the public fund (§6.1)
DEFAULT_STREET_APPROVAL_FEN = 5_000_000  # projects above ¥50,000 need the street office


class CommunityLedgerSettings(BaseModel):
    """Per-community percentages and thresholds (configuration, edited in the admin)."""

    community = models.OneToOneField(
        "geo.Community", on_delete=models.CASCADE, related_name="ledger_settings"
    )
    commission_bp = models.PositiveIntegerField(
        "共享佣金(万分比)", default=DEFAULT_COMMISSION_BP, help_text="500 = 5%"
    )
    public_share_bp = models.PositiveIntegerField(
        "社区经济收益入公共基金(万分比)", default=DEFAULT_PUBLIC_SHARE_BP, help_text="3000 = 30%"
    )
    street_approval_fen = models.PositiveBigIntegerField(
        "需街道审批的项目预算(分)",
        default=DEFAULT_STREET_APPROVAL_FEN,
        help_text="预算超过此数的项目只能由街道办批准",
    )

    class Meta:
        verbose_name = "社区资金设置"
        verbose_name_plural = "社区资金设置"
        constraints = [
            models.CheckConstraint(
                name="ledger_settings_bp_range",
                condition=Q(commission_bp__lte=10000, public_share_bp__lte=10000),
            )
        ]


class MatchingCap(BaseModel):
    """Government 1:1 matching: at most `cap` fen per community and calendar year."""

    community = models.ForeignKey("geo.Community", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    cap = models.PositiveBigIntegerField("配套上限(分)")

    class Meta:
        verbose_name = "政府配套上限"
        verbose_name_plural = "政府配套上限"
        constraints = [
            models.UniqueConstraint(fields=["community", "year"], name="ledger_matching_cap_year")
        ]


class DonorKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业捐赠")
    RESIDENT = "resident", _("居民众筹")
    ORGANISATION = "organisation", _("社会组织")


class Donation(BaseModel):
    community = models.ForeignKey("geo.Community", on_delete=models.PROTECT, related_name="+")
    donor_name = models.CharField("捐赠人", max_length=100)
    donor_kind = models.CharField("类型", max_length=20, choices=DonorKind.choices)
    anonymous = models.BooleanField("公示时匿名", default=False)
    amount = models.PositiveBigIntegerField("金额(分)")
    matched = models.PositiveBigIntegerField("政府配套(分)", default=0)
    received_on = models.DateField("到账日期")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    transaction = models.ForeignKey(
        "ledger.Transaction", on_delete=models.PROTECT, related_name="+"
    )
    match_transaction = models.ForeignKey(
        "ledger.Transaction", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    idempotency_key = models.CharField(max_length=100, unique=True)

    class Meta:
        verbose_name = "捐赠"
        verbose_name_plural = "捐赠"
        indexes = [models.Index(fields=["community", "received_on"], name="ledger_donation_year")]
        constraints = [
            models.CheckConstraint(name="ledger_donation_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(
                name="ledger_donation_match_le_amount", condition=Q(matched__lte=models.F("amount"))
            ),
        ]


class ProjectStatus(models.TextChoices):
    PROPOSED = "proposed", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("未批准")
    CLOSED = "closed", _("已结项")


class Project(BaseModel):
    """A project the fund pays for, once approved (secretary, or the street office above
    the community's threshold)."""

    community = models.ForeignKey("geo.Community", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("项目名称", max_length=100)
    description = models.CharField("说明", max_length=500, blank=True)
    budget = models.PositiveBigIntegerField("预算(分)")
    disbursed = models.PositiveBigIntegerField("已拨付(分)", default=0)
    status = models.CharField(
        "状态", max_length=10, choices=ProjectStatus.choices, default=ProjectStatus.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    idempotency_key = models.CharField(max_length=100, unique=True)

    class Meta:
        verbose_name = "基金项目"
        verbose_name_plural = "基金项目"
        constraints = [
            models.CheckConstraint(name="ledger_project_budget_pos", condition=Q(budget__gt=0)),
            models.CheckConstraint(
                name="ledger_project_within_budget", condition=Q(disbursed__lte=models.F("budget"))
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def remaining(self) -> int:
        return int(self.budget - self.disbursed)


class Disbursement(BaseModel):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="disbursements")
    amount = models.PositiveBigIntegerField("金额(分)")
    memo = models.CharField("用途", max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    transaction = models.ForeignKey(
        "ledger.Transaction", on_delete=models.PROTECT, related_name="+"
    )
    idempotency_key = models.CharField(max_length=100, unique=True)

    class Meta:
        verbose_name = "基金拨付"
        verbose_name_plural = "基金拨付"
