"""CARE-2 ingest service: accepted readings, idempotency, and every bad-reading case, each
refused on its own with a clear Chinese message while the rest of the batch goes in."""

import datetime as dt
import math

import pytest
from django.utils import timezone

from linli.care.models import DeviceState, Reading
from linli.care.services.devices import device_deactivate, gateway_create
from linli.care.services.ingest import ReadingIn, readings_ingest
from linli.care.tests.ingest_helpers import ago, ingest, make_home, stored


@pytest.fixture
def home(world):
    return make_home(world)


def test_meter_readings_are_stored_and_fold_into_the_state(home):
    w = home.serial("water")
    t0, t1, t2, t3 = ago(hours=6), ago(hours=5), ago(hours=4), ago(hours=3)
    result = ingest(home, (w, t0, 10.0), (w, t1, 10.004), (w, t2, 10.012), (w, t3, 10.012))
    assert (result.accepted, result.duplicates, result.rejected) == (4, 0, [])
    assert stored(home.devices["water"]) == [(t0, 10.0), (t1, 10.004), (t2, 10.012), (t3, 10.012)]
    state = DeviceState.objects.get(device=home.devices["water"])
    assert (state.last_at, state.last_value) == (t3, 10.012)
    # 0.012 m³ since the first reading reached the 0.01 m³ "use" threshold at t2.
    assert (state.use_mark_at, state.use_mark_value) == (t2, 10.012)
    assert state.last_change_at == t2
    assert state.household_id == home.household.pk


def test_event_readings_count_events_and_heartbeats(home):
    d = home.serial("door")
    t0, t1, t2 = ago(hours=3), ago(hours=2), ago(hours=1)
    result = ingest(home, (d, t0, 1), (d, t1, 2), (d, t2, 0))
    assert result.accepted == 3
    state = DeviceState.objects.get(device=home.devices["door"])
    assert state.last_event_at == t1  # the heartbeat at t2 is no event
    assert state.last_at == t2


def test_last_seen_and_battery_follow_the_newest_reading(home):
    m = home.serial("motion")
    t0, t1 = ago(hours=2), ago(hours=1)
    readings = [ReadingIn(m, t1, 0, battery=40), ReadingIn(m, t0, 1, battery=90)]
    readings_ingest(readings=readings, gateway=home.gateway, source="test")
    device = home.devices["motion"]
    device.refresh_from_db()
    assert device.last_seen_at == t1 and device.battery == 40
    # A late reading does not turn the battery back to an older level.
    readings_ingest(
        readings=[ReadingIn(m, ago(hours=3), 0, battery=95)], gateway=home.gateway, source="t"
    )
    device.refresh_from_db()
    assert device.last_seen_at == t1 and device.battery == 40


def test_same_reading_twice_is_a_duplicate_not_an_error(home):
    w, e = home.serial("water"), home.serial("electricity")
    batch = [(w, ago(hours=2), 5.0), (e, ago(hours=2), 100.0), (w, ago(hours=1), 5.0)]
    first = ingest(home, *batch)
    again = ingest(home, *batch)
    assert (first.accepted, first.duplicates) == (3, 0)
    assert (again.accepted, again.duplicates, again.rejected) == (0, 3, [])
    assert Reading.objects.count() == 3


def test_duplicate_inside_one_batch_is_counted_once(home):
    w, at = home.serial("water"), ago(hours=1)
    result = ingest(home, (w, at, 5.0), (w, at, 5.0))
    assert (result.accepted, result.duplicates) == (1, 1)
    assert Reading.objects.count() == 1


def test_same_time_different_value_is_refused_and_the_first_kept(home):
    w, at = home.serial("water"), ago(hours=1)
    ingest(home, (w, at, 5.0))
    result = ingest(home, (w, at, 5.5))
    assert result.accepted == 0
    [bad] = result.rejected
    assert bad.code == "conflict" and "同一时刻读数不一致" in bad.message
    assert stored(home.devices["water"]) == [(at, 5.0)]


