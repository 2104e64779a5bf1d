"""A silent device is not a silent person (CARE-4): maintenance tasks, never welfare alerts.

- offline: no reading (heartbeats count) for longer than the kind's interval (meters 2 h,
  door/motion 6 h, call button 26 h; or never, a day after installation). Resolves itself
  when the device reports again — late readings included.
- stuck: a water meter whose register has not moved for `stuck_days` while the person is
  seen (a door or motion event in the last 24 h; with no such sensors, electricity use), or
  a motion sensor that has seen nothing for `stuck_days` while water is used daily. Away
  periods do not count. Resolves when the register moves / the sensor sees again.
  `stuck_days` is 3 by default, not weeks: the no-water rule already ignores a still meter
  while door or motion sensors see the person, so nothing is lost by waiting — but a home
  whose fastest rule is blind should be repaired within days.
- battery: the device's battery at or below `battery_low` percent; resolves above it.
Workers close a task with `maintenance_task_close` once the installer has been; a closed
task is not reopened for a day (stuck: `stuck_days`), so the mended device can show it works.
"""

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.care.choices import AuditAction
from linli.care.models import (
    CareDefaults,
    Device,
    DeviceKind,
    MaintenanceTask,
    TaskKind,
    TaskStatus,
)
from linli.care.services.alert_people import places
from linli.care.services.rules import SENSOR_KINDS, Home
from linli.care.services.scan import Scan
from linli.core.audit.services import audit_record
from linli.core.errors import NotFound, ValidationFailed
from linli.core.notifications.services import notification_send
from linli.geo.scope import Scope, community_staff

DAY = dt.timedelta(days=1)
AUDIT_IDS = 1000


def _stuck(
    scan: Scan, homes: dict[int, Home], now: dt.datetime, d: CareDefaults
) -> dict[int, tuple[int, dt.datetime | None]]:
    out: dict[int, tuple[int, dt.datetime | None]] = {}
    for pk, household_id, kind, last_change, last_event in scan.stuck:
        home = homes[household_id]
        facts = next((f for f in home.devices if f.pk == pk), None)
        if facts is None or not facts.online(now, d) or home.away_now:
            continue
        still_since = home.silent_since(last_change if kind == DeviceKind.WATER else last_event)
        if still_since is None or now - still_since < dt.timedelta(days=d.stuck_days):
            continue
        if kind == DeviceKind.WATER:
            sensors = home.of(*SENSOR_KINDS)
            if sensors:
                seen = home.last_event()
            else:
                seen = max(
                    (f.last_change_at for f in home.of(DeviceKind.ELECTRICITY) if f.last_change_at),
                    default=None,
                )
        else:
            seen = home.last_water_use()
        if seen is not None and now - seen <= DAY:
            out[pk] = (household_id, still_since)
    return out


def _battery(d: CareDefaults) -> dict[int, tuple[int, dt.datetime | None]]:
    rows = Device.objects.filter(active=True, battery__lte=d.battery_low).values_list(
        "pk", "household_id", "battery"
    )
    return {pk: (household_id, None) for pk, household_id, _ in rows}


def _audit(action: AuditAction, ids: list[int], now: dt.datetime, kind: str) -> None:
    for i in range(0, len(ids), AUDIT_IDS):
        chunk = ids[i : i + AUDIT_IDS]
        audit_record(
            actor=None,
            action=action,
            object_type="care.maintenancetask",
            data={"tasks": chunk, "count": len(chunk), "kind": kind, "at": now.isoformat()},
        )


