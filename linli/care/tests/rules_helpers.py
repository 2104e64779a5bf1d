"""Set-up for the rule, alert and sweep tests (C2): 王秀英 living alone in 甲社区 grid a1
(1幢1单元101) with a water meter, an electricity meter, a door and a motion sensor, her
daughter's family account as a contact. Readings go through the real ingest service with
the clock of the scenario (`at`), starting on Monday 2 March 2026."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from linli.care.models import Alert, AlertStatus, Device, DeviceKind
from linli.care.scheduled import SweepResult, care_sweep
from linli.care.services.devices import device_register
from linli.care.services.ingest import IngestResult, ReadingIn, readings_ingest
from linli.core.notifications.models import Notification
from linli.geo.models import Household
from linli.people.models import Contact, Resident

TZ = timezone.get_default_timezone()
T0 = dt.datetime(2026, 3, 2, 0, 0, tzinfo=TZ)  # a Monday
INSTALLED = dt.date(2026, 2, 1)


def at(hours: float = 0, *, days: float = 0, minutes: float = 0) -> dt.datetime:
    return T0 + dt.timedelta(days=days, hours=hours, minutes=minutes)


@dataclass
class Home:
    world: Any
    household: Household
    resident: Resident
    devices: dict[str, Device] = field(default_factory=dict)
    water_register: float = 120.0
    power_register: float = 3000.0

    def serial(self, kind: str) -> str:
        return self.devices[kind].serial

    def send(
        self,
        *items: tuple[str, dt.datetime, float],
        now: dt.datetime | None = None,
        battery: int | None = None,
    ) -> IngestResult:
        readings = [ReadingIn(self.serial(k), t, v, battery) for k, t, v in items]
        latest = max(t for _, t, _ in items)
        return readings_ingest(readings=readings, gateway=None, source="test", now=now or latest)

    def water(
        self,
        start: dt.datetime,
        end: dt.datetime,
        *,
        uses: dict[dt.datetime, float] | None = None,
        every: float = 15,
    ) -> None:
        """Meter readings every `every` minutes in [start, end]; `uses` adds m³ at a time."""
        uses = uses or {}
        items, t = [], start
        while t <= end:
            self.water_register += sum(
                v for u, v in uses.items() if t - dt.timedelta(minutes=every) < u <= t
            )
            items.append((DeviceKind.WATER, t, round(self.water_register, 4)))
            t += dt.timedelta(minutes=every)
        self.send(*items)

    def events(self, kind: str, *times: dt.datetime, value: float = 1.0) -> IngestResult:
        return self.send(*[(kind, t, value) for t in times])

    def beats(self, kind: str, start: dt.datetime, end: dt.datetime, hours: float = 2) -> None:
        items, t = [], start
        while t <= end:
            items.append((kind, t, 0.0))
            t += dt.timedelta(hours=hours)
        self.send(*items)


def make_home(
    world: Any,
    *,
    kinds: tuple[str, ...] = (
        DeviceKind.WATER,
        DeviceKind.ELECTRICITY,
        DeviceKind.DOOR,
        DeviceKind.MOTION,
    ),
) -> Home:
    household = Household.objects.get(room="101")
    resident = Resident.objects.get(household=household)
    family = world["family"]
    Contact.objects.create(resident=resident, name="李红", relation="女儿", user=family)
    home = Home(world, household, resident)
    for kind in kinds:
        home.devices[kind] = device_register(
            actor=None,
            serial=f"T-{kind}",
            kind=kind,
            household=household,
            resident=resident,
            installed_on=INSTALLED,
            register_max=99999.0 if kind == DeviceKind.ELECTRICITY else None,
        )
    return home


def sweep(moment: dt.datetime) -> SweepResult:
    return care_sweep(now=moment)


def active_alerts(home: Home, rule: str | None = None) -> list[Alert]:
    qs = Alert.objects.filter(
        household=home.household,
        status__in=(AlertStatus.DEFERRED, AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED),
    )
    if rule:
        qs = qs.filter(rule=rule)
    return list(qs.order_by("pk"))


def inbox(user: Any, prefix: str = "") -> list[str]:
    """The titles of the user's messages (those starting with `prefix`), oldest first."""
    titles = Notification.objects.filter(recipient=user).order_by("pk")
    return [t for t in titles.values_list("title", flat=True) if t.startswith(prefix)]
