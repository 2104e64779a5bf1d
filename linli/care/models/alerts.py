"""Care profiles, thresholds, away periods, alerts and maintenance tasks (CARE-3..5).

The rules themselves live in `linli/care/services/rules.py`; this module only holds the data
they read (defaults, per-person overrides, away periods, the electricity baseline) and what
they write (alerts, maintenance tasks).
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.care.models import reach
from linli.core.base import BaseModel

# The path from a care row to its household's grid.
HOME = "household__building__grid"


class Rule(models.TextChoices):
    NO_WATER = "no_water", _("12小时无用水")
    NO_MOVEMENT = "no_movement", _("多日无活动")
    ELECTRICITY = "electricity", _("用电异常")
    CALL = "call", _("一键呼叫")
    # Active at home but not out for days: a concern visit, not an emergency.
    NOT_OUT = "not_out", _("多日未出门")


# Rules judged from the silence of a home (CARE-3): away periods and quiet hours apply to
# them, not to a one-key call (CARE-6), which is always immediate.
WELFARE_RULES = (Rule.NO_WATER, Rule.NO_MOVEMENT, Rule.ELECTRICITY)
# Rules about how someone lives, not whether they are safe: a visit within the working day,
# judged apart from the welfare rules (a concern visit never holds back an emergency).
CONCERN_RULES = (Rule.NOT_OUT,)


class AlertStatus(models.TextChoices):
    DEFERRED = "deferred", _("待发出(安静时段)")
    OPEN = "open", _("待处理")
    ACKNOWLEDGED = "acknowledged", _("已接单")
    CLOSED = "closed", _("已办结")
    RESOLVED_AUTO = "resolved_auto", _("自动解除")


# An alert in one of these counts as "open" for the one-per-household-and-rule constraint.
ACTIVE_ALERT_STATUSES = (AlertStatus.DEFERRED, AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)
# Alerts nobody has been told about yet (quiet hours) are not shown.
SHOWN_STATUSES = (
    AlertStatus.OPEN,
    AlertStatus.ACKNOWLEDGED,
    AlertStatus.CLOSED,
    AlertStatus.RESOLVED_AUTO,
)
OPEN_SHOWN = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)


class Outcome(models.TextChoices):
    SAFE = "safe", _("平安")
    NEEDED_HELP = "needed_help", _("需要帮助")
    FALSE_ALARM = "false_alarm", _("误报")
    DEVICE_FAULT = "device_fault", _("设备故障")


class EscalationLevel(models.IntegerChoices):
    GRID_WORKER = 0, _("网格员")
    COMMUNITY = 1, _("社区工作者")
    FAMILY = 2, _("家属")


class AwayReason(models.TextChoices):
    HOSPITAL = "hospital", _("住院")
    VISITING = "visiting", _("探亲")
    TRAVEL = "travel", _("外出旅游")
    OTHER = "other", _("其他")


class TaskKind(models.TextChoices):
    OFFLINE = "offline", _("设备离线")
    STUCK = "stuck", _("表计停走")
    BATTERY = "battery", _("电量不足")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("待检修")
    CLOSED = "closed", _("已处理")
    RESOLVED_AUTO = "resolved_auto", _("已自动恢复")


class CareDefaults(BaseModel):
    """The city-wide thresholds (one row, id 1), editable in the admin. A CareProfile field
    left empty falls back to these."""

    no_water_hours = models.FloatField(_("无用水报警时长(小时)"), default=12.0)
    no_water_m3 = models.FloatField(_("用水量阈值(立方米)"), default=0.01)
    no_movement_days = models.FloatField(_("无活动报警时长(天)"), default=3.0)
    not_out_days = models.FloatField(_("未出门提醒时长(天)"), default=3.0)
    electricity_hours = models.PositiveSmallIntegerField(_("用电比对时长(小时)"), default=12)
    electricity_sigma = models.FloatField(_("用电偏离阈值(标准差倍数)"), default=4.0)
    electricity_ratio = models.FloatField(_("用电低于基线比例"), default=0.3)
    electricity_min_kwh = models.FloatField(_("基线最低用电量(千瓦时)"), default=0.8)
    visit_hours = models.FloatField(_("上门查看期限(小时)"), default=2.0)
    escalation_hours = models.FloatField(_("逐级上报间隔(小时)"), default=1.0)
    meter_offline_hours = models.FloatField(_("表计离线判定(小时)"), default=2.0)
    sensor_offline_hours = models.FloatField(_("感应器离线判定(小时)"), default=6.0)
    button_offline_hours = models.FloatField(_("呼叫器离线判定(小时)"), default=26.0)
    stuck_days = models.FloatField(_("表计/感应器停走判定(天)"), default=3.0)
    battery_low = models.PositiveSmallIntegerField(_("低电量提醒(%)"), default=15)
    # Door events up to here have been sorted into outings and visits (services/outings.py).
    outings_checked_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("看护默认阈值")
        verbose_name_plural = _("看护默认阈值")

    def __str__(self) -> str:
        return "看护默认阈值"


class CareProfile(BaseModel):
    """Per-household (per-person: the homes watched are people living alone) overrides.
    An empty threshold means the default; `enabled` False stops welfare alerts."""

    household = models.OneToOneField(
        "geo.Household", on_delete=models.CASCADE, related_name="care_profile"
    )
    resident = models.ForeignKey(
        "people.Resident", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    enabled = models.BooleanField(_("启用看护报警"), default=True)
    no_water_hours = models.FloatField(_("无用水报警时长(小时)"), null=True, blank=True)
    no_water_m3 = models.FloatField(_("用水量阈值(立方米)"), null=True, blank=True)
    no_movement_days = models.FloatField(_("无活动报警时长(天)"), null=True, blank=True)
    not_out_days = models.FloatField(_("未出门提醒时长(天)"), null=True, blank=True)
    electricity_sigma = models.FloatField(_("用电偏离阈值(标准差倍数)"), null=True, blank=True)
    quiet_start = models.TimeField(_("安静时段开始"), null=True, blank=True)
    quiet_end = models.TimeField(_("安静时段结束"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("看护设置")
        verbose_name_plural = _("看护设置")

    def __str__(self) -> str:
        return f"看护设置 #{self.household_id}"


class HomeOuting(models.Model):
    """When the person of a home was last seen going out: the entrance door opened and then
    the home stayed still (see `services/outings.py`). One row per household with a door
    sensor, kept by the sweep, read by the "not out" rule, which counts from the later of
    the two times (nobody can say someone stayed in before the door sensor reported)."""

    household = models.OneToOneField(
        "geo.Household", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    watched_from = models.DateTimeField(_("开始判断出门"))  # the door sensor's first reading
    last_out_at = models.DateTimeField(_("最近出门"), null=True, blank=True)
    # Where the reading of the door stands: the end of its last use, and whether the motion
    # sensor has seen nobody since (then the next use of the door means "out and back").
    last_door_at = models.DateTimeField(null=True, blank=True)
    still = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("出门记录")
        verbose_name_plural = _("出门记录")

    def __str__(self) -> str:
        return f"out {self.household_id}@{self.last_out_at}"


class AwayPeriodQuerySet(models.QuerySet["AwayPeriod"]):
    def visible_to(self, actor: Any) -> "AwayPeriodQuerySet":
        """Away periods of the homes the actor reaches (staff: their place; family: their
        relatives' homes)."""
        if reach.is_family(actor):
            return self.filter(reach.family_homes_q(actor))
        return self.filter(reach.staff_q(actor, HOME))


class AwayPeriod(BaseModel):
    """Family or grid worker say the person is away (住院, 探亲 …): no welfare alerts then,
    and the silence before `ends` does not count afterwards."""

    household = models.ForeignKey(
        "geo.Household", on_delete=models.CASCADE, related_name="away_periods"
    )
    starts = models.DateTimeField(_("开始时间"))
    ends = models.DateTimeField(_("结束时间"))
    reason = models.CharField(_("原因"), max_length=20, choices=AwayReason.choices)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = AwayPeriodQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(ends__gt=models.F("starts")), name="away_ends")
        ]
        indexes = [models.Index(fields=["household", "ends"], name="care_away_household_ends")]
        verbose_name = _("外出登记")
        verbose_name_plural = _("外出登记")

    def __str__(self) -> str:
        return f"{self.get_reason_display()} {self.starts:%Y-%m-%d}–{self.ends:%Y-%m-%d}"


