"""CARE-2 under real concurrency (PostgreSQL): gateways and the MQTT subscriber ingesting
the same devices at once, with overlapping batches, lose nothing and double nothing, and
the device state ends as if the readings had come one by one in order."""

import datetime as dt
import random
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.utils import timezone

from linli.care.models import DeviceState, Reading
from linli.care.services.ingest import ReadingIn, readings_ingest
from linli.care.tests.ingest_helpers import make_home


@pytest.mark.django_db(transaction=True)
def test_parallel_overlapping_batches_store_each_reading_once(live_world):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself; real parallel writers need PostgreSQL")
    home = make_home(live_world)
    rng = random.Random(7)
    start = timezone.now().replace(microsecond=0) - dt.timedelta(hours=30)
    series: list[ReadingIn] = []
    for kind in ("water", "electricity", "motion"):
        value = 100.0
        for i in range(300):
            if kind == "motion":
                value = float(rng.random() < 0.3)
            else:
                value += rng.choice([0.0, 0.0, 0.004, 0.02, 0.3])
            series.append(ReadingIn(home.serial(kind), start + dt.timedelta(minutes=5 * i), value))
    # Every reading is sent twice, by different workers, in shuffled batches of 50.
    sends = series + series
    rng.shuffle(sends)
    batches = [sends[i : i + 50] for i in range(0, len(sends), 50)]

    def work(worker: int) -> tuple[int, int, int]:
        accepted = duplicates = rejected = 0
        try:
            for batch in batches[worker::4]:
                copies = [ReadingIn(r.serial, r.at, r.value) for r in batch]
                result = readings_ingest(readings=copies, gateway=home.gateway, source="par")
                accepted += result.accepted
                duplicates += result.duplicates
                rejected += len(result.rejected)
        finally:
            connections.close_all()
        return accepted, duplicates, rejected

    with ThreadPoolExecutor(max_workers=4) as pool:
        totals = [sum(x) for x in zip(*pool.map(work, range(4)), strict=True)]
    assert totals == [len(series), len(series), 0]
    assert Reading.objects.count() == len(series)
    # The same readings ingested in order, one batch, give the same states.
    reference = make_home(live_world, gateway_name="gw-ref", prefix="R", room="102")
    in_order = [
        ReadingIn("R" + r.serial, r.at, r.value) for r in sorted(series, key=lambda r: r.at)
    ]
    readings_ingest(readings=in_order, gateway=reference.gateway, source="ref")
    fields = ("last_at", "last_value", "use_mark_at", "use_mark_value", "last_event_at")
    for kind in ("water", "electricity", "motion"):
        got = DeviceState.objects.filter(device=home.devices[kind]).values_list(*fields).get()
        want = DeviceState.objects.filter(device=reference.devices[kind]).values_list(*fields).get()
        assert got == want, kind
