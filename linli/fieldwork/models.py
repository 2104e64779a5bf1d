"""The grid worker's day (issue 21): visit quotas, visits, life events, today's tasks, patrol
reports (each a casework case), patrol tracks. Uploads from the phone carry a client UUID,
unique here, so a retried upload stores one record (ODK's instanceID lesson)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.core.base import BaseModel
from linli.fieldwork.choices import LifeEventKind, Outcome, TaskKind, Tier


class VisitQuota(BaseModel):
    """How often a tier is visited: data, editable in the admin (the migration seeds weekly,
    monthly, quarterly). `min_age` limits the tier to older residents (the OTHER tier: other
    elderly; 0 for none)."""

    tier = models.CharField(_("风险等级"), max_length=10, choices=Tier.choices, unique=True)
    interval_days = models.PositiveSmallIntegerField(_("探访间隔(天)"))
    min_age = models.PositiveSmallIntegerField(_("最低年龄"), default=0)
    change_hours = models.PositiveSmallIntegerField(_("变故后探访时限(小时)"), default=24)

    class Meta:
        verbose_name = _("探访频次")
        verbose_name_plural = _("探访频次")

    def __str__(self) -> str:
        return f"{self.get_tier_display()}: {self.interval_days}"


class Visit(BaseModel):
    uuid = models.UUIDField(unique=True)  # made on the phone; the upload's idempotency key
    resident = models.ForeignKey("people.Resident", on_delete=models.CASCADE, related_name="+")
    grid = models.ForeignKey("geo.Grid", on_delete=models.PROTECT, related_name="+")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(_("结果"), max_length=12, choices=Outcome.choices)
    at = models.DateTimeField(_("走访时间"))
    lat = models.FloatField(null=True, blank=True)  # only when the worker allows it
    lon = models.FloatField(null=True, blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    case = models.ForeignKey(
        "casework.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["resident", "at"], name="fieldwork_visit_resident_at")]
        verbose_name = _("走访")
        verbose_name_plural = _("走访")


class LifeEvent(BaseModel):
    """A major change in someone's life recorded by staff (丧亲): a visit within 24 h."""

    resident = models.ForeignKey("people.Resident", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("类型"), max_length=20, choices=LifeEventKind.choices)
    occurred_at = models.DateTimeField(_("登记时间"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["occurred_at"], name="fieldwork_lifeevent_at")]
        verbose_name = _("重大变故")
        verbose_name_plural = _("重大变故")


class DayTask(models.Model):
    """One item of a worker's 今日任务. The sweep writes each morning's list; recording a
    visit (or the case closing, the device back) marks items done. `key` says what the item
    is about ("resident:12", "case:40" …) so a day holds it once."""

    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    kind = models.CharField(max_length=20, choices=TaskKind.choices)
    key = models.CharField(max_length=40)
    rank = models.PositiveSmallIntegerField()  # KIND_RANK: the urgency class
    walk = models.PositiveIntegerField(default=0)  # the building's place on the walk
    due_at = models.DateTimeField(null=True, blank=True)
    grid = models.ForeignKey("geo.Grid", on_delete=models.CASCADE, related_name="+")
    building = models.ForeignKey(
        "geo.Building", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    resident = models.ForeignKey(
        "people.Resident", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    case = models.ForeignKey(
        "casework.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField(max_length=200)
    detail = models.CharField(max_length=300, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "day", "kind", "key"], name="fieldwork_task_once"
            )
        ]
        indexes = [
            models.Index(
                fields=["worker", "day", "rank", "walk", "due_at"],
                condition=Q(done_at__isnull=True),
                name="fieldwork_task_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.kind} {self.key}"


class PatrolReport(BaseModel):
    """A patrol find (主动发现): the case (channel "proactive") and who found it."""

    uuid = models.UUIDField(unique=True)
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Empty only inside the filing transaction (the UUID is claimed before the case exists).
    grid = models.ForeignKey("geo.Grid", null=True, on_delete=models.PROTECT, related_name="+")
    case = models.OneToOneField(
        "casework.Case", null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("发现时间"))

    class Meta:
        indexes = [models.Index(fields=["grid", "at"], name="fieldwork_report_grid_at")]


class TrackConsent(BaseModel):
    """Patrol tracks are opt-in: the worker's own choice, with their working hours."""

    worker = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    enabled = models.BooleanField(default=False)
    work_start = models.TimeField(default="08:30")
    work_end = models.TimeField(default="17:30")


class TrackPoint(models.Model):
    id = models.BigAutoField(primary_key=True)
    uuid = models.UUIDField(unique=True)
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    grid = models.ForeignKey("geo.Grid", on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()
    lat = models.FloatField()
    lon = models.FloatField()

    class Meta:
        indexes = [models.Index(fields=["grid", "at"], name="fieldwork_track_grid_at")]

    def __str__(self) -> str:
        return f"{self.worker_id}@{self.at}"


class MetricSettings(BaseModel):
    """The published parameters of 漏报 (one row, id 1)."""

    window_days = models.PositiveSmallIntegerField(_("漏报回看天数"), default=7)
    distance_m = models.PositiveSmallIntegerField(_("漏报距离(米)"), default=100)
    # Major category codes a walker can see (市容环境, 设施 …): "01,02".
    categories = models.CharField(_("可巡查发现的事项大类"), max_length=100, default="01,02,03")
    patrol_days = models.PositiveSmallIntegerField(_("巡查建议间隔(天)"), default=7)
    due_soon_hours = models.PositiveSmallIntegerField(_("诉求临期(小时)"), default=48)
    # A day's routine visits: the most overdue first (urgent items are never capped).
    daily_visits = models.PositiveSmallIntegerField(_("每日例行探访上限"), default=30)

    def category_codes(self) -> list[str]:
        return [c.strip() for c in self.categories.split(",") if c.strip()]