def maintenance_sweep(
    *, now: dt.datetime, d: CareDefaults, scan: Scan, homes: dict[int, Home]
) -> tuple[list[MaintenanceTask], int]:
    """Open and resolve maintenance tasks, from the sweep's scan and homes (which must hold
    the households of `scan.stuck`). Inside the sweep's transaction. Returns the tasks
    opened and the number resolved; marks newly stuck devices in `homes`."""
    opened: list[MaintenanceTask] = []
    found = {TaskKind.OFFLINE: scan.offline, TaskKind.STUCK: _stuck(scan, homes, now, d)}
    found[TaskKind.BATTERY] = _battery(d)
    resolved: list[int] = []
    open_now: dict[str, dict[int, int]] = {kind: {} for kind in found}
    for kind, device_id, pk in MaintenanceTask.objects.filter(status=TaskStatus.OPEN).values_list(
        "kind", "device_id", "pk"
    ):
        open_now[kind][device_id] = pk
    # A task a worker closed is not reopened at once: the repaired device needs time to show
    # it works (a mended meter moves only at the next use).
    recent: set[tuple[str, int]] = set()
    for kind, device_id, closed_at in MaintenanceTask.objects.filter(
        status=TaskStatus.CLOSED, closed_at__gte=now - max(DAY, dt.timedelta(days=d.stuck_days))
    ).values_list("kind", "device_id", "closed_at"):
        grace = dt.timedelta(days=d.stuck_days) if kind == TaskKind.STUCK else DAY
        if closed_at is not None and closed_at >= now - grace:
            recent.add((kind, device_id))
    for kind, devices in found.items():
        gone = [pk for device_id, pk in open_now[kind].items() if device_id not in devices]
        if gone:
            MaintenanceTask.objects.filter(pk__in=gone).update(
                status=TaskStatus.RESOLVED_AUTO, closed_at=now, updated_at=now
            )
            _audit(AuditAction.TASKS_RESOLVED, gone, now, kind)
            resolved.extend(gone)
        new = [
            MaintenanceTask(
                device_id=pk,
                household_id=household_id,
                kind=kind,
                opened_at=now,
                evidence={"since": since.isoformat()} if since else {},
            )
            for pk, (household_id, since) in devices.items()
            if pk not in open_now[kind] and (kind, pk) not in recent
        ]
        if new:
            created = MaintenanceTask.objects.bulk_create(new)
            _audit(AuditAction.TASKS_OPENED, [t.pk for t in created], now, kind)
            opened += created
    if opened:
        _tell_community(opened)
    for t in opened:
        if t.kind == TaskKind.STUCK and t.household_id in homes:
            for f in homes[t.household_id].devices:
                f.stuck = f.stuck or f.pk == t.device_id
    return opened, len(resolved)


def _tell_community(tasks: list[MaintenanceTask]) -> None:
    where = places({t.household_id for t in tasks})
    by_community: dict[int, int] = defaultdict(int)
    for t in tasks:
        by_community[where[t.household_id].community_id] += 1
    staff = community_staff(by_community)
    for community_id, count in by_community.items():
        for user in staff.get(community_id, []):
            notification_send(
                recipient=user,
                title=f"设备维护:{count} 台看护设备需要检修",
                body="设备离线、表计停走或电量不足,请安排上门检修。这不是老人的安全报警。",
                url=reverse("care:board"),
            )


@transaction.atomic
def maintenance_task_close(*, actor: Any, task_id: int, note: str = "") -> MaintenanceTask:
    """The installer has been: close the task (community workers of its community)."""
    visible = MaintenanceTask.objects.filter(
        Scope.for_actor(actor).q(community="household__building__grid__community")
    )
    task = visible.select_for_update().filter(pk=task_id).first()
    if task is None:
        raise NotFound(_("没有找到这条维护任务。"))
    if task.status != TaskStatus.OPEN:
        raise ValidationFailed(_("这条维护任务已经关闭。"))
    note = (note or "").strip()
    if len(note) > 300:
        raise ValidationFailed(_("说明最多 300 个字。"), field="note")
    now = timezone.now()
    task.status, task.closed_at, task.closed_by, task.note = TaskStatus.CLOSED, now, actor, note
    task.save(update_fields=["status", "closed_at", "closed_by", "note", "updated_at"])
    audit_record(actor=actor, action=AuditAction.TASK_CLOSED, obj=task, data={"kind": task.kind})
    return task
