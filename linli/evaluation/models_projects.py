"""EVAL-2: service projects run by social organisations, their half-yearly third-party
evaluations (a scored form with evidence files), the operating qualification and the
funding cut proposed after low resource efficiency.

A project is what it is in the apps below: a ledger fund project and/or a matching partner
(no copy of their data here); this app only adds the evaluations and the qualification."""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.core.base import BaseModel


class ScoreSheet(BaseModel):
    """The evaluation form as data: criteria `[{"key", "label", "weight"}]` whose weights are
    whole percents adding up to 100, and the pass mark. The newest active sheet is used; an
    evaluation keeps the criteria it was scored on."""

    name = models.CharField(_("名称"), max_length=60)
    criteria = models.JSONField(_("评分项"))
    pass_mark = models.PositiveSmallIntegerField(_("合格分"), default=60)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("项目评估评分表")
        verbose_name_plural = _("项目评估评分表")

    def __str__(self) -> str:
        return self.name


class EfficiencyRule(BaseModel):
    """The limits of resource efficiency (§5.3) as data; the newest active rule is used."""

    max_idle_rate = models.PositiveSmallIntegerField(_("场地闲置率上限(%)"), default=60)
    max_cost_per_person_fen = models.PositiveBigIntegerField(
        _("人均服务成本上限(分)"), default=50_000
    )
    cut_percent = models.PositiveSmallIntegerField(_("次年经费削减比例(%)"), default=50)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("资源效率标准")
        verbose_name_plural = _("资源效率标准")
        constraints = [
            models.CheckConstraint(
                condition=Q(max_idle_rate__lte=100, cut_percent__gte=1, cut_percent__lte=100),
                name="eval_efficiency_percents",
            )
        ]

    def __str__(self) -> str:
        return f"≤{self.max_idle_rate}% / ≤{self.max_cost_per_person_fen}"


class ServiceProjectQuerySet(models.QuerySet["ServiceProject"]):
    def in_communities(self, ids: list[int]) -> "ServiceProjectQuerySet":
        return self.filter(Q(fund_project__community_id__in=ids) | Q(partner__community_id__in=ids))


class ServiceProject(BaseModel):
    """A project run by a social organisation, registered for evaluation."""

    fund_project = models.OneToOneField(
        "ledger.Project",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("基金项目"),
    )
    partner = models.OneToOneField(
        "matching.Partner",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("合作单位"),
    )
    # The operating qualification (项目退出机制): revoked after two failed evaluations in a
    # row; reinstated by the administrator with a reason.
    revoked_at = models.DateTimeField(_("资格撤销时间"), null=True, blank=True)
    revoked_reason = models.CharField(_("撤销原因"), max_length=300, blank=True)
    reinstated_at = models.DateTimeField(_("恢复时间"), null=True, blank=True)
    reinstated_reason = models.CharField(_("恢复原因"), max_length=300, blank=True)
    reinstated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ServiceProjectQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("服务项目")
        verbose_name_plural = _("服务项目")
        constraints = [
            models.CheckConstraint(
                condition=Q(fund_project__isnull=False) | Q(partner__isnull=False),
                name="eval_project_is_something",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if self.fund_project is not None:
            return self.fund_project.name
        return self.partner.name if self.partner is not None else f"#{self.pk}"

    @property
    def organisation(self) -> str:
        return self.partner.name if self.partner is not None else ""

    @property
    def community(self) -> Any:
        """The community of what the project is (the fund project's, else the partner's)."""
        owner = self.fund_project or self.partner
        assert owner is not None  # the check constraint: one of them is set
        return owner.community

    @property
    def qualified(self) -> bool:
        return self.revoked_at is None


class ProjectEvaluation(BaseModel):
    """One half-year's third-party evaluation of a project; one per project and half-year."""

    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")
        CONFIRMED = "confirmed", _("已确认")

    project = models.ForeignKey(
        ServiceProject, on_delete=models.PROTECT, related_name="evaluations"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    half = models.PositiveSmallIntegerField(_("半年"))  # 1: Jan–Jun, 2: Jul–Dec
    sheet = models.ForeignKey(ScoreSheet, on_delete=models.PROTECT, related_name="+")
    criteria = models.JSONField(_("评分项"))  # the sheet's criteria when scored
    pass_mark = models.PositiveSmallIntegerField(_("合格分"))
    scores = models.JSONField(_("得分"), default=dict)  # key -> 0..100
    total = models.FloatField(_("总分"), null=True, blank=True)
    passed = models.BooleanField(_("合格"), null=True, blank=True)
    comments = models.TextField(_("评估意见"), blank=True)
    served_people = models.PositiveIntegerField(_("服务人数"), null=True, blank=True)
    idle_rate = models.FloatField(_("场地闲置率"), null=True, blank=True)
    cost_per_person_fen = models.PositiveBigIntegerField(
        _("人均服务成本(分)"), null=True, blank=True
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    # SET_NULL: removing an account must not be blocked by (or erase) its evaluations.
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-year", "-half", "-pk"]
        verbose_name = _("项目评估")
        verbose_name_plural = _("项目评估")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "year", "half"], name="eval_one_evaluation_a_half_year"
            ),
            models.CheckConstraint(condition=Q(half__in=[1, 2]), name="eval_half_1_or_2"),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.period}"

    @property
    def period(self) -> str:
        return f"{self.year}H{self.half}"


class EvaluationEvidence(BaseModel):
    """A file the evaluator attached (photo or PDF), stored under the private media root and
    served only through a view that checks the reader's scope."""

    evaluation = models.ForeignKey(
        ProjectEvaluation, on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.FileField(upload_to="evaluation/evidence/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=120)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("评估佐证材料")
        verbose_name_plural = _("评估佐证材料")

    def __str__(self) -> str:
        return self.name


class FundingCut(BaseModel):
    """Next year's funding cut proposed to the approver after low resource efficiency;
    applied through the ledger's services only when accepted."""

    class State(models.TextChoices):
        PROPOSED = "proposed", _("待审定")
        ACCEPTED = "accepted", _("已采纳")
        DECLINED = "declined", _("未采纳")

    project = models.ForeignKey(ServiceProject, on_delete=models.PROTECT, related_name="cuts")
    evaluation = models.OneToOneField(
        ProjectEvaluation, on_delete=models.PROTECT, related_name="cut"
    )
    year = models.PositiveSmallIntegerField(_("适用年度"))
    percent = models.PositiveSmallIntegerField(_("削减比例(%)"))
    budget_before = models.PositiveBigIntegerField(_("原预算(分)"))
    budget_after = models.PositiveBigIntegerField(_("削减后预算(分)"))
    why = models.CharField(_("依据"), max_length=300)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PROPOSED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(_("审定意见"), max_length=300, blank=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("经费削减建议")
        verbose_name_plural = _("经费削减建议")
        constraints = [
            models.UniqueConstraint(fields=["project", "year"], name="eval_one_cut_a_year")
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.year} -{self.percent}%"
