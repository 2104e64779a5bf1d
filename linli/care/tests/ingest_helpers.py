"""Shared set-up for the ingest tests: a household in grid a1 with one device of each kind
behind one gateway."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from linli.care.models import Device, DeviceKind, Gateway, Reading
from linli.care.services.devices import device_register, gateway_create
from linli.care.services.ingest import IngestResult, ReadingIn, readings_ingest
from linli.geo.models import Building, Household
from linli.people.models import Resident

SERIALS = {
    DeviceKind.WATER: "W-101",
    DeviceKind.ELECTRICITY: "E-101",
    DeviceKind.DOOR: "D-101",
    DeviceKind.MOTION: "M-101",
    DeviceKind.BUTTON: "B-101",
}


@dataclass
class Home:
    household: Household
    resident: Resident
    gateway: Gateway
    token: str
    devices: dict[str, Device] = field(default_factory=dict)

    def serial(self, kind: str) -> str:
        return self.devices[kind].serial


def make_home(
    world: Any, *, gateway_name: str = "gw-a1-1", prefix: str = "", room: str = "101"
) -> Home:
    """A household in grid a1 (甲社区) with all five device kinds on one gateway."""
    if room == "101":
        household = Household.objects.get(room="101")
    else:
        building = Building.objects.get(name="1幢")
        household = Household.objects.create(building=building, unit="1单元", room=room)
    resident = household.residents.first() or Resident.objects.create(
        household=household, full_name="李建国", sex="M", birth_year=1944
    )
    gateway, token = gateway_create(actor=None, name=gateway_name, community=world.community_a)
    home = Home(household, resident, gateway, token)
    for kind, serial in SERIALS.items():
        home.devices[kind] = device_register(
            actor=None,
            serial=prefix + serial,
            kind=kind,
            household=household,
            resident=resident,
            gateway=gateway,
            installed_on=timezone.localdate() - dt.timedelta(days=60),
            register_max=99999.0 if kind in (DeviceKind.WATER, DeviceKind.ELECTRICITY) else None,
        )
    return home


def ago(**kwargs: float) -> dt.datetime:
    """A whole-second aware time in the past (readings' times round-trip through JSON)."""
    return (timezone.now() - dt.timedelta(**kwargs)).replace(microsecond=0)


def ingest(home: Home, *triples: tuple[str, dt.datetime, float]) -> IngestResult:
    readings = [ReadingIn(serial=s, at=at, value=v) for s, at, v in triples]
    return readings_ingest(readings=readings, gateway=home.gateway, source="test")


def stored(device: Device) -> list[tuple[dt.datetime, float]]:
    return list(Reading.objects.filter(device=device).order_by("at").values_list("at", "value"))
