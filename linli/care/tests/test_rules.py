"""CARE-3/4/5: the welfare rules through the real ingest and sweep — no water for 12 hours,
no movement for 3 days, per-person thresholds, away periods, quiet hours, silent devices,
one open alert per household and rule."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from linli.care.models import (
    Alert,
    AlertStatus,
    AwayPeriod,
    AwayReason,
    CareProfile,
    DeviceKind,
    MaintenanceTask,
    Rule,
    TaskKind,
)
from linli.care.services.alerts import alert_open
from linli.care.tests.rules_helpers import active_alerts, at, inbox, make_home, sweep

W, D, M = DeviceKind.WATER, DeviceKind.DOOR, DeviceKind.MOTION


@pytest.fixture
def home(world):
    return make_home(world)


def quiet_day(home, *, until: float, use_at: float = 1.0) -> None:
    """Water read every 15 min from 00:00 to `until` h, one use at `use_at` h, when the
    person was also seen by the motion sensor; door and motion heartbeats all along."""
    home.water(at(0), at(until), uses={at(use_at): 0.02})
    home.events(M, at(use_at))
    home.beats(M, at(0), at(until))
    home.beats(D, at(0), at(until))


def test_twelve_hours_without_water_opens_one_visit_task_for_the_grid_worker(home, world):
    quiet_day(home, until=12.75)
    assert sweep(at(12, minutes=50)).opened == 0  # 11 h 45 min: not yet
    home.water(at(13), at(13))
    result = sweep(at(13, minutes=3))
    assert result.opened == 1
    (alert,) = active_alerts(home)
    assert (alert.rule, alert.status) == (Rule.NO_WATER, AlertStatus.OPEN)
    assert alert.since == at(1)
    assert alert.assigned_to == world["grid_worker"]
    assert alert.due_at == at(15, minutes=3)  # a visit within 2 hours
    assert alert.resident == home.resident
    assert alert.evidence["last_water_use"] == at(1).isoformat()
    assert inbox(world["grid_worker"]) == ["看护提醒:1幢1单元101 12小时无用水"]
    # Later sweeps keep the one alert.
    home.water(at(13.5), at(14))
    assert sweep(at(14, minutes=3)).opened == 0
    assert len(active_alerts(home)) == 1
    assert inbox(world["grid_worker"]) == ["看护提醒:1幢1单元101 12小时无用水"]


def test_a_still_meter_while_the_person_moves_about_is_not_a_welfare_alert(home):
    """CARE-4: the door and motion sensors see her; the meter's silence is the meter's."""
    quiet_day(home, until=13)
    home.events(M, *[at(h) for h in range(3, 13, 2)])
    sweep(at(13, minutes=3))
    assert active_alerts(home) == []
    # Twelve hours after her last movement, with still no water, it is a welfare alert.
    home.water(at(13.25), at(23))
    sweep(at(23, minutes=3))
    (alert,) = active_alerts(home)
    assert alert.since == at(11)


def test_a_meter_that_stopped_reporting_is_a_maintenance_task_not_an_alert(world):
    home = make_home(world, kinds=(W, M))
    home.water(at(0), at(10), uses={at(1): 0.02})
    home.events(M, at(1))
    home.beats(M, at(0), at(13))
    sweep(at(13, minutes=3))
    assert active_alerts(home) == []
    task = MaintenanceTask.objects.get(device=home.devices[W])
    assert (task.kind, task.status) == (TaskKind.OFFLINE, "open")
    assert inbox(world["community_worker"]) == ["设备维护:1 台看护设备需要检修"]
    # It reports again (its held-up readings too): the task closes itself, and now the
    # meter itself proves 13 hours without water.
    home.water(at(10.25), at(14))
    result = sweep(at(14, minutes=3))
    task.refresh_from_db()
    assert task.status == "resolved_auto"
    assert result.opened == 1 and active_alerts(home)[0].rule == Rule.NO_WATER


def test_an_away_period_suppresses_alerts_and_its_end_restarts_the_clock(home):
    AwayPeriod.objects.create(
        household=home.household, starts=at(2), ends=at(10), reason=AwayReason.HOSPITAL
    )
    quiet_day(home, until=22.25)
    sweep(at(13, minutes=3))
    assert active_alerts(home) == []  # silent since she came back at 10:00: 3 hours
    sweep(at(22, minutes=3))
    (alert,) = active_alerts(home)
    assert alert.since == at(10)


def test_no_welfare_alert_while_away(home):
    AwayPeriod.objects.create(
        household=home.household, starts=at(12), ends=at(40), reason=AwayReason.VISITING
    )
    quiet_day(home, until=13.25)
    assert sweep(at(13, minutes=3)).opened == 0
    # A one-key call is not silenced by an away period.
    call = alert_open(household=home.household, rule=Rule.CALL, evidence={}, now=at(13, minutes=5))
    assert call is not None and call.status == AlertStatus.OPEN


def test_quiet_hours_defer_the_alert_to_their_end_not_drop_it(home, world):
    CareProfile.objects.create(
        household=home.household, quiet_start=dt.time(22, 0), quiet_end=dt.time(7, 0)
    )
    quiet_day(home, until=31.25, use_at=10)
    sweep(at(22, minutes=3))
    (alert,) = active_alerts(home)
    assert alert.status == AlertStatus.DEFERRED
    assert alert.detected_at == at(22, minutes=3)
    assert alert.opened_at == at(31)  # 07:00 the next morning
    assert inbox(world["grid_worker"]) == []
    assert sweep(at(23, minutes=3)).opened == 0
    result = sweep(at(31, minutes=3))
    assert result.released == 1
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN and alert.due_at == at(33)
    assert inbox(world["grid_worker"]) == ["看护提醒:1幢1单元101 12小时无用水"]


def test_a_deferred_alert_whose_person_wakes_up_resolves_without_telling_anyone(home, world):
    CareProfile.objects.create(
        household=home.household, quiet_start=dt.time(22, 0), quiet_end=dt.time(7, 0)
    )
    quiet_day(home, until=22.25, use_at=10)
    sweep(at(22, minutes=3))
    home.water(at(22.5), at(23), uses={at(22.6): 0.01})
    result = sweep(at(23, minutes=3))
    assert result.resolved == 1
    assert Alert.objects.get().status == AlertStatus.RESOLVED_AUTO
    assert inbox(world["grid_worker"]) == []


def test_per_person_thresholds(home):
    profile = CareProfile.objects.create(household=home.household, no_water_hours=6)
    quiet_day(home, until=7.25)
    sweep(at(6, minutes=50))
    assert active_alerts(home) == []
    sweep(at(7, minutes=3))
    (alert,) = active_alerts(home)
    assert alert.evidence["hours"] == 6
    # Switched off: the open alert resolves, no new one opens.
    profile.enabled = False
    profile.save()
    home.water(at(7.5), at(20))
    sweep(at(20, minutes=3))
    assert active_alerts(home) == []
    assert Alert.objects.get().note == "看护已停用"


def test_a_per_person_water_volume_is_judged_from_the_readings(home):
    """0.02 m³ is use under the default 0.01 m³ but not under her own 0.05 m³."""
    CareProfile.objects.create(household=home.household, no_water_m3=0.05)
    home.water(at(0), at(13.25), uses={at(1): 0.02, at(3): 0.02})
    home.beats(M, at(0), at(13.25))
    sweep(at(13, minutes=3))
    (alert,) = active_alerts(home)
    assert alert.evidence["last_water_use"] is None  # not 0.05 m³ since monitoring began
    # 0.06 m³ more at 13:20: used.
    home.water(at(13.5), at(13.5), uses={at(13.4): 0.06})
    assert sweep(at(13, minutes=33)).resolved == 1


def test_three_days_without_door_or_movement(world):
    home = make_home(world, kinds=(D, M))
    home.events(M, at(1))
    home.beats(M, at(0), at(74))
    home.beats(D, at(0), at(74))
    sweep(at(72, minutes=50))
    assert active_alerts(home) == []
    sweep(at(73, minutes=3))
    (alert,) = active_alerts(home)
    assert (alert.rule, alert.since) == (Rule.NO_MOVEMENT, at(1))
    assert alert.evidence["days"] == 3


def test_silent_sensors_are_a_maintenance_task_and_water_use_is_a_sign_of_life(world):
    home = make_home(world, kinds=(W, D, M))
    home.events(M, at(1))
    home.beats(M, at(0), at(60))
    home.beats(D, at(0), at(60))
    home.water(at(0), at(74, minutes=0), every=60, uses={at(50): 0.02})
    sweep(at(73, minutes=3))
    assert active_alerts(home, Rule.NO_MOVEMENT) == []
    kinds = set(MaintenanceTask.objects.values_list("device__kind", "kind"))
    assert kinds == {(D, TaskKind.OFFLINE), (M, TaskKind.OFFLINE)}


def test_the_database_keeps_one_open_alert_per_household_and_rule(home):
    first = alert_open(household=home.household, rule=Rule.NO_WATER, evidence={}, now=at(13))
    assert first is not None
    assert alert_open(household=home.household, rule=Rule.NO_WATER, evidence={}, now=at(14)) is None
    with pytest.raises(IntegrityError), transaction.atomic():
        Alert.objects.create(
            household=home.household,
            rule=Rule.NO_WATER,
            status=AlertStatus.ACKNOWLEDGED,
            detected_at=at(15),
            opened_at=at(15),
            due_at=at(17),
        )
    # Once closed, a new one may open.
    Alert.objects.filter(pk=first.pk).update(status=AlertStatus.CLOSED, outcome="safe")
    assert alert_open(household=home.household, rule=Rule.NO_WATER, evidence={}, now=at(16))


def test_a_second_sweep_at_the_same_moment_changes_nothing(home):
    quiet_day(home, until=13.25)
    first = sweep(at(13, minutes=3))
    second = sweep(at(13, minutes=3))
    assert (first.opened, second.opened, second.resolved, second.tasks_opened) == (1, 0, 0, 0)
    assert Alert.objects.count() == 1


def test_one_welfare_alert_per_household_at_a_time(world):
    """No water and no movement both hold: the visit already on its way covers both."""
    home = make_home(world)
    home.events(M, at(1))
    home.water(at(0), at(74), every=60, uses={at(1): 0.02})
    home.beats(M, at(0), at(74))
    home.beats(D, at(0), at(74))
    sweep(at(13, minutes=3))
    sweep(at(73, minutes=3))
    assert [a.rule for a in active_alerts(home)] == [Rule.NO_WATER]


def test_the_sweep_command_and_task(home, capsys):
    from django.core.management import call_command

    from linli.care.tasks import care_sweep_task

    quiet_day(home, until=2)
    call_command("care_sweep")
    assert "opened=0" in capsys.readouterr().out
    call_command("care_sweep", baseline=True)
    assert "baselines refreshed for 0 meters" in capsys.readouterr().out
    assert care_sweep_task.call()["skipped"] is False
