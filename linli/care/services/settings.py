"""Thresholds as configuration data (CARE-3: "each threshold configurable per person and by
default"): the city-wide defaults and a household's own settings, validated and audited.
The admin calls these; so would any settings page."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.care.choices import AuditAction
from linli.care.models import CareDefaults, CareProfile
from linli.core.audit.services import audit_record
from linli.core.errors import ValidationFailed

# field → (smallest, largest) allowed; None = no bound.
LIMITS: dict[str, tuple[float, float | None]] = {
    "no_water_hours": (1.0, 72.0),
    "no_water_m3": (0.001, 1.0),
    "no_movement_days": (0.5, 14.0),
    "not_out_days": (1.0, 14.0),
    "electricity_hours": (3.0, 24.0),
    "electricity_sigma": (1.0, 10.0),
    "electricity_ratio": (0.05, 0.9),
    "electricity_min_kwh": (0.0, None),
    "visit_hours": (0.25, 24.0),
    "escalation_hours": (0.25, 24.0),
    "meter_offline_hours": (0.5, 72.0),
    "sensor_offline_hours": (0.5, 72.0),
    "button_offline_hours": (1.0, 240.0),
    "stuck_days": (1.0, 60.0),
    "battery_low": (1.0, 50.0),
}
LABELS: dict[str, Any] = {
    "no_water_hours": gettext_lazy("无用水报警时长"),
    "no_water_m3": gettext_lazy("用水量阈值"),
    "no_movement_days": gettext_lazy("无活动报警时长"),
    "not_out_days": gettext_lazy("未出门提醒时长"),
    "electricity_hours": gettext_lazy("用电比对时长"),
    "electricity_sigma": gettext_lazy("用电偏离阈值"),
    "electricity_ratio": gettext_lazy("用电低于基线比例"),
    "electricity_min_kwh": gettext_lazy("基线最低用电量"),
    "visit_hours": gettext_lazy("上门查看期限"),
    "escalation_hours": gettext_lazy("逐级上报间隔"),
    "meter_offline_hours": gettext_lazy("表计离线判定"),
    "sensor_offline_hours": gettext_lazy("感应器离线判定"),
    "button_offline_hours": gettext_lazy("呼叫器离线判定"),
    "stuck_days": gettext_lazy("停走判定"),
    "battery_low": gettext_lazy("低电量提醒"),
}


def settings_check(obj: Any) -> None:
    """Raise ValidationFailed (Chinese, with the field) for a threshold out of range or
    half-set quiet hours. The forms call it too, so a refusal shows on the field."""
    for name, (low, high) in LIMITS.items():
        value = getattr(obj, name, None)
        if value is None:
            continue
        if value < low or (high is not None and value > high):
            label = str(LABELS[name])
            if high is not None:
                message = _("「%(label)s」应在 %(low)s 到 %(high)s 之间。") % {
                    "label": label,
                    "low": f"{low:g}",
                    "high": f"{high:g}",
                }
            else:
                message = _("「%(label)s」应不小于 %(low)s。") % {"label": label, "low": f"{low:g}"}
            raise ValidationFailed(message, field=name)
    if not isinstance(obj, CareProfile):
        return
    if (obj.quiet_start is None) != (obj.quiet_end is None):
        raise ValidationFailed(_("安静时段要同时填写开始和结束时间。"), field="quiet_end")
    if obj.quiet_start is not None and obj.quiet_start == obj.quiet_end:
        raise ValidationFailed(_("安静时段的开始和结束时间不能相同。"), field="quiet_end")
    resident = obj.resident if obj.resident_id is not None else None
    if resident is not None and resident.household_id != obj.household_id:
        raise ValidationFailed(_("看护对象不是这一户的居民。"), field="resident")


@transaction.atomic
def defaults_save(*, actor: Any, defaults: CareDefaults, changed: list[str]) -> CareDefaults:
    """Save the city-wide thresholds (the one row, id 1)."""
    settings_check(defaults)
    defaults.pk = 1
    defaults.save()
    audit_record(
        actor=actor, action=AuditAction.DEFAULTS_CHANGED, obj=defaults, data={"fields": changed}
    )
    return defaults


@transaction.atomic
def profile_save(*, actor: Any, profile: CareProfile, changed: list[str]) -> CareProfile:
    """Save one household's own thresholds, quiet hours and on/off switch."""
    settings_check(profile)
    profile.save()
    audit_record(
        actor=actor,
        action=AuditAction.PROFILE_CHANGED,
        obj=profile,
        data={"household": profile.household_id, "fields": changed},
    )
    return profile
