"""Readings by month (issue 18): on PostgreSQL each reading lands in its month's partition,
the (device, at) idempotency key holds across months, late readings into an earlier month
and the rules' rechecks work across the month end, a reading with no month partition waits
in the default one until its partition is made, and retention drops whole months after
rolling them up by hour (SQLite: the same outcome by DELETE)."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from linli.care.models import Alert, AlertStatus, Device, DeviceKind, Reading, ReadingHour
from linli.care.scheduled import care_sweep
from linli.care.services import partitions as parts
from linli.care.services.ingest import ReadingIn, readings_ingest
from linli.care.tests import rules_helpers
from linli.care.tests.ingest_helpers import ingest, make_home, stored

TZ = timezone.get_default_timezone()
# Twenty past midnight on 1 February 2027: the readings of the last half hour cross the
# month end (Beijing time).
NOW = "2027-02-01 00:20"
FEB = dt.datetime(2027, 2, 1, tzinfo=TZ)
JAN = dt.datetime(2027, 1, 1, tzinfo=TZ)


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=TZ)


def pg() -> bool:
    return connection.vendor == "postgresql"


def where() -> dict[str, int]:
    """Readings per partition (PostgreSQL)."""
    with connection.cursor() as cur:
        cur.execute("SELECT tableoid::regclass::text, count(*) FROM care_reading GROUP BY 1")
        return dict(cur.fetchall())


@pytest.fixture
def home(world):
    home = make_home(world)
    Device.objects.filter(household=home.household).update(installed_on=dt.date(2026, 1, 1))
    if pg():
        # Whatever month the test database was made in: the two months around the end.
        parts.partition_create(JAN)
        parts.partition_create(FEB)
    return home


@pytest.mark.clock(NOW, tick=False)
def test_readings_across_the_month_end_are_stored_once(home):
    w = home.serial("water")
    times = [local(2027, 1, 31, 23, 30) + dt.timedelta(minutes=5 * i) for i in range(10)]
    batch = [(w, t, 100.0 + 0.01 * i) for i, t in enumerate(times)]
    first = ingest(home, *batch)
    assert (first.accepted, first.duplicates, first.rejected) == (10, 0, [])
    # Sent again, and again mixed: one reading of each month.
    again = ingest(home, *batch)
    mixed = ingest(home, batch[5], batch[6], batch[5])
    assert (again.accepted, again.duplicates) == (0, 10)
    assert (mixed.accepted, mixed.duplicates, mixed.rejected) == (0, 3, [])
    assert Reading.objects.count() == 10
    # The same moment with another value is still refused across partitions.
    conflict = ingest(home, (w, times[7], 999.0))
    assert [r.code for r in conflict.rejected] == ["conflict"]
    if pg():
        assert where() == {"care_reading_y2027m01": 6, "care_reading_y2027m02": 4}


@pytest.mark.clock(NOW, tick=False)
def test_a_late_reading_into_last_month_refolds_the_state(home):
    w = home.serial("water")
    ingest(home, (w, local(2027, 1, 31, 23, 0), 50.0), (w, local(2027, 2, 1, 0, 15), 50.012))
    state = home.devices["water"].state
    state.refresh_from_db()
    assert state.use_mark_at == local(2027, 2, 1, 0, 15)
    late = ingest(home, (w, local(2027, 1, 31, 23, 40), 50.011))
    assert (late.accepted, late.late) == (1, 1)
    assert [v for _, v in stored(home.devices["water"])] == [50.0, 50.011, 50.012]
    state.refresh_from_db()
    # The use threshold (0.01 m³) was reached by the late reading, in January.
    assert state.use_mark_at == local(2027, 1, 31, 23, 40)
    assert state.last_at == local(2027, 2, 1, 0, 15)


def test_late_readings_of_last_month_resolve_an_alert_opened_this_month(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    """The recheck scenario of test_alerts_recheck, moved so that the no-water alert opens
    after midnight on 1 February and the held-up motion events are from 31 January."""
    monkeypatch.setattr(rules_helpers, "T0", local(2027, 1, 31, 12, 0))
    at = rules_helpers.at
    if pg():
        parts.partition_create(JAN)
        parts.partition_create(FEB)
    W, D, M = DeviceKind.WATER, DeviceKind.DOOR, DeviceKind.MOTION
    home = rules_helpers.make_home(world, kinds=(W, D, M))
    home.water(at(0), at(15), uses={at(1): 0.02})
    home.events(M, at(1))
    home.beats(M, at(0), at(15), hours=1)
    home.beats(D, at(0), at(15), hours=1)
    rules_helpers.sweep(at(13, minutes=3))  # 01:03 on 1 February
    (alert,) = rules_helpers.active_alerts(home)
    assert timezone.localtime(alert.opened_at).date() == dt.date(2027, 2, 1)
    with django_capture_on_commit_callbacks(execute=True):
        result = home.events(M, at(3, minutes=20))  # 15:20 on 31 January
    assert result.accepted == 1 and result.late == 1
    alert.refresh_from_db()
    assert alert.status == AlertStatus.RESOLVED_AUTO
    if pg():
        assert set(where()) == {"care_reading_y2027m01", "care_reading_y2027m02"}


@pytest.mark.clock(NOW, tick=False)
def test_a_reading_with_no_month_partition_waits_in_the_default_one(home):
    if not pg():
        pytest.skip("partitions are PostgreSQL's")
    w = home.serial("water")
    october = local(2026, 10, 15, 8, 0)
    assert Reading.objects.filter(at__lt=local(2026, 11, 1)).count() == 0
    assert ingest(home, (w, october, 7.0)).accepted == 1
    assert where() == {"care_reading_default": 1}
    assert parts.partition_create(local(2026, 10, 1))
    assert where() == {"care_reading_y2026m10": 1}
    # Moved, and still the one stored reading for that moment.
    assert ingest(home, (w, october, 7.0)).duplicates == 1
    assert Reading.objects.count() == 1


@pytest.mark.clock("2027-06-15 09:00", tick=False)
def test_the_sweep_makes_the_coming_months_partitions(world):
    if not pg():
        assert care_sweep().skipped is False
        return
    care_sweep()
    have = parts.partitions()
    for month in (6, 7, 8):
        assert local(2027, month, 1) in have
    assert care_sweep().skipped is False and parts.partitions() == have  # nothing twice


@pytest.mark.clock(NOW, tick=False)
def test_retention_rolls_up_then_drops_whole_months(home, settings):
    w, d = home.serial("water"), home.serial("door")
    if pg():
        for month in (11, 12):
            parts.partition_create(local(2026, month, 1))
    old = [
        (w, local(2026, 11, 30, 8, 0), 10.0),
        (w, local(2026, 11, 30, 8, 20), 10.5),
        (w, local(2026, 11, 30, 8, 40), 10.25 + 0.5),
        (d, local(2026, 12, 31, 23, 10), 2),
        (d, local(2026, 12, 31, 23, 50), 1),
    ]
    recent = [(w, local(2027, 1, 5, 8, 0), 20.0), (w, local(2027, 2, 1, 0, 10), 21.0)]
    assert ingest(home, *old, *recent).accepted == 7
    out = call_command_text("care_retention", "--keep-months", "1")
    assert "kept from 2027-01-01 00:00+0800" in out
    assert [v for _, v in stored(home.devices["water"])] == [20.0, 21.0]
    assert Reading.objects.count() == 2
    hours = {
        (h.device.kind, timezone.localtime(h.hour).isoformat()): (
            h.readings,
            h.first_value,
            h.last_value,
            h.min_value,
            h.max_value,
            h.value_sum,
        )
        for h in ReadingHour.objects.select_related("device")
    }
    assert hours == {
        ("water", "2026-11-30T08:00:00+08:00"): (3, 10.0, 10.75, 10.0, 10.75, 31.25),
        ("door", "2026-12-31T23:00:00+08:00"): (2, 2.0, 1.0, 1.0, 2.0, 3.0),
    }
    if pg():
        # (a reused test database may hold more old months, made by committed sweeps)
        assert "care_reading_y2026m11 care_reading_y2026m12;" in out
        assert min(parts.partitions()) >= JAN
    else:
        assert "deleted 5 rows" in out
    # Again: nothing more to drop, the rollups unchanged.
    call_command_text("care_retention", "--keep-months", "1")
    assert ReadingHour.objects.count() == 2 and Reading.objects.count() == 2
    # A late reading from a dropped month is refused, not stored again.
    settings.CARE_READINGS_KEEP_MONTHS = 1
    refused = ingest(home, (w, local(2026, 12, 20, 8, 0), 15.0))
    assert [(r.code, r.message) for r in refused.rejected] == [
        ("expired", "读数时间早于原始读数的保留期限,不再入库。")
    ]
    assert Reading.objects.count() == 2


@pytest.mark.clock(NOW, tick=False)
def test_rollups_take_in_late_readings_when_run_again(home):
    d = home.serial("door")
    ingest(home, (d, local(2027, 1, 31, 23, 5), 1))
    parts.rollups_refresh(local(2027, 1, 31, 23), FEB)
    ingest(home, (d, local(2027, 1, 31, 23, 45), 3))
    parts.rollups_refresh(local(2027, 1, 31, 23), FEB)
    (h,) = ReadingHour.objects.all()
    assert (h.readings, h.value_sum, h.last_at) == (2, 4.0, local(2027, 1, 31, 23, 45))


def test_retention_refuses_a_negative_count(db):
    with pytest.raises(CommandError, match="不能为负数"):
        call_command("care_retention", "--keep-months", "-1")


def test_keep_months_zero_keeps_everything(home):
    readings_ingest(
        readings=[ReadingIn(home.serial("door"), local(2026, 2, 1, 8, 0), 1)],
        gateway=home.gateway,
        source="test",
    )
    assert "keeping every reading" in call_command_text("care_retention", "--keep-months", "0")
    assert Reading.objects.count() == 1 and not Alert.objects.exists()


def call_command_text(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()
