"""CARE-5: an alert is a visit task with a deadline; unacknowledged → community workers, then
family (only as the person's privacy choice allows); new activity resolves an alert nobody
has taken; precision per rule from the visits' outcomes."""

import datetime as dt

import pytest

from linli.care.models import Alert, AlertStatus, DeviceKind, Outcome, Rule
from linli.care.services.alerts import alert_open, precision_report, quiet_until
from linli.care.services.handling import alert_acknowledge, alert_close
from linli.care.tests.rules_helpers import T0, active_alerts, at, inbox, make_home, sweep
from linli.people.choices import Audience
from linli.simulate.care.clock import SimClock, simulated_time

W, D, M = DeviceKind.WATER, DeviceKind.DOOR, DeviceKind.MOTION


@pytest.fixture
def home(world):
    home = make_home(world)
    home.water(at(0), at(13), uses={at(1): 0.02})
    home.events(M, at(1))
    home.beats(M, at(0), at(13))
    home.beats(D, at(0), at(13))
    return home


def test_unacknowledged_alert_goes_to_community_workers_then_family(home, world):
    sweep(at(13, minutes=3))
    (alert,) = active_alerts(home)
    assert sweep(at(15, minutes=2)).escalated == 0  # due at 15:03
    result = sweep(at(15, minutes=4))
    assert result.escalated == 1
    alert.refresh_from_db()
    assert alert.escalation_level == 1 and alert.due_at == at(16, minutes=4)
    title = "看护提醒超时未接单:1幢1单元101 12小时无用水"
    assert inbox(world["community_worker"], "看护提醒") == [title]
    assert inbox(world["secretary"], "看护提醒") == [title]
    assert inbox(world["family"]) == []
    sweep(at(16, minutes=5))
    alert.refresh_from_db()
    assert alert.escalation_level == 2
    assert inbox(world["family"]) == ["家人看护提醒:12小时无用水"]
    # Nothing above family: later sweeps leave it.
    assert sweep(at(18)).escalated == 0
    assert inbox(world["family"]) == ["家人看护提醒:12小时无用水"]


def test_family_is_not_told_when_the_person_keeps_alerts_to_the_grid_worker(home, world):
    home.resident.alerts_audience = Audience.GRID
    home.resident.save()
    sweep(at(13, minutes=3))
    sweep(at(15, minutes=4))
    sweep(at(16, minutes=5))
    (alert,) = active_alerts(home)
    assert alert.escalation_level == 2
    assert inbox(world["family"]) == []


def test_an_acknowledged_alert_does_not_escalate(home, world):
    sweep(at(13, minutes=3))
    (alert,) = active_alerts(home)
    alert_acknowledge(actor=world["grid_worker"], alert_id=alert.pk)
    assert sweep(at(16)).escalated == 0
    assert inbox(world["community_worker"], "看护提醒") == []


def test_new_use_resolves_an_alert_nobody_has_taken_and_tells_the_worker(home, world):
    sweep(at(13, minutes=3))
    home.water(at(13.25), at(13.5), uses={at(13.4): 0.02})
    result = sweep(at(13, minutes=33))
    assert result.resolved == 1
    alert = Alert.objects.get()
    assert alert.status == AlertStatus.RESOLVED_AUTO
    assert alert.outcome == "" and alert.note == "之后已有用水或活动"
    assert alert.closed_at == at(13, minutes=33)
    assert inbox(world["grid_worker"])[-1] == "看护提醒已解除:1幢1单元101 12小时无用水"


def test_an_alert_being_handled_is_left_to_the_visit(home, world):
    sweep(at(13, minutes=3))
    (alert,) = active_alerts(home)
    alert_acknowledge(actor=world["grid_worker"], alert_id=alert.pk)
    home.water(at(13.25), at(13.5), uses={at(13.4): 0.02})  # the grid worker at the tap
    assert sweep(at(13, minutes=33)).resolved == 0
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED


def test_a_visit_restarts_the_clock(home, world):
    """The worker found her well at 13:30 without touching a sensor: the same silence does
    not raise the alert again; twelve hours after the visit it would."""
    sweep(at(13, minutes=3))
    (alert,) = active_alerts(home)
    with simulated_time(SimClock(at(13, minutes=30))):
        alert_close(actor=world["grid_worker"], alert_id=alert.pk, outcome=Outcome.FALSE_ALARM)
    home.water(at(13.25), at(25.5))
    home.beats(M, at(14), at(25.5))
    home.beats(D, at(14), at(25.5))
    assert sweep(at(13, minutes=33)).opened == 0
    assert sweep(at(25, minutes=18)).opened == 0
    assert sweep(at(25, minutes=33)).opened == 1
    assert active_alerts(home)[0].since == at(13, minutes=30)


def test_quiet_hours_across_midnight():
    from linli.care.models import CareProfile

    profile = CareProfile(quiet_start=dt.time(22, 30), quiet_end=dt.time(6, 30))
    assert quiet_until(profile, at(23)) == at(30, minutes=30)
    assert quiet_until(profile, at(5)) == at(6, minutes=30)
    assert quiet_until(profile, at(6, minutes=30)) is None
    assert quiet_until(profile, at(12)) is None
    assert quiet_until(CareProfile(), at(23)) is None


def test_precision_per_rule_from_outcomes(home, world):
    def closed(rule: str, outcome: str, hour: float, **extra) -> None:
        alert = alert_open(household=home.household, rule=rule, evidence={}, now=at(hour))
        assert alert is not None
        values = {"status": AlertStatus.CLOSED, "outcome": outcome, "closed_at": at(hour + 1)}
        Alert.objects.filter(pk=alert.pk).update(**{**values, **extra})

    closed(Rule.NO_WATER, Outcome.NEEDED_HELP, 1)
    closed(Rule.NO_WATER, Outcome.SAFE, 3)
    closed(Rule.NO_WATER, Outcome.FALSE_ALARM, 5)
    closed(Rule.NO_WATER, "", 7, status=AlertStatus.RESOLVED_AUTO)  # told, then resolved
    # Deferred and resolved before anyone was told: not counted.
    closed(Rule.NO_WATER, "", 9, status=AlertStatus.RESOLVED_AUTO, opened_at=at(12))
    closed(Rule.NO_MOVEMENT, Outcome.DEVICE_FAULT, 11)
    closed(Rule.NO_WATER, Outcome.SAFE, 60)  # outside the period
    rows = {r.rule: r for r in precision_report(since=T0, until=at(48))}
    assert [r.rule for r in precision_report(since=T0, until=at(48))] == list(Rule.values)
    water = rows[Rule.NO_WATER]
    assert (water.counted, water.confirmed, water.false_alarm, water.resolved_auto) == (4, 2, 1, 1)
    assert water.precision == 0.5
    assert rows[Rule.NO_MOVEMENT].precision == 0.0
    assert rows[Rule.ELECTRICITY].precision is None and rows[Rule.ELECTRICITY].counted == 0
    other = precision_report(since=T0, until=at(48), community=world.community_b)
    assert all(r.counted == 0 for r in other)


def test_a_grid_without_a_grid_worker_tells_the_community_at_once(world):
    from linli.geo.models import Building, Household

    building = Building.objects.create(grid=world.grid_a2, name="5幢", lat=30.27, lon=120.126)
    household = Household.objects.create(building=building, unit="2单元", room="301")
    alert = alert_open(household=household, rule=Rule.NO_WATER, evidence={}, now=at(13))
    assert alert is not None and alert.assigned_to is None
    assert inbox(world["community_worker"], "看护提醒") == ["看护提醒:5幢2单元301 12小时无用水"]
    assert inbox(world["grid_worker"]) == []


def test_an_unknown_rule_is_refused(home):
    from linli.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        alert_open(household=home.household, rule="loud_music", evidence={}, now=at(13))
    assert not Alert.objects.exists()