def test_reading_already_stored_behind_the_state_is_still_recognised(home):
    """A reading written around ingest (the state does not know it): the batch is re-checked
    against stored readings, so nothing is doubled and a clash is still refused."""
    device, at = home.devices["water"], ago(hours=1)
    Reading.objects.create(device=device, at=at, value=5.0, received_at=timezone.now())
    result = ingest(home, (device.serial, at, 5.0), (device.serial, ago(minutes=30), 5.1))
    assert (result.accepted, result.duplicates, result.rejected) == (1, 1, [])
    clash = ingest(home, (device.serial, at, 4.0))
    assert clash.rejected[0].code == "conflict"
    assert Reading.objects.filter(device=device).count() == 2


def _one_bad(home, bad: ReadingIn, *, gateway=None):
    """Send one good reading and one bad one; return the refusal after checking that only
    the good one was stored."""
    good = ReadingIn(home.serial("door"), ago(minutes=10), 1)
    before = Reading.objects.count()
    result = readings_ingest(readings=[good, bad], gateway=gateway or home.gateway, source="test")
    assert result.accepted == 1, result.rejected
    assert Reading.objects.count() == before + 1
    [refused] = result.rejected
    assert refused.index == 1 and refused.serial == bad.serial
    return refused


def test_unknown_device_is_refused(home):
    refused = _one_bad(home, ReadingIn("NO-SUCH", ago(minutes=5), 1.0))
    assert refused.code == "unknown_device" and "未登记" in refused.message


def test_device_of_another_gateway_is_refused(home, world):
    other, _ = gateway_create(actor=None, name="gw-other", community=world.community_a)
    good = ReadingIn("NO-SUCH", ago(minutes=5), 1.0)
    result = readings_ingest(
        readings=[good, ReadingIn(home.serial("water"), ago(minutes=5), 1.0)],
        gateway=other,
        source="test",
    )
    assert result.accepted == 0
    assert result.rejected[1].code == "wrong_gateway"
    assert "不属于网关「gw-other」" in result.rejected[1].message
    assert not Reading.objects.exists()


def test_inactive_device_is_refused(home):
    device_deactivate(actor=None, device_id=home.devices["motion"].pk)
    refused = _one_bad(home, ReadingIn(home.serial("motion"), ago(minutes=5), 1))
    assert refused.code == "inactive_device" and "已停用" in refused.message


def test_time_far_in_the_future_is_refused_but_small_clock_skew_is_not(home):
    m = home.serial("motion")
    skewed = timezone.now() + dt.timedelta(minutes=4)
    assert ingest(home, (m, skewed, 1)).accepted == 1
    refused = _one_bad(home, ReadingIn(m, timezone.now() + dt.timedelta(minutes=6), 1))
    assert refused.code == "future" and "时间在未来" in refused.message


def test_time_before_the_device_was_installed_is_refused(home):
    refused = _one_bad(home, ReadingIn(home.serial("water"), ago(days=365), 1.0))
    assert refused.code == "before_install"


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_nan_and_infinite_values_are_refused(home, value):
    refused = _one_bad(home, ReadingIn(home.serial("water"), ago(minutes=5), value))
    assert refused.code == "not_finite" and "不是有效数字" in refused.message


def test_negative_value_is_refused(home):
    refused = _one_bad(home, ReadingIn(home.serial("electricity"), ago(minutes=5), -3.0))
    assert refused.code == "negative" and "负数" in refused.message


def test_event_count_must_be_whole(home):
    refused = _one_bad(home, ReadingIn(home.serial("door"), ago(minutes=3), 0.5))
    assert refused.code == "not_integer"


def test_battery_outside_0_to_100_is_refused(home):
    refused = _one_bad(home, ReadingIn(home.serial("water"), ago(minutes=5), 1.0, battery=140))
    assert refused.code == "bad_battery"


def test_register_going_backwards_is_refused(home):
    w = home.serial("water")
    ingest(home, (w, ago(hours=2), 50.0))
    refused = _one_bad(home, ReadingIn(w, ago(hours=1), 49.5))
    assert refused.code == "backwards" and "读数倒退" in refused.message
    assert stored(home.devices["water"])[-1][1] == 50.0


