"""Devices, gateways, readings and per-device state (CARE-1, CARE-2).

Values: meters (water m³, electricity kWh) report their cumulative register; door, motion and
button devices report the number of events since their previous report (1 = one door
opening, motion or press; 0 = a heartbeat that only says "I am alive").
"""

import hashlib
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.care.models import reach
from linli.core.base import BaseModel

__all__ = [
    "EVENT_KINDS",
    "METER_KINDS",
    "USE_THRESHOLD",
    "Device",
    "DeviceKind",
    "DeviceState",
    "Gateway",
    "Reading",
    "ReadingHour",
]


class DeviceKind(models.TextChoices):
    WATER = "water", _("水表")
    ELECTRICITY = "electricity", _("电表")
    DOOR = "door", _("门磁")
    MOTION = "motion", _("红外人体感应")
    BUTTON = "button", _("一键呼叫")


METER_KINDS = (DeviceKind.WATER, DeviceKind.ELECTRICITY)
EVENT_KINDS = (DeviceKind.DOOR, DeviceKind.MOTION, DeviceKind.BUTTON)
# Consumption that counts as "use" (CARE-3: < 0.01 m³ in 12 h is "no water").
USE_THRESHOLD: dict[str, float] = {DeviceKind.WATER: 0.01, DeviceKind.ELECTRICITY: 0.05}


class Gateway(BaseModel):
    """A building's or household's hub that forwards device readings. Only the SHA-256 of its
    token is stored; the token is shown once when the gateway is created."""

    name = models.CharField(_("网关名称"), max_length=64, unique=True)
    community = models.ForeignKey(
        "geo.Community",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="care_gateways",
        verbose_name=_("所属社区"),
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("网关")
        verbose_name_plural = _("网关")

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()


class DeviceQuerySet(models.QuerySet["Device"]):
    def visible_to(self, actor: Any) -> "DeviceQuerySet":
        """Devices in the homes the actor reaches (staff: their place; family: their
        relatives' homes)."""
        if reach.is_family(actor):
            return self.filter(reach.family_homes_q(actor))
        return self.filter(reach.staff_q(actor, "household__building__grid"))


class Device(BaseModel):
    serial = models.CharField(_("设备编号"), max_length=64, unique=True)
    kind = models.CharField(_("设备类型"), max_length=20, choices=DeviceKind.choices)
    household = models.ForeignKey(
        "geo.Household",
        on_delete=models.PROTECT,
        related_name="care_devices",
        verbose_name=_("住户"),
    )
    resident = models.ForeignKey(
        "people.Resident",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="care_devices",
        verbose_name=_("使用人"),
    )
    gateway = models.ForeignKey(
        Gateway,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="devices",
        verbose_name=_("网关"),
    )
    installed_on = models.DateField(_("安装日期"))
    place = models.CharField(_("安装位置"), max_length=50, blank=True)
    battery = models.PositiveSmallIntegerField(_("电量(%)"), null=True, blank=True)
    # Meters whose register wraps: the value after which it starts again at 0.
    register_max = models.FloatField(_("表计量程"), null=True, blank=True)
    active = models.BooleanField(_("在用"), default=True)
    last_seen_at = models.DateTimeField(_("最近上报"), null=True, blank=True)

    objects = DeviceQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(battery__isnull=True) | Q(battery__lte=100), name="care_battery_pct"
            ),
            models.CheckConstraint(
                condition=Q(register_max__isnull=True) | Q(register_max__gt=0),
                name="care_register_max_positive",
            ),
        ]
        verbose_name = _("看护设备")
        verbose_name_plural = _("看护设备")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.serial}"

    @property
    def is_meter(self) -> bool:
        return self.kind in METER_KINDS


class Reading(models.Model):
    """One accepted reading. Append-only: never edited by the application; only the retention
    command removes whole months (`services/partitions.py`). The unique (device, at)
    constraint is both the idempotency key and the lookup index. On PostgreSQL the table is
    partitioned by month on `at` (migration 0006): the key includes `at`, so it holds across
    partitions, and the primary key there is (id, at)."""

    id = models.BigAutoField(primary_key=True)
    # No index of its own: the unique (device, at) index serves lookups by device.
    device = models.ForeignKey(
        Device, on_delete=models.PROTECT, related_name="readings", db_index=False
    )
    at = models.DateTimeField()
    value = models.FloatField()
    received_at = models.DateTimeField()
    source = models.CharField(max_length=8, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["device", "at"], name="care_reading_once")]
        verbose_name = _("读数")
        verbose_name_plural = _("读数")

    def __str__(self) -> str:
        return f"{self.device_id}@{self.at:%Y-%m-%d %H:%M:%S} = {self.value}"


class ReadingHour(models.Model):
    """One device's readings in one clock hour, kept for ever while the raw readings are
    dropped after `CARE_READINGS_KEEP_MONTHS` (`services/partitions.py`). Meters: the first
    and last register of the hour (use = last − first, or across hours); event devices:
    `value_sum` is the number of events."""

    id = models.BigAutoField(primary_key=True)
    device = models.ForeignKey(
        Device, on_delete=models.PROTECT, related_name="reading_hours", db_index=False
    )
    hour = models.DateTimeField()
    readings = models.PositiveIntegerField()
    first_at = models.DateTimeField()
    first_value = models.FloatField()
    last_at = models.DateTimeField()
    last_value = models.FloatField()
    min_value = models.FloatField()
    max_value = models.FloatField()
    value_sum = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["device", "hour"], name="care_reading_hour_once")
        ]
        verbose_name = _("小时读数汇总")
        verbose_name_plural = _("小时读数汇总")

    def __str__(self) -> str:
        return f"{self.device_id}@{self.hour:%Y-%m-%d %H}h ×{self.readings}"


class DeviceState(models.Model):
    """What the rules need about a device, kept up to date by ingest so that sweeps read one
    small row per device and never scan readings.

    Meters: `use_mark_at` is the time at which consumption since the previous mark first
    reached USE_THRESHOLD (so "no water for 12 h" ⟺ now − use_mark_at ≥ 12 h);
    `last_change_at` the latest time the register changed. Event devices: `last_event_at`
    the latest reading with at least one event."""

    device = models.OneToOneField(
        Device, primary_key=True, on_delete=models.CASCADE, related_name="state"
    )
    household = models.ForeignKey(
        "geo.Household", on_delete=models.CASCADE, related_name="+", db_index=True
    )
    kind = models.CharField(max_length=20, choices=DeviceKind.choices)
    last_at = models.DateTimeField(null=True, blank=True)
    last_value = models.FloatField(null=True, blank=True)
    use_mark_at = models.DateTimeField(null=True, blank=True)
    use_mark_value = models.FloatField(null=True, blank=True)
    last_event_at = models.DateTimeField(null=True, blank=True)
    last_change_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("设备状态")
        verbose_name_plural = _("设备状态")

    def __str__(self) -> str:
        return f"state {self.device_id}"
