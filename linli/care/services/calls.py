"""One-key calls (CARE-6): a press tells the grid worker and the family at once, with the
location, opens an alert (rule CALL, a visit due in 30 minutes) and a case through casework
intake (channel 感知设备).

Duplicates: a press within `DUPLICATE_WINDOW` of an earlier press of the same home is a
duplicate when that earlier call is still being handled, or was closed only after this press
was made (a press delivered late). A duplicate is recorded and counted, and changes nothing
else. A press outside the window while the call is still open tells everyone again ("再次
呼叫") but opens no second alert or case. A press after the call was closed is a new call.

Ingest calls `button_pressed` after its commit, once per accepted button reading with at
least one press; calling it again for the same (device, time) does nothing.
"""

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from linli.care.choices import AuditAction
from linli.care.models import (
    ACTIVE_ALERT_STATUSES,
    Alert,
    AlertStatus,
    CallPress,
    Device,
    DeviceKind,
    Rule,
)
from linli.care.services.alerts import alert_open
from linli.casework.choices import Channel
from linli.casework.services.categories import category_ensure
from linli.casework.services.intake import CaseInput, case_submit
from linli.core.audit.services import audit_record
from linli.core.errors import ApplicationError
from linli.core.notifications.services import notification_send
from linli.geo.models import Household
from linli.geo.scope import community_staff, grid_workers
from linli.people.selectors import alert_audiences, residents_of_households

log = logging.getLogger(__name__)

DUPLICATE_WINDOW = dt.timedelta(minutes=10)
# A call is an emergency: the visit is due much sooner than a welfare alert's 2 hours, so an
# unanswered call escalates to the community (C2's sweep) after 30 minutes.
CALL_VISIT = dt.timedelta(minutes=30)
# The casework category used for calls (an emergency, not public), under 养老服务; created
# on first use if the tree lacks it.
CALL_CATEGORY = ("21-03", "一键呼叫求助")
CALL_PARENT = ("21", "养老服务")


@dataclass(frozen=True)
class Location:
    building: str
    unit: str
    room: str
    lat: float
    lon: float
    grid: str
    community: str

    @property
    def address(self) -> str:
        return f"{self.building}{self.unit}{self.room}"

    @property
    def text(self) -> str:
        return (
            f"{self.community}{self.grid} {self.building} {self.unit} {self.room}"
            f"(坐标 {self.lat:.5f}, {self.lon:.5f})"
        ).replace("  ", " ")


def location_of(household: Household) -> Location:
    b = household.building
    return Location(
        b.name, household.unit, household.room, b.lat, b.lon, b.grid.name, b.grid.community.name
    )


def _resident_id(device: Device) -> int | None:
    """Who pressed: the device's user, else the one person living there (if only one)."""
    if device.resident_id:
        return device.resident_id
    living = residents_of_households([device.household_id]).get(device.household_id, [])
    return living[0].id if len(living) == 1 else None


def _call_category() -> str:
    code, name = CALL_CATEGORY
    parent_code, parent_name = CALL_PARENT
    return category_ensure(
        code=code,
        name=name,
        parent_code=parent_code,
        parent_name=parent_name,
        emergency=True,
        public=False,
    )


def _open_case(device: Device, resident: Any, at: dt.datetime, where: Location) -> Any:
    """A case for the call; a failure here (say, the building lies outside every grid) must
    not stop the alert, so it runs in its own savepoint and is logged."""
    when = timezone.localtime(at).strftime("%Y-%m-%d %H:%M")
    data = CaseInput(
        category_code=_call_category(),
        description=(
            f"一键呼叫:{where.address}的呼叫器(设备 {device.serial})于 {when} 呼叫,请立即上门查看。"
        ),
        lat=where.lat,
        lon=where.lon,
        address=where.address,
    )
    try:
        with transaction.atomic():
            return case_submit(actor=None, data=data, channel=Channel.SENSOR, resident=resident)
    except ApplicationError as exc:
        log.warning("care call %s: no case opened: %s", device.pk, exc.message)
        return None


def _duplicate_of(household_id: int, at: dt.datetime) -> CallPress | None:
    near = (
        CallPress.objects.filter(
            household_id=household_id,
            at__gt=at - DUPLICATE_WINDOW,
            at__lt=at + DUPLICATE_WINDOW,
            alert__isnull=False,
        )
        .filter(
            Q(alert__status__in=ACTIVE_ALERT_STATUSES)
            | Q(alert__closed_at__isnull=False, alert__closed_at__gte=at)
        )
        .order_by("at")
    )
    return near.first()


