"""EVAL-3: monthly snapshots of every metric, and the weights of the composite scores."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.core.base import BaseModel


class Snapshot(BaseModel):
    """A month's figures frozen at month end. Recomputing makes a new revision; the old one
    stays, so a published figure never changes silently."""

    month = models.DateField(_("月份"))  # the first day of the month
    revision = models.PositiveSmallIntegerField(_("版次"), default=1)
    frozen_at = models.DateTimeField(_("生成时间"))
    reason = models.CharField(_("重算原因"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    seconds = models.FloatField(_("计算用时(秒)"), default=0)

    class Meta:
        ordering = ["-month", "-revision"]
        constraints = [
            models.UniqueConstraint(fields=["month", "revision"], name="eval_snapshot_revision"),
            models.CheckConstraint(condition=Q(revision__gte=1), name="eval_revision_positive"),
        ]
        verbose_name = _("月度快照")
        verbose_name_plural = _("月度快照")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} r{self.revision}"


class SnapshotFigure(models.Model):
    """One metric for one group in one snapshot. `key` is the group's id (community id,
    grid id, department id, major category code, "1"/"0" for pilot, "all")."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="figures")
    month = models.DateField()  # copied from the snapshot: the dashboard's index
    metric = models.CharField(max_length=40)
    version = models.PositiveSmallIntegerField()
    dimension = models.CharField(max_length=12)
    key = models.CharField(max_length=20)
    numerator = models.FloatField()
    denominator = models.FloatField(null=True)
    value = models.FloatField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "metric", "dimension", "key"], name="eval_figure_one"
            )
        ]
        indexes = [
            # The dashboard: one metric by one dimension over months (trend, ranking, map).
            models.Index(fields=["metric", "dimension", "key", "month"], name="eval_fig_trend"),
            models.Index(fields=["snapshot", "dimension", "metric"], name="eval_fig_snapshot"),
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.dimension}={self.key}"


class WeightSet(BaseModel):
    """The weights of a composite score (GB/T 30428.4 style), as data: a version per edit,
    the newest active one used. `weights` maps metric keys to whole percents summing to 100."""

    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("部门综合评价")
        AREA = "area", _("区域(社区)综合评价")

    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    version = models.PositiveSmallIntegerField(_("版本"))
    weights = models.JSONField(_("权重"))
    note = models.CharField(_("说明"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="eval_weights_version")
        ]
        verbose_name = _("综合评价权重")
        verbose_name_plural = _("综合评价权重")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}"


class Survey(BaseModel):
    """EVAL-1: a community's monthly satisfaction survey — a few questions, each answered
    on a 1–5 scale; residents answer on their phone or staff enter the answer for them."""

    community = models.ForeignKey("geo.Community", on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("月份"))  # the first day of the month
    title = models.CharField(_("标题"), max_length=100)
    questions = models.JSONField(_("问题"))  # list of question texts, in order
    closes_at = models.DateTimeField(_("截止时间"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-month", "community_id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "month"], name="eval_one_survey_a_month")
        ]
        verbose_name = _("满意度调查")
        verbose_name_plural = _("满意度调查")

    def __str__(self) -> str:
        return self.title


class SurveyResponse(BaseModel):
    """One resident's answers; the database keeps it to one per resident per survey."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField(_("回答"))  # list of 1–5, one per question
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )  # staff who entered it for a resident without a phone (代办); None: the resident

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "resident"], name="eval_one_answer_each")
        ]
        verbose_name = _("调查回答")
        verbose_name_plural = _("调查回答")

    def __str__(self) -> str:
        return f"{self.survey_id} #{self.pk}"


class Report(BaseModel):
    """EVAL-5: a monthly report as PDF for the requester's place, built by the task worker
    (a district's takes a while) and downloaded when ready."""

    class State(models.TextChoices):
        PENDING = "pending", _("生成中")
        READY = "ready", _("已生成")
        FAILED = "failed", _("生成失败")

    month = models.DateField(_("月份"))
    level = models.CharField(max_length=10)  # district, street, community
    place_id = models.PositiveIntegerField(null=True)  # street or community id
    place_name = models.CharField(max_length=60)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    file = models.FileField(upload_to="reports/%Y/%m/", blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("月度报告")
        verbose_name_plural = _("月度报告")

    def __str__(self) -> str:
        return f"{self.place_name} {self.month:%Y-%m}"


from linli.evaluation.models_projects import (  # noqa: E402,F401  EVAL-2
    EfficiencyRule,
    EvaluationEvidence,
    FundingCut,
    ProjectEvaluation,
    ScoreSheet,
    ServiceProject,
)
