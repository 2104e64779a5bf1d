"""Did late readings show the person inside an alert's window? (CARE-2: late data
auto-resolves an alert opened on missing data.)

The states only keep the latest marks, which cannot tell "used water at 03:00, reported
late" from "used water now, after the visit"; so this looks at the readings themselves, for
the few devices of the few alerts concerned.
"""

import datetime as dt

from linli.care.models import Alert, Device, DeviceKind, Reading, Rule
from linli.care.services.rules import SENSOR_KINDS, Home, defaults_get


def _value_at(device_id: int, moment: dt.datetime) -> float | None:
    return (
        Reading.objects.filter(device_id=device_id, at__lte=moment)
        .order_by("-at")
        .values_list("value", flat=True)
        .first()
    )


def _used(device_id: int, start: dt.datetime, end: dt.datetime, wrap: float | None) -> float:
    """Register difference between the readings at `start` and `end` (0 if unknown)."""
    v0, v1 = _value_at(device_id, start), _value_at(device_id, end)
    if v0 is None or v1 is None:
        return 0.0
    used = v1 - v0
    if used < 0 and wrap:
        used += wrap
    return max(0.0, used)


def _parse(value: object) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else None


def contradicted(alert: Alert, home: Home) -> bool:
    """True when the readings show water use, a door or motion event inside
    (since, detected_at] — or, for an electricity alert, normal use over its window."""
    d = defaults_get()
    start, end = alert.since or alert.detected_at, alert.detected_at
    wraps = dict(
        Device.objects.filter(pk__in=[f.pk for f in home.devices]).values_list("pk", "register_max")
    )
    m3 = home.setting("no_water_m3", d)
    for f in home.of(DeviceKind.WATER):
        if not f.stuck and _used(f.pk, start, end, wraps.get(f.pk)) >= m3:
            return True
    sensors = [f.pk for f in home.of(*SENSOR_KINDS)]
    if Reading.objects.filter(
        device_id__in=sensors, at__gt=start, at__lte=end, value__gt=0
    ).exists():
        return True
    if alert.rule == Rule.ELECTRICITY:
        ev = alert.evidence or {}
        w0, w1 = _parse(ev.get("window_start")), _parse(ev.get("window_end"))
        expected, ratio = ev.get("expected"), ev.get("ratio")
        if w0 and w1 and isinstance(expected, float | int) and isinstance(ratio, float | int):
            used = sum(
                _used(f.pk, w0, w1, wraps.get(f.pk)) for f in home.of(DeviceKind.ELECTRICITY)
            )
            if used > expected * ratio:
                return True
    return False