class AlertQuerySet(models.QuerySet["Alert"]):
    def visible_to(self, actor: Any) -> "AlertQuerySet":
        """The alerts the actor may see, told ones only: staff those of their place, family
        those of relatives who allow it (PEOPLE-6). Anything else is "not found"."""
        qs = self.filter(status__in=SHOWN_STATUSES)
        if reach.is_family(actor):
            return qs.filter(reach.family_alerts_q(actor))
        return qs.filter(reach.staff_q(actor, HOME))


class Alert(BaseModel):
    """A welfare alert or one-key call: a visit task for the household's grid worker."""

    household = models.ForeignKey("geo.Household", on_delete=models.PROTECT, related_name="+")
    resident = models.ForeignKey(
        "people.Resident", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rule = models.CharField(_("规则"), max_length=20, choices=Rule.choices)
    status = models.CharField(
        _("状态"), max_length=20, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    # The silence (or call) the alert is about started here: the last use or activity seen.
    since = models.DateTimeField(_("异常开始"), null=True, blank=True)
    detected_at = models.DateTimeField(_("发现时间"))
    # When people were told: detected_at, or the end of the quiet period for a deferred one.
    opened_at = models.DateTimeField(_("发出时间"))
    due_at = models.DateTimeField(_("上门期限"))
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    escalation_level = models.PositiveSmallIntegerField(
        _("上报级别"), choices=EscalationLevel.choices, default=EscalationLevel.GRID_WORKER
    )
    escalated_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    outcome = models.CharField(_("结果"), max_length=20, choices=Outcome.choices, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    evidence = models.JSONField(_("依据"), default=dict, blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["household", "rule"],
                condition=Q(status__in=["deferred", "open", "acknowledged"]),
                name="care_one_open_alert",
            )
        ]
        indexes = [
            models.Index(fields=["status", "due_at"], name="care_alert_status_due"),
            models.Index(fields=["rule", "closed_at"], name="care_alert_rule_closed"),
        ]
        verbose_name = _("看护报警")
        verbose_name_plural = _("看护报警")

    def __str__(self) -> str:
        return f"{self.get_rule_display()} #{self.pk}"


class MaintenanceTask(BaseModel):
    """A device that went silent, a stuck meter or a flat battery (CARE-4): a job for the
    installer, never a welfare alert."""

    device = models.ForeignKey("care.Device", on_delete=models.CASCADE, related_name="tasks")
    household = models.ForeignKey("geo.Household", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("类型"), max_length=20, choices=TaskKind.choices)
    status = models.CharField(
        _("状态"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    opened_at = models.DateTimeField(_("发现时间"))
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)
    evidence = models.JSONField(_("依据"), default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["device", "kind"],
                condition=Q(status="open"),
                name="care_one_open_task",
            )
        ]
        indexes = [models.Index(fields=["status", "kind"], name="care_task_status_kind")]
        verbose_name = _("设备维护任务")
        verbose_name_plural = _("设备维护任务")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class PowerSnapshot(models.Model):
    """An electricity register as the sweep saw it at the start of an hour (kept about a
    day): the electricity rule compares the use between two snapshots with the baseline.
    A cache written 100,000 rows at a time, so it is lean: the (hour, device) key is its
    only index and it has no foreign-key checks (an orphan row expires within a day)."""

    pk = models.CompositePrimaryKey("hour", "device")
    hour = models.DateTimeField()
    device = models.ForeignKey(
        "care.Device",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    household_id = models.BigIntegerField()
    at = models.DateTimeField()
    value = models.FloatField()

    def __str__(self) -> str:
        return f"{self.device_id}@{self.hour:%Y-%m-%d %H}h = {self.value}"


class PowerBaseline(models.Model):
    """The person's own electricity use over one rule window (CARE-3): the kWh used in the
    `electricity_hours` hours ending at `slot`'s hour, as an exponentially weighted mean and
    variance over the matching days, with a memory of about eight weeks (`weight` is the
    sum of the weights, `days` the number of days seen). `slot` = (day type at the window
    start × 2 + day type at its end) × 24 + end hour; day type 0 weekday, 1 weekend.
    Extended nightly by `baseline_refresh` from the day's readings: a small table, one row
    per meter and slot, whatever the history. The sweep reads one slot of every meter
    through `care_power_baseline_read` alone (an index-only range scan)."""

    pk = models.CompositePrimaryKey("slot", "device")
    slot = models.PositiveSmallIntegerField()
    device = models.ForeignKey("care.Device", on_delete=models.CASCADE, related_name="+")
    weight = models.FloatField(default=0.0)
    expected = models.FloatField()
    variance = models.FloatField()
    days = models.PositiveSmallIntegerField()
    refreshed_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(
                fields=["slot", "device", "expected", "variance", "days"],
                name="care_power_baseline_read",
            )
        ]

    def __str__(self) -> str:
        return f"{self.device_id} slot {self.slot}: {self.expected:.2f} kWh"
