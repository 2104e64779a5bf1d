"""CARE-4, CARE-5: taking and closing alerts with the visit's outcome; away periods."""

import datetime as dt

import pytest
from django.utils import timezone

from linli.care.models import Alert, AlertStatus, AwayPeriod, EscalationLevel, Outcome, Rule
from linli.care.services.alerts import alert_open, alerts_escalate, precision_report
from linli.care.services.handling import alert_acknowledge, alert_close, away_end, away_set
from linli.care.tests.care_helpers import grid_worker_a2, make_care, open_alert
from linli.core.audit.models import AuditEntry
from linli.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from linli.core.notifications.models import Notification
from linli.people.choices import Audience


@pytest.fixture
def care(world):
    return make_care(world)


def test_grid_worker_takes_and_closes_an_alert(care, world):
    alert = open_alert(care)
    assert alert.status == AlertStatus.OPEN and alert.assigned_to == world["grid_worker"]
    taken = alert_acknowledge(actor=world["grid_worker"], alert_id=alert.pk)
    assert taken.status == AlertStatus.ACKNOWLEDGED
    assert taken.acknowledged_by == world["grid_worker"] and taken.acknowledged_at
    closed = alert_close(
        actor=world["grid_worker"],
        alert_id=alert.pk,
        outcome=Outcome.SAFE,
        note="老人在家,水龙头坏了",
    )
    fresh = Alert.objects.get(pk=alert.pk)
    assert fresh.status == AlertStatus.CLOSED and fresh.outcome == Outcome.SAFE
    assert fresh.closed_by == world["grid_worker"] and fresh.note == "老人在家,水龙头坏了"
    assert closed.closed_at is not None
    actions = list(
        AuditEntry.objects.filter(object_id=str(alert.pk), action__startswith="care.alert_")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["care.alert_acknowledge", "care.alert_close"]


def test_second_acknowledge_says_who_has_it(care, world):
    alert = open_alert(care)
    alert_acknowledge(actor=world["grid_worker"], alert_id=alert.pk)
    with pytest.raises(Conflict, match="已由grid_worker接单"):
        alert_acknowledge(actor=world["grid_worker"], alert_id=alert.pk)


def test_closing_an_untaken_alert_records_who_went(care, world):
    alert = open_alert(care)
    alert_close(actor=world["grid_worker"], alert_id=alert.pk, outcome=Outcome.FALSE_ALARM)
    fresh = Alert.objects.get(pk=alert.pk)
    assert fresh.acknowledged_by == world["grid_worker"] and fresh.outcome == Outcome.FALSE_ALARM


@pytest.mark.parametrize(
    ("outcome", "note", "field"),
    [
        ("", "", "outcome"),
        ("fine", "", "outcome"),
        (Outcome.NEEDED_HELP, "  ", "note"),
        (Outcome.SAFE, "长" * 301, "note"),
    ],
)
def test_bad_close_changes_nothing(care, world, outcome, note, field):
    alert = open_alert(care)
    with pytest.raises(ValidationFailed) as err:
        alert_close(actor=world["grid_worker"], alert_id=alert.pk, outcome=outcome, note=note)
    assert err.value.field == field
    fresh = Alert.objects.get(pk=alert.pk)
    assert fresh.status == AlertStatus.OPEN and fresh.outcome == "" and fresh.closed_at is None


def test_closed_or_auto_resolved_alerts_cannot_be_closed_again(care, world):
    alert = open_alert(care)
    alert_close(actor=world["grid_worker"], alert_id=alert.pk, outcome=Outcome.SAFE)
    with pytest.raises(Conflict, match="已经办结"):
        alert_close(actor=world["grid_worker"], alert_id=alert.pk, outcome=Outcome.FALSE_ALARM)
    with pytest.raises(Conflict):
        alert_acknowledge(actor=world["grid_worker"], alert_id=alert.pk)
    assert Alert.objects.get(pk=alert.pk).outcome == Outcome.SAFE
    other = open_alert(care, Rule.NO_MOVEMENT)
    Alert.objects.filter(pk=other.pk).update(status=AlertStatus.RESOLVED_AUTO)
    with pytest.raises(Conflict, match="自动解除"):
        alert_close(actor=world["grid_worker"], alert_id=other.pk, outcome=Outcome.SAFE)


def test_other_places_do_not_see_the_alert(care, world):
    alert = open_alert(care)
    for actor in (grid_worker_a2(world), world["dept_officer"], world["resident"]):
        with pytest.raises(NotFound):
            alert_acknowledge(actor=actor, alert_id=alert.pk)
    other_home = open_alert(care, household=care.other_household)
    with pytest.raises(NotFound):  # 乙社区: not the 甲社区 worker's
        alert_close(actor=world["community_worker"], alert_id=other_home.pk, outcome="safe")
    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.OPEN


def test_community_worker_acts_only_after_escalation(care, world):
    alert = open_alert(care)
    with pytest.raises(PermissionDenied, match="上报到社区后"):
        alert_acknowledge(actor=world["community_worker"], alert_id=alert.pk)
    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.OPEN
    alerts_escalate(now=alert.due_at + dt.timedelta(minutes=1))
    assert Alert.objects.get(pk=alert.pk).escalation_level == EscalationLevel.COMMUNITY
    taken = alert_acknowledge(actor=world["community_worker"], alert_id=alert.pk)
    assert taken.acknowledged_by == world["community_worker"]


def test_family_and_street_may_look_but_not_handle(care, world):
    alert = open_alert(care)
    for actor in (care.family, world["street_admin"]):
        with pytest.raises(PermissionDenied):
            alert_close(actor=actor, alert_id=alert.pk, outcome=Outcome.SAFE)
    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.OPEN


def test_family_hears_how_a_call_ended(care, world, django_capture_on_commit_callbacks):
    alert = open_alert(care, Rule.CALL)
    with django_capture_on_commit_callbacks(execute=True):
        alert_close(actor=world["grid_worker"], alert_id=alert.pk, outcome=Outcome.SAFE)
    note = Notification.objects.get(recipient=care.family)
    assert "已上门查看" in note.title and "平安" in note.body


def test_family_not_told_when_the_person_keeps_alerts_to_the_grid(
    world, django_capture_on_commit_callbacks
):
    care = make_care(world, audience=Audience.GRID)
    alert = open_alert(care, Rule.CALL)
    with django_capture_on_commit_callbacks(execute=True):
        alert_close(actor=world["grid_worker"], alert_id=alert.pk, outcome=Outcome.SAFE)
    assert not Notification.objects.filter(recipient=care.family).exists()


def test_outcomes_feed_precision_per_rule(care, world):
    now = timezone.now()
    first = open_alert(care)
    alert_close(actor=world["grid_worker"], alert_id=first.pk, outcome=Outcome.FALSE_ALARM)
    second = open_alert(care)
    alert_close(
        actor=world["grid_worker"], alert_id=second.pk, outcome=Outcome.NEEDED_HELP, note="送医"
    )
    stats = {
        s.rule: s
        for s in precision_report(
            since=now - dt.timedelta(hours=1), until=now + dt.timedelta(hours=1)
        )
    }
    water = stats[Rule.NO_WATER]
    assert (water.counted, water.false_alarm, water.needed_help) == (2, 1, 1)
    assert water.precision == 0.5


# Away periods ------------------------------------------------------------------------------


def _period(days_from: float = 0, days: float = 3) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.now() + dt.timedelta(days=days_from)
    return start, start + dt.timedelta(days=days)


def test_family_registers_a_hospital_stay(care, world, django_capture_on_commit_callbacks):
    starts, ends = _period()
    with django_capture_on_commit_callbacks(execute=True):
        away = away_set(
            actor=care.family,
            household_id=care.household.pk,
            starts=starts,
            ends=ends,
            reason="hospital",
        )
    assert away.set_by == care.family and away.household == care.household
    assert AuditEntry.objects.filter(action="care.away_set", object_id=str(away.pk)).exists()
    told = Notification.objects.get(recipient=world["grid_worker"])
    assert "家属登记外出" in told.title and "住院" in told.body
    # Welfare alerts are suppressed now; a one-key call is not.
    assert (
        alert_open(household=care.household, rule=Rule.NO_WATER, evidence={}, now=timezone.now())
        is None
    )
    assert (
        alert_open(
            household=care.household, rule=Rule.CALL, evidence={}, now=timezone.now(), notify=False
        )
        is not None
    )


def test_away_clears_an_open_welfare_alert(care, world, django_capture_on_commit_callbacks):
    alert = open_alert(care)
    starts, ends = _period(days_from=-1)
    with django_capture_on_commit_callbacks(execute=True):
        away_set(
            actor=world["grid_worker"],
            household_id=care.household.pk,
            starts=starts,
            ends=ends,
            reason="visiting",
        )
    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.RESOLVED_AUTO


@pytest.mark.parametrize(
    ("shift", "length", "reason", "note", "field"),
    [
        (0, -1, "hospital", "", "ends"),  # ends before it starts
        (-5, 2, "hospital", "", "ends"),  # already over
        (-8, 10, "hospital", "", "starts"),  # more than a week back
        (0, 181, "travel", "", "ends"),  # longer than half a year
        (0, 2, "party", "", "reason"),
        (0, 2, "other", "字" * 201, "note"),
    ],
)
def test_bad_away_changes_nothing(care, shift, length, reason, note, field):
    starts, ends = _period(days_from=shift, days=length)
    with pytest.raises(ValidationFailed) as err:
        away_set(
            actor=care.family,
            household_id=care.household.pk,
            starts=starts,
            ends=ends,
            reason=reason,
            note=note,
        )
    assert err.value.field == field
    assert not AwayPeriod.objects.exists()


def test_away_wrong_callers(care, world):
    starts, ends = _period()
    kw = {"starts": starts, "ends": ends, "reason": "hospital"}
    for actor in (grid_worker_a2(world), world["resident"], world["volunteer"]):
        with pytest.raises(NotFound):
            away_set(actor=actor, household_id=care.household.pk, **kw)
    with pytest.raises(NotFound):  # family of someone else's home
        away_set(actor=care.family, household_id=care.other_household.pk, **kw)
    with pytest.raises(PermissionDenied):
        away_set(actor=world["street_admin"], household_id=care.household.pk, **kw)
    assert not AwayPeriod.objects.exists()


def test_back_early_and_withdrawn(care, world):
    starts, ends = _period(days_from=-1)
    now_period = away_set(
        actor=care.family,
        household_id=care.household.pk,
        starts=starts,
        ends=ends,
        reason="visiting",
    )
    ended = away_end(actor=world["grid_worker"], away_id=now_period.pk)
    assert ended.ends <= timezone.now()
    with pytest.raises(Conflict, match="已经结束"):
        away_end(actor=care.family, away_id=now_period.pk)
    starts, ends = _period(days_from=2)
    later = away_set(
        actor=care.family, household_id=care.household.pk, starts=starts, ends=ends, reason="travel"
    )
    away_end(actor=care.family, away_id=later.pk)
    assert not AwayPeriod.objects.filter(pk=later.pk).exists()
    assert AuditEntry.objects.filter(action="care.away_cancel").count() == 1
    with pytest.raises(NotFound):
        away_end(actor=grid_worker_a2(world), away_id=now_period.pk)