def button_pressed(*, device_id: int, at: dt.datetime) -> CallPress | None:
    """CARE-6. Returns the recorded press (None for an unknown or non-button device)."""
    device = (
        Device.objects.select_related("household__building__grid__community", "resident")
        .filter(pk=device_id)
        .first()
    )
    if device is None or device.kind != DeviceKind.BUTTON:
        log.warning("care call: device %s is not a call button", device_id)
        return None
    try:
        return _press(device, at)
    except IntegrityError:
        # Another worker handled a press of this home at the same moment (the constraints
        # keep one alert and one row per press); judged again, this one joins it.
        return _press(device, at)


@transaction.atomic
def _press(device: Device, at: dt.datetime) -> CallPress:
    # One home's presses are handled one at a time (HTTP and MQTT may deliver together).
    Household.objects.select_for_update().filter(pk=device.household_id).first()
    done = CallPress.objects.filter(device=device, at=at).first()
    if done is not None:
        return done
    now = timezone.now()
    household = device.household
    where = location_of(household)
    dup = _duplicate_of(household.pk, at)
    if dup is not None:
        return CallPress.objects.create(
            device=device,
            household=household,
            at=at,
            received_at=now,
            alert=dup.alert,
            case=dup.case,
            duplicate=True,
        )
    active = (
        Alert.objects.select_for_update()
        .filter(household=household, rule=Rule.CALL, status__in=ACTIVE_ALERT_STATUSES)
        .first()
    )
    if active is not None:  # still being handled: call again, no second case
        press = CallPress.objects.create(
            device=device, household=household, at=at, received_at=now, alert=active
        )
        presses = int(active.evidence.get("presses", 1)) + 1
        active.evidence = {**active.evidence, "presses": presses, "last_press": at.isoformat()}
        active.save(update_fields=["evidence", "updated_at"])
        audit_record(
            actor=None, action=AuditAction.CALL_AGAIN, obj=active, data={"device": device.pk}
        )
        _tell(active, again=True)
        return press
    return _new_call(device, at, now, where)


def _new_call(device: Device, at: dt.datetime, now: dt.datetime, where: Location) -> CallPress:
    resident_id = _resident_id(device)
    evidence = {
        "device": device.serial,
        "presses": 1,
        "last_press": at.isoformat(),
        "lat": where.lat,
        "lon": where.lon,
    }
    alert = alert_open(
        household=device.household,
        rule=Rule.CALL,
        resident_id=resident_id,
        evidence=evidence,
        now=now,
        since=at,
        notify=False,
    )
    if alert is None:  # opened by a concurrent press after our check
        raise IntegrityError("call alert already open")
    alert.due_at = now + CALL_VISIT
    # The case names the person: the alert's foreign key loads them for casework.
    case = _open_case(device, alert.resident if resident_id else None, at, where)
    if case is not None:
        alert.evidence = {**alert.evidence, "case": case.tracking_no}
    alert.save(update_fields=["due_at", "evidence", "updated_at"])
    press = CallPress.objects.create(
        device=device, household=device.household, at=at, received_at=now, alert=alert, case=case
    )
    audit_record(
        actor=None,
        action=AuditAction.CALL,
        obj=alert,
        data={"device": device.pk, "case": case.pk if case else None},
    )
    _tell(alert, again=False)
    return press


def _tell(alert: Alert, *, again: bool) -> None:
    """The grid worker (or, without one, community staff) and the family the person allows
    (PEOPLE-6), each with the location. Inbox rows now, inside the press's transaction; the
    SMS go out after commit."""
    alert = Alert.objects.select_related("household__building__grid__community", "resident").get(
        pk=alert.pk
    )
    if alert.status not in (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED):
        return
    where = location_of(alert.household)
    grid = alert.household.building.grid
    staff = [u for u in [grid_workers([grid.pk]).get(grid.pk)] if u is not None]
    if not staff:
        staff = community_staff([grid.community_id]).get(grid.community_id, [])
    rid = alert.resident_id
    family = alert_audiences([rid]).get(rid, []) if rid is not None else []
    when = timezone.localtime(alert.since or alert.opened_at).strftime("%m-%d %H:%M")
    who = alert.resident.full_name if alert.resident else where.address
    prefix = "再次呼叫" if again else "一键呼叫"
    case = alert.evidence.get("case")
    case_text = f"已立案({case})。" if case else ""
    for user in staff:
        notification_send(
            recipient=user,
            title=f"【{prefix}】{who} {where.address}",
            body=f"{when} 按下一键呼叫,请立即上门。位置:{where.text}。{case_text}",
            url=reverse("care:alert", args=[alert.pk]),
            channels=("sms",),
        )
    for user in family:
        if any(user.pk == s.pk for s in staff):
            continue
        notification_send(
            recipient=user,
            title=f"【{prefix}】{who}按下了一键呼叫",
            body=f"{when} 呼叫,位置:{where.text}。网格员已收到通知,正在赶去。",
            url=reverse("care:family"),
            channels=("sms",),
        )
