"""CASE-1..11: categories, cases, their timeline and photos."""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from linli.casework.choices import (
    OPEN_STATUSES,
    Channel,
    DeadlineUnit,
    EventKind,
    Status,
    Urgency,
)
from linli.casework.policy import CASE_STAFF_ROLES, OVERSIGHT_ROLES, SEE_ALL_ROLES
from linli.casework.units import units_q
from linli.core.base import BaseModel
from linli.core.crypto import EncryptedTextField
from linli.core.roles import Role
from linli.geo.choices import HandlingLevel
from linli.geo.models import Department
from linli.geo.scope import Scope


class Category(BaseModel):
    """Two-level tree with GB/T 30428.2-style codes: major "01", minor "01-10"."""

    code = models.CharField("编码", max_length=10, unique=True)
    name = models.CharField("名称", max_length=50)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    urgency = models.CharField(
        "紧急程度", max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    respond_amount = models.PositiveSmallIntegerField("响应时限", default=1)
    respond_unit = models.CharField(
        max_length=15, choices=DeadlineUnit.choices, default=DeadlineUnit.WORKING_DAYS
    )
    close_amount = models.PositiveSmallIntegerField("办结时限", default=3)
    close_unit = models.CharField(
        max_length=15, choices=DeadlineUnit.choices, default=DeadlineUnit.WORKING_DAYS
    )
    active = models.BooleanField("启用", default=True)
    # Welfare, care and health matters reveal a household's circumstances: never public.
    public = models.BooleanField("可公开", default=True)
    description = models.CharField("说明", max_length=200, blank=True)
    # The big buttons at the top of the report page (PLAT-2), in this order; 0 = only in
    # "more categories".
    shortcut = models.PositiveSmallIntegerField("常用按钮顺序", default=0)

    class Meta:
        ordering = ["code"]
        verbose_name = "事项分类"
        verbose_name_plural = "事项分类"

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_leaf(self) -> bool:
        return self.parent_id is not None


class CaseQuerySet(models.QuerySet["Case"]):
    def visible_to(self, actor: Any, *, own: bool = True) -> "CaseQuerySet":
        """Cases the actor may see; anything else is "not found": their places' cases, their
        units' (owner, handler, whistled to) and, with `own`, their own reports. `own=False`
        is the staff queue, which is about their places and units."""
        if actor is None or not actor.is_authenticated:
            return self.none()
        if actor.role in SEE_ALL_ROLES:
            return self
        scope = Scope.for_actor(actor)
        q = scope.q(grid="grid", community="community", street="community__street")
        if own:
            q |= Q(reporter=actor)
        if actor.role in CASE_STAFF_ROLES:
            # 首接负责制: a unit sees what it owns wherever the pin fell, and whoever entered a
            # case for a resident at the window keeps seeing it (window cases have no reporter).
            units = list(Department.objects.filter(units_q(scope)).values_list("pk", flat=True))
            q |= Q(owner_unit__in=units) | Q(entered_by=actor)
        if actor.role == Role.DEPT_OFFICER:
            # Plain id lists, not subqueries, so the planner can answer the whole OR from the
            # partial indexes; cases a unit was whistled to are few (a join would need
            # DISTINCT, an EXISTS forces a full scan).
            called = list(
                WhistleCall.objects.filter(department__in=units)
                .values_list("whistle__case_id", flat=True)
                .distinct()
            )
            q |= Q(owner_unit__in=units) | Q(handler_unit__in=units) | Q(pk__in=called)
        return self.filter(q)

    def public(self) -> "CaseQuerySet":
        """The cases the public may see (CASE-11): those of a public category, decided at
        intake. Lists and Open311 show no personal data of them."""
        return self.filter(public=True)


class Case(BaseModel):
    tracking_no = models.CharField("受理编号", max_length=20, unique=True)
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="cases")
    description = models.TextField("描述")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reported_cases",
    )
    resident = models.ForeignKey(
        "people.Resident",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
        help_text="代办时的居民档案",
    )
    anonymous = models.BooleanField("匿名", default=False)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="entered_cases",
    )
    # 代办 for a resident without an account: progress goes to this number by SMS.
    notify_phone = EncryptedTextField("短信通知号码", blank=True, default="")
    lat = models.FloatField()
    lon = models.FloatField()
    address = models.CharField("地点描述", max_length=200, blank=True)
    grid = models.ForeignKey("geo.Grid", on_delete=models.PROTECT, related_name="cases")
    community = models.ForeignKey("geo.Community", on_delete=models.PROTECT, related_name="cases")
    status = models.CharField(
        "状态", max_length=12, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    # 首接负责制: set once at intake, never changed.
    owner_unit = models.ForeignKey(
        "geo.Department", on_delete=models.PROTECT, related_name="owned_cases"
    )
    handler_unit = models.ForeignKey(
        "geo.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handled_cases",
    )
    level = models.CharField("处置层级", max_length=10, choices=HandlingLevel.choices, blank=True)
    respond_due = models.DateTimeField("响应期限")
    close_due = models.DateTimeField("办结期限", db_index=True)
    due_provisional = models.BooleanField("期限为暂定", default=False)
    responded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    overdue = models.BooleanField("超期", default=False)
    escalated_at = models.DateTimeField(null=True, blank=True)
    deferred = models.BooleanField("缓办", default=False)
    deferral_until = models.DateTimeField("申请缓办至", null=True, blank=True)
    deferral_reason = models.CharField(max_length=300, blank=True)
    rework_count = models.PositiveSmallIntegerField("返工次数", default=0)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_cases"
    )
    me_too_count = models.PositiveIntegerField(default=0)
    rating = models.PositiveSmallIntegerField("满意度", null=True, blank=True)
    rating_comment = models.CharField("评价", max_length=500, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    follow_up_due = models.DateTimeField("回访期限", null=True, blank=True)
    public = models.BooleanField("公开", default=True)
    photos_reviewed = models.BooleanField("照片已审核", default=False)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "close_due"]),
            models.Index(fields=["handler_unit", "status", "-created_at"]),
            models.Index(fields=["owner_unit", "status", "-created_at"]),
            models.Index(fields=["community", "status", "-created_at"]),
            models.Index(fields=["grid", "status", "-created_at"]),
            models.Index(fields=["reporter", "-created_at"]),
            models.Index(fields=["category", "status"]),
            # The staff queue: open cases of a place or unit by deadline (partial: small).
            *(
                models.Index(
                    fields=[scope, "close_due", "id"],
                    condition=Q(status__in=OPEN_STATUSES),
                    name=f"case_open_{scope}",
                )
                for scope in ("community", "grid", "owner_unit", "handler_unit")
            ),
            models.Index(
                fields=["-created_at", "-id"],
                condition=Q(public=True) & ~Q(status__in=(Status.REJECTED, Status.MERGED)),
                name="case_public_recent",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                name="rating_1_to_5",
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
            )
        ]
        verbose_name = "诉求"
        verbose_name_plural = "诉求"

    def __str__(self) -> str:
        return self.tracking_no

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class CaseEvent(models.Model):
    """One step on the case's timeline. `public` events are shown to the reporter."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    unit = models.ForeignKey("geo.Department", null=True, blank=True, on_delete=models.SET_NULL)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    note = models.TextField(blank=True)
    public = models.BooleanField(default=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = "办理记录"
        verbose_name_plural = "办理记录"

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class CasePhoto(BaseModel):
    class Stage(models.TextChoices):
        REPORT = "report", "上报"
        FEEDBACK = "feedback", "处置反馈"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="photos")
    stage = models.CharField(max_length=10, choices=Stage.choices, default=Stage.REPORT)
    image = models.FileField(upload_to="cases/%Y/%m/")
    thumbnail = models.FileField(upload_to="cases/%Y/%m/thumbs/")
    sha256 = models.CharField(max_length=64)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()

    class Meta:
        verbose_name = "照片"
        verbose_name_plural = "照片"

    def __str__(self) -> str:
        return f"{self.case_id} {self.stage}"


class MeToo(BaseModel):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="me_toos")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="one_me_too")]

    def __str__(self) -> str:
        return f"{self.case_id} +1"


class Whistle(BaseModel):
    """社区吹哨、部门报到 (CASE-6): a community calls departments on one case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="whistles")
    called_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    reason = models.CharField("事由", max_length=300)

    class Meta:
        verbose_name = "吹哨"
        verbose_name_plural = "吹哨"

    def __str__(self) -> str:
        return f"{self.case_id} whistle"


class WhistleCallQuerySet(models.QuerySet["WhistleCall"]):
    def visible_to(self, actor: Any) -> "WhistleCallQuerySet":
        """Street admins see calls on their street's cases; supervisors and system
        administrators see all; a department the calls made to it; community staff the calls
        made on their community's cases."""
        if actor is None or not actor.is_authenticated:
            return self.none()
        if actor.role in OVERSIGHT_ROLES:
            return self
        q = Scope.for_actor(actor).q(
            community="whistle__case__community",
            street="whistle__case__community__street",
            department="department",
        )
        return self.filter(q)


class WhistleCall(BaseModel):
    whistle = models.ForeignKey(Whistle, on_delete=models.CASCADE, related_name="calls")
    department = models.ForeignKey("geo.Department", on_delete=models.PROTECT)
    due = models.DateTimeField("报到期限")
    reported_at = models.DateTimeField(null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    report_note = models.CharField(max_length=500, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    objects = WhistleCallQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["whistle", "department"], name="one_call_per_dept")
        ]

    def __str__(self) -> str:
        return f"{self.whistle_id} → {self.department_id}"


from linli.casework.open311.models import Open311Key  # noqa: E402,F401
