"""CARE-2/CARE-5: late data auto-resolves an alert opened on missing data — whoever has taken
it — while activity after the alert only resolves one nobody has taken yet."""

import datetime as dt

import pytest
from django.utils import timezone

from linli.care.models import Alert, AlertStatus, DeviceKind
from linli.care.services.alerts import alerts_recheck
from linli.care.services.handling import alert_acknowledge, away_set
from linli.care.tests.rules_helpers import active_alerts, at, inbox, make_home, sweep

W, D, M = DeviceKind.WATER, DeviceKind.DOOR, DeviceKind.MOTION


@pytest.fixture
def home(world):
    """No water since 01:00; the motion sensor's events of the morning are held up at the
    gateway, only its heartbeats got through: the sweep at 13:03 opens a no-water alert."""
    home = make_home(world, kinds=(W, D, M))
    home.water(at(0), at(15), uses={at(1): 0.02})
    home.events(M, at(1))
    home.beats(M, at(0), at(15), hours=1)
    home.beats(D, at(0), at(15), hours=1)
    sweep(at(13, minutes=3))
    assert len(active_alerts(home)) == 1
    return home


def late(home, capture, *times: dt.datetime) -> None:
    with capture(execute=True):
        result = home.events(M, *times)
    assert result.accepted == len(times) and result.late == len(times)


def test_late_events_inside_the_window_resolve_even_a_taken_alert(
    home, world, django_capture_on_commit_callbacks
):
    (alert,) = active_alerts(home)
    alert_acknowledge(actor=world["grid_worker"], alert_id=alert.pk)
    late(home, django_capture_on_commit_callbacks, at(3, minutes=20), at(5, minutes=40))
    alert.refresh_from_db()
    assert alert.status == AlertStatus.RESOLVED_AUTO
    assert alert.note == "迟到的读数显示期间有用水或活动"
    assert inbox(world["grid_worker"])[-1] == "看护提醒已解除:1幢1单元101 12小时无用水"


def test_late_events_after_the_alert_resolve_only_an_untaken_one(
    home, world, django_capture_on_commit_callbacks
):
    (alert,) = active_alerts(home)
    alert_acknowledge(actor=world["grid_worker"], alert_id=alert.pk)
    late(home, django_capture_on_commit_callbacks, at(13, minutes=40))
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED  # the visit decides


def test_late_events_after_an_untaken_alert_resolve_it(home, django_capture_on_commit_callbacks):
    late(home, django_capture_on_commit_callbacks, at(13, minutes=40))
    alert = Alert.objects.get()
    assert alert.status == AlertStatus.RESOLVED_AUTO
    assert alert.note == "之后已有用水或活动"


def test_late_readings_with_nothing_new_leave_the_alert(home, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        home.send((M, at(2, minutes=30), 0.0), (M, at(4, minutes=30), 0.0))
    alerts_recheck(device_ids=[home.devices[M].pk])  # as ingest would call it
    assert Alert.objects.get().status == AlertStatus.OPEN


def test_an_away_period_registered_after_the_alert_resolves_it(
    home, world, django_capture_on_commit_callbacks
):
    Alert.objects.update(  # the alert of today, so the family's registration covers it
        detected_at=timezone.now() - dt.timedelta(hours=2),
        since=timezone.now() - dt.timedelta(hours=14),
    )
    with django_capture_on_commit_callbacks(execute=True):
        away_set(
            actor=world["family"],
            household_id=home.household.pk,
            starts=timezone.now() - dt.timedelta(days=1),
            ends=timezone.now() + dt.timedelta(days=3),
            reason="hospital",
        )
    alert = Alert.objects.get()
    assert alert.status == AlertStatus.RESOLVED_AUTO and alert.note == "已登记外出"
