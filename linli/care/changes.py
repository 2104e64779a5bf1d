"""What care tells the grid worker's day (fieldwork, above care, reads these): the major
changes after which a person is visited within 24 h, and the device maintenance to do."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from linli.care.models import Alert, AlertStatus, AwayPeriod, AwayReason, MaintenanceTask
from linli.care.models.alerts import Outcome, TaskStatus

# Closing outcomes that say nothing changed for the person.
NOT_A_CHANGE = (Outcome.FALSE_ALARM, Outcome.DEVICE_FAULT)
ALERT_CLOSED, HOSPITAL_ENDED = "alert_closed", "hospital_ended"


@dataclass(frozen=True)
class HomeChange:
    household_id: int
    resident_id: int | None  # the alert's person, when known
    kind: str  # ALERT_CLOSED or HOSPITAL_ENDED
    at: dt.datetime


def major_changes(
    grid_ids: Iterable[int], *, since: dt.datetime, until: dt.datetime
) -> list[HomeChange]:
    """Welfare alerts closed (not false alarms) and hospital stays ended in [since, until]."""
    grids = sorted(set(grid_ids))
    alerts = Alert.objects.filter(
        household__building__grid_id__in=grids,
        status=AlertStatus.CLOSED,
        closed_at__gte=since,
        closed_at__lte=until,
    ).exclude(outcome__in=NOT_A_CHANGE)
    out = [
        HomeChange(h, r, ALERT_CLOSED, at)
        for h, r, at in alerts.values_list("household_id", "resident_id", "closed_at")
        if at is not None
    ]
    stays = AwayPeriod.objects.filter(
        household__building__grid_id__in=grids,
        reason=AwayReason.HOSPITAL,
        ends__gte=since,
        ends__lte=until,
    )
    out += [
        HomeChange(h, None, HOSPITAL_ENDED, at)
        for h, at in stays.values_list("household_id", "ends")
    ]
    return out


@dataclass(frozen=True)
class MaintenanceItem:
    task_id: int
    household_id: int
    building_id: int
    grid_id: int
    kind: str
    kind_label: str
    opened_at: dt.datetime


def maintenance_open(grid_ids: Iterable[int]) -> list[MaintenanceItem]:
    """Open device maintenance tasks (offline, stuck, battery) in these grids."""
    rows = (
        MaintenanceTask.objects.filter(
            household__building__grid_id__in=sorted(set(grid_ids)), status=TaskStatus.OPEN
        )
        .select_related("household__building")
        .order_by("opened_at", "pk")
    )
    return [
        MaintenanceItem(
            t.pk,
            t.household_id,
            t.household.building_id,
            t.household.building.grid_id,
            t.kind,
            str(t.get_kind_display()),
            t.opened_at,
        )
        for t in rows
    ]