def test_late_reading_larger_than_the_one_after_it_is_refused(home):
    """Both sides are checked: a late reading must also not exceed the reading after it."""
    w = home.serial("water")
    ingest(home, (w, ago(hours=3), 50.0), (w, ago(hours=1), 50.2))
    refused = _one_bad(home, ReadingIn(w, ago(hours=2), 50.3))
    assert refused.code == "backwards" and "大于之后" in refused.message
    ok = ingest(home, (w, ago(hours=2), 50.1))
    assert ok.accepted == 1


def test_rollover_near_the_register_maximum_is_accepted(home):
    w, t0, t1 = home.devices["water"], ago(hours=2), ago(hours=1)
    assert ingest(home, (w.serial, t0, 99998.5)).accepted == 1
    result = ingest(home, (w.serial, t1, 0.3))
    assert (result.accepted, result.rejected) == (1, [])
    state = DeviceState.objects.get(device=w)
    # 0.8 m³ across the wrap counts as use.
    assert (state.use_mark_at, state.use_mark_value, state.last_change_at) == (t1, 0.3, t1)


def test_drop_to_zero_from_the_middle_of_the_range_is_not_a_rollover(home):
    w = home.serial("water")
    ingest(home, (w, ago(hours=2), 500.0))
    refused = _one_bad(home, ReadingIn(w, ago(hours=1), 0.1))
    assert refused.code == "backwards"


def test_value_at_or_above_the_register_range_is_refused(home):
    refused = _one_bad(home, ReadingIn(home.serial("water"), ago(minutes=5), 100000.0))
    assert refused.code == "over_range" and "量程" in refused.message


def test_impossible_consumption_is_refused(home):
    e = home.serial("electricity")
    ingest(home, (e, ago(hours=2), 1000.0))
    refused = _one_bad(home, ReadingIn(e, ago(hours=1), 1500.0))  # 500 kWh in an hour
    assert refused.code == "impossible_use" and "用量不可能" in refused.message


def test_indexes_point_at_the_refused_readings_in_a_mixed_batch(home):
    w, m = home.serial("water"), home.serial("motion")
    readings = [
        ReadingIn(w, ago(hours=3), 7.0),
        ReadingIn("GHOST", ago(hours=3), 1.0),
        ReadingIn(m, ago(hours=3), 1),
        ReadingIn(w, ago(hours=2), -1.0),
        ReadingIn(w, ago(hours=1), 6.0),
        ReadingIn(m, ago(hours=1), 1),
    ]
    result = readings_ingest(readings=readings, gateway=home.gateway, source="test")
    assert result.accepted == 3
    assert [(r.index, r.code) for r in result.rejected] == [
        (1, "unknown_device"),
        (3, "negative"),
        (4, "backwards"),
    ]


def test_naive_times_are_beijing_time(home):
    naive = timezone.localtime(ago(hours=1)).replace(tzinfo=None)
    result = readings_ingest(
        readings=[ReadingIn(home.serial("door"), naive, 1)], gateway=home.gateway, source="t"
    )
    assert result.accepted == 1
    assert Reading.objects.get().at == timezone.make_aware(naive)


def test_no_gateway_means_a_trusted_internal_caller(home):
    result = readings_ingest(
        readings=[ReadingIn(home.serial("door"), ago(minutes=1), 1)], gateway=None, source="sim"
    )
    assert result.accepted == 1 and Reading.objects.get().source == "sim"


def test_simulated_clock_decides_what_is_in_the_future(home):
    then = timezone.now() - dt.timedelta(days=10)
    d = home.serial("door")
    result = readings_ingest(
        readings=[ReadingIn(d, then + dt.timedelta(minutes=10), 1)],
        gateway=None,
        source="sim",
        now=then,
    )
    assert result.rejected[0].code == "future"
    ok = readings_ingest(
        readings=[ReadingIn(d, then - dt.timedelta(minutes=10), 1)],
        gateway=None,
        source="sim",
        now=then,
    )
    assert ok.accepted == 1 and Reading.objects.get().received_at == then
