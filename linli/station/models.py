"""The catalogue (services, bundles: data a city edits), applications with their values,
documents and timeline (SERVE-1..2). Values are ciphertext at rest (PEOPLE-2)."""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from linli.core.base import BaseModel
from linli.core.crypto import EncryptedTextField
from linli.core.roles import COMMUNITY_ROLES, Role
from linli.geo.scope import Scope
from linli.station.choices import OPEN_STATUSES, Action, Channel, Effect, Source, Status


class Service(BaseModel):
    """One service of the catalogue. `fields` is a list of
    {"key", "label", "kind", "required", "source", "document"}: `source` names a record
    field (people.selectors_prefill.PREFILLABLE or "credential:<kind>") to prefill from,
    `document` a document kind that an accepted application's copy may stand in for.
    `eligibility` holds rules: {"min_age": 80, "household": true, "not_holding": ["dibao"]}."""

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=60)
    summary = models.CharField("简介", max_length=200, blank=True)
    department = models.ForeignKey(
        "geo.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="station_services",
        verbose_name="审批部门",
    )
    deadline_days = models.PositiveSmallIntegerField("办理时限(工作日)", default=10)
    fields = models.JSONField("所需信息", default=list, blank=True)
    eligibility = models.JSONField("办理条件", default=dict, blank=True)
    guide = models.TextField("大字版办事指南", blank=True)
    effect = models.CharField(
        "批准后写入档案", max_length=20, choices=Effect.choices, default=Effect.NONE, blank=True
    )
    effect_kind = models.SlugField(
        "写入的证件或标签代码", max_length=30, blank=True, help_text="如 elder_card、dibao"
    )
    valid_years = models.PositiveSmallIntegerField("有效期(年)", null=True, blank=True)
    active = models.BooleanField("启用", default=True)
    order = models.PositiveSmallIntegerField("排序", default=100)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = "服务事项"
        verbose_name_plural = "服务事项"

    def __str__(self) -> str:
        return self.name


class Bundle(BaseModel):
    """一件事一次办: services applied in one go, one receipt."""

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=60)
    summary = models.CharField("简介", max_length=200, blank=True)
    services = models.ManyToManyField(Service, related_name="bundles", verbose_name="包含事项")
    active = models.BooleanField("启用", default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "一件事套餐"
        verbose_name_plural = "一件事套餐"

    def __str__(self) -> str:
        return self.name


class Receipt(BaseModel):
    """One receipt for what was applied for together."""

    number = models.CharField("回执编号", max_length=30, unique=True)
    resident = models.ForeignKey(
        "people.Resident", on_delete=models.PROTECT, related_name="station_receipts"
    )
    bundle = models.ForeignKey(Bundle, null=True, blank=True, on_delete=models.PROTECT)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)

    class Meta:
        verbose_name = "回执"
        verbose_name_plural = "回执"


class ApplicationQuerySet(models.QuerySet["Application"]):
    def visible_to(self, actor: Any) -> "ApplicationQuerySet":
        """The resident their own; window staff their community's; a department officer
        what their department decides; the system administrator all."""
        role = getattr(actor, "role", "")
        if actor is None or not getattr(actor, "is_authenticated", False):
            return self.none()
        if role == Role.SYSADMIN:
            return self
        if role == Role.RESIDENT:
            return self.filter(resident__user=actor)
        scope = Scope.for_actor(actor)
        if role in COMMUNITY_ROLES:
            return self.filter(
                resident__household__building__grid__community_id__in=scope.community_ids
            )
        if role == Role.DEPT_OFFICER:
            return self.filter(department_id__in=scope.department_ids)
        return self.none()


class Application(BaseModel):
    number = models.CharField("申请编号", max_length=30, unique=True)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="applications")
    department = models.ForeignKey(
        "geo.Department", null=True, on_delete=models.PROTECT, related_name="+"
    )
    resident = models.ForeignKey(
        "people.Resident", on_delete=models.PROTECT, related_name="station_applications"
    )
    receipt = models.ForeignKey(Receipt, on_delete=models.PROTECT, related_name="applications")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    # Consent, per application and per field tier: {"tiers": [...], "present": bool}.
    consent = models.JSONField("授权", default=dict)
    consent_at = models.DateTimeField("授权时间")
    status = models.CharField(
        "状态", max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    submitted_at = models.DateTimeField("提交时间")
    due_at = models.DateTimeField("办理期限")
    due_provisional = models.BooleanField(default=False)
    warned_at = models.DateTimeField(null=True, blank=True)
    overdue = models.BooleanField("已超期", default=False)
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField("不予批准理由/补充说明", max_length=300, blank=True)
    decision_number = EncryptedTextField("证号")

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = "服务申请"
        verbose_name_plural = "服务申请"
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "service"],
                condition=Q(status__in=OPEN_STATUSES),
                name="station_one_open_application",
            )
        ]
        indexes = [
            models.Index(
                fields=["due_at"],
                condition=Q(status__in=OPEN_STATUSES, overdue=False),
                name="station_open_due",
            )
        ]

    def __str__(self) -> str:
        return self.number


class Value(BaseModel):
    """One field of one application (ciphertext), and where it came from."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="values")
    key = models.SlugField(max_length=40)
    value = EncryptedTextField("内容")
    source = models.CharField(max_length=10, choices=Source.choices)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "key"], name="station_value_once")
        ]


class Document(BaseModel):
    """A document a resident handed in (its reference: what it is, who issued it, when).
    Accepted when the department accepted the application; then reused by the next one."""

    resident = models.ForeignKey(
        "people.Resident", on_delete=models.CASCADE, related_name="station_documents"
    )
    kind = models.SlugField("材料种类", max_length=40)
    reference = EncryptedTextField("材料说明")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-accepted_at", "-id"]


class Step(BaseModel):
    """The application's timeline: what the resident's progress page shows."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(max_length=20, choices=[("submit", "提交"), *Action.choices])
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["created_at", "id"]


class HelpSession(BaseModel):
    """数字助老课堂 (SERVE-3): a class in a community venue booked through matching, taught by
    volunteers; attendance earns points through the ledger."""

    title = models.CharField("课程", max_length=60)
    community = models.ForeignKey("geo.Community", on_delete=models.PROTECT, related_name="+")
    booking = models.OneToOneField(
        "matching.Booking", on_delete=models.PROTECT, related_name="help_session"
    )
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    capacity = models.PositiveSmallIntegerField("名额")
    volunteers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="help_sessions_taught", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = "数字助老课堂"
        verbose_name_plural = "数字助老课堂"

    def __str__(self) -> str:
        return self.title


class Seat(BaseModel):
    session = models.ForeignKey(HelpSession, on_delete=models.CASCADE, related_name="seats")
    resident = models.ForeignKey(
        "people.Resident", on_delete=models.CASCADE, related_name="help_seats"
    )
    attended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "resident"], name="station_seat_once")
        ]
