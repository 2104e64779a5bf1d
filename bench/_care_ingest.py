"""Shared by bench/care_ingest_http.py and bench/care_ingest_mqtt.py: a throwaway PostgreSQL
database with a fleet of gateways and devices, the readings they send, and the count that
proves none was lost or doubled.

The fleet is made with bulk inserts (households, devices, device states) rather than
`device_register` one by one, which would spend the set-up minutes on audit entries; the
gateways are made by `gateway_create`, so their tokens are real.
"""

import datetime as dt
import json
import random
from dataclasses import dataclass, field
from typing import Any

from _common import build_database, django_setup

KINDS = ("water", "electricity", "door", "motion", "button")


@dataclass
class GatewayFleet:
    name: str
    token: str
    devices: list[tuple[str, str]] = field(default_factory=list)  # (serial, kind)


def build_fleet(
    url: str, *, households: int, gateways: int, smoke: bool = False
) -> list[GatewayFleet]:
    """Recreate and migrate the database, then one household per 5 devices (one of each
    kind), spread over `gateways` gateways. Returns the fleet with tokens."""
    build_database(url, demo=False, smoke=smoke)
    django_setup(url)
    from django.utils import timezone

    from linli.care.models import Device, DeviceState
    from linli.care.services.devices import gateway_create
    from linli.geo.models import Building, Community, District, Grid, Household, Street

    district = District.objects.create(code="330106", name="西湖区", city="杭州市")
    street = Street.objects.create(district=district, code="001", name="压测街道")
    community = Community.objects.create(street=street, code="001", name="压测社区")
    grid = Grid.objects.create(
        community=community,
        code="001",
        unit_code="330106001001001",
        name="压测网格",
        geometry={
            "type": "Polygon",
            "coordinates": [[[120, 30], [120.1, 30], [120, 30.1], [120, 30]]],
        },
        min_lon=120,
        min_lat=30,
        max_lon=120.1,
        max_lat=30.1,
    )
    building = Building.objects.create(grid=grid, name="1幢", lat=30.05, lon=120.05)
    homes = Household.objects.bulk_create(
        [Household(building=building, unit="1单元", room=str(i)) for i in range(households)]
    )
    fleet = []
    for g in range(gateways):
        gateway, token = gateway_create(actor=None, name=f"bench-gw-{g}", community=community)
        fleet.append(GatewayFleet(gateway.name, token))
        fleet[-1].pk = gateway.pk  # type: ignore[attr-defined]
    installed = timezone.localdate() - dt.timedelta(days=30)
    devices = []
    for i, home in enumerate(homes):
        gw = fleet[i % gateways]
        for kind in KINDS:
            serial = f"{kind[0].upper()}{i:06d}"
            gw.devices.append((serial, kind))
            devices.append(
                Device(
                    serial=serial,
                    kind=kind,
                    household=home,
                    gateway_id=gw.pk,  # type: ignore[attr-defined]
                    installed_on=installed,
                    register_max=99999.0 if kind in ("water", "electricity") else None,
                )
            )
    Device.objects.bulk_create(devices, batch_size=5000)
    DeviceState.objects.bulk_create(
        [DeviceState(device=d, household_id=d.household_id, kind=d.kind) for d in devices],
        batch_size=5000,
    )
    return fleet


def reading_batches(
    gw: GatewayFleet, *, steps: int, end: dt.datetime, step_seconds: int, batch: int, seed: int
) -> list[list[dict[str, Any]]]:
    """`steps` readings per device of the gateway, one every `step_seconds` up to `end`, in
    time order, cut into batches of `batch` readings (so batches go out in time order too).
    Meters climb like homes use water and power; door and motion count events; buttons
    only send heartbeats (a press would open a one-key call, which is not ingest)."""
    rng = random.Random(seed)
    registers = {s: rng.uniform(10, 5000) for s, _ in gw.devices}
    flat: list[dict[str, Any]] = []
    for step in range(steps):
        at = (end - dt.timedelta(seconds=step_seconds * (steps - 1 - step))).isoformat()
        for serial, kind in gw.devices:
            if kind == "water":
                registers[serial] += rng.choice((0.0, 0.0, 0.0, 0.003, 0.012, 0.04))
                value: float = round(registers[serial], 3)
            elif kind == "electricity":
                registers[serial] += rng.choice((0.01, 0.02, 0.05, 0.2))
                value = round(registers[serial], 3)
            elif kind == "button":
                value = 0
            else:
                value = int(rng.random() < 0.2)
            flat.append({"serial": serial, "at": at, "value": value, "battery": 80})
    return [flat[i : i + batch] for i in range(0, len(flat), batch)]


def body(readings: list[dict[str, Any]]) -> bytes:
    return json.dumps({"readings": readings}).encode()


def count_check(
    *, sent_distinct: int, accepted: int, duplicates: int, sent_total: int
) -> dict[str, Any]:
    """Count in the database what the gateways were told: every distinct reading stored
    once, the resent ones reported as duplicates, nothing else."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT count(*), count(DISTINCT (device_id, at)) FROM care_reading")
        stored, distinct = cur.fetchone()
        cur.execute(
            "SELECT count(*) FROM care_devicestate s JOIN (SELECT device_id, max(at) m "
            "FROM care_reading GROUP BY device_id) r ON r.device_id = s.device_id "
            "WHERE s.last_at = r.m"
        )
        (states_right,) = cur.fetchone()
        cur.execute("SELECT count(DISTINCT device_id) FROM care_reading")
        (devices,) = cur.fetchone()
    ok = (
        stored == distinct == sent_distinct == accepted
        and duplicates == sent_total - sent_distinct
        and states_right == devices
    )
    return {
        "sent": sent_total,
        "sent_distinct": sent_distinct,
        "accepted": accepted,
        "duplicates": duplicates,
        "stored": stored,
        "stored_distinct": distinct,
        "states_at_latest": f"{states_right}/{devices}",
        "ok": ok,
    }


def backend_pids(url: str) -> list[int]:
    """PostgreSQL backend processes serving the benchmark database (for their CPU time)."""
    from django.db import connection

    name = url.rsplit("/", 1)[1]
    with connection.cursor() as cur:
        cur.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )
        return [row[0] for row in cur.fetchall()]
