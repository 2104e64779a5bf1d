"""CARE-6: a one-key call tells the grid worker and the family at once with the location,
opens an alert and a case; presses within minutes do not open new ones."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from linli.accounts.models import Membership
from linli.care.models import Alert, AlertStatus, CallPress, DeviceKind, Outcome, Rule
from linli.care.services.calls import CALL_VISIT, button_pressed
from linli.care.services.handling import alert_close
from linli.care.services.ingest import ReadingIn, readings_ingest
from linli.care.tests.care_helpers import make_care
from linli.casework.choices import Channel
from linli.casework.models import Case
from linli.core.audit.models import AuditEntry
from linli.core.notifications.models import Delivery, Notification
from linli.people.choices import Audience


@pytest.fixture
def care(world):
    return make_care(world)


def press(care, at, capture):
    with capture(execute=True):
        return button_pressed(device_id=care.button.pk, at=at)


def test_a_press_tells_everyone_with_the_location_and_opens_a_case(
    care, world, django_capture_on_commit_callbacks
):
    at = timezone.now().replace(microsecond=0)
    p = press(care, at, django_capture_on_commit_callbacks)
    alert = p.alert
    assert alert.rule == Rule.CALL and alert.status == AlertStatus.OPEN
    assert alert.resident == care.resident and alert.since == at
    assert alert.assigned_to == world["grid_worker"]
    assert abs((alert.due_at - alert.opened_at) - CALL_VISIT) < dt.timedelta(seconds=5)
    case = Case.objects.get()
    assert p.case == case and alert.evidence["case"] == case.tracking_no
    assert case.channel == Channel.SENSOR and case.resident == care.resident
    assert case.category.code == "21-03" and not case.public
    assert (case.lat, case.lon) == (30.2725, 120.1225) and case.grid == world.grid_a1
    worker = Notification.objects.get(recipient=world["grid_worker"])
    assert "一键呼叫" in worker.title and "王秀英" in worker.title
    assert "1幢 1单元 101" in worker.body and "30.27250, 120.12250" in worker.body
    assert case.tracking_no in worker.body and worker.url == f"/care/alerts/{alert.pk}/"
    family = Notification.objects.get(recipient=care.family)
    assert "1幢 1单元 101" in family.body and "网格员已收到通知" in family.body
    # Both by SMS, queued for the worker.
    assert Delivery.objects.filter(notification__in=[worker, family], channel="sms").count() == 2
    assert AuditEntry.objects.filter(action="care.call", object_id=str(alert.pk)).exists()


def test_family_not_told_when_the_person_keeps_alerts_to_the_grid(
    world, django_capture_on_commit_callbacks
):
    care = make_care(world, audience=Audience.GRID)
    press(care, timezone.now(), django_capture_on_commit_callbacks)
    assert Notification.objects.filter(recipient=world["grid_worker"]).count() == 1
    assert not Notification.objects.filter(recipient=care.family).exists()


def test_presses_within_minutes_are_duplicates(care, world, django_capture_on_commit_callbacks):
    at = timezone.now().replace(microsecond=0)
    first = press(care, at, django_capture_on_commit_callbacks)
    for minutes in (1, 3, 9):
        again = press(care, at + dt.timedelta(minutes=minutes), django_capture_on_commit_callbacks)
        assert again.duplicate and again.alert == first.alert and again.case == first.case
    assert Alert.objects.count() == 1 and Case.objects.count() == 1
    assert CallPress.objects.count() == 4 and CallPress.objects.filter(duplicate=True).count() == 3
    assert Notification.objects.filter(recipient=world["grid_worker"]).count() == 1


def test_same_reading_twice_is_one_press(care, django_capture_on_commit_callbacks):
    at = timezone.now().replace(microsecond=0)
    a = press(care, at, django_capture_on_commit_callbacks)
    b = press(care, at, django_capture_on_commit_callbacks)
    assert a.pk == b.pk and CallPress.objects.count() == 1


def test_pressing_again_later_while_open_calls_again_without_a_new_case(
    care, world, django_capture_on_commit_callbacks
):
    at = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=20)
    first = press(care, at, django_capture_on_commit_callbacks)
    later = press(care, at + dt.timedelta(minutes=15), django_capture_on_commit_callbacks)
    assert not later.duplicate and later.alert == first.alert
    assert Case.objects.count() == 1 and Alert.objects.count() == 1
    alert = Alert.objects.get()
    assert alert.evidence["presses"] == 2
    titles = list(
        Notification.objects.filter(recipient=world["grid_worker"])
        .order_by("pk")
        .values_list("title", flat=True)
    )
    assert len(titles) == 2 and "再次呼叫" in titles[1]


def test_a_press_after_the_call_was_closed_is_a_new_call(
    care, world, django_capture_on_commit_callbacks
):
    at = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=5)
    first = press(care, at, django_capture_on_commit_callbacks)
    alert_close(actor=world["grid_worker"], alert_id=first.alert.pk, outcome=Outcome.FALSE_ALARM)
    # Delivered late, but pressed before the visit closed the call: a duplicate.
    late = press(care, at + dt.timedelta(minutes=1), django_capture_on_commit_callbacks)
    assert late.duplicate and late.alert == first.alert
    # Pressed after the close: a new call, a new case.
    new = press(care, timezone.now() + dt.timedelta(seconds=1), django_capture_on_commit_callbacks)
    assert not new.duplicate and new.alert != first.alert
    assert new.alert.status == AlertStatus.OPEN
    assert Case.objects.count() == 2


def test_closing_the_call_puts_the_visit_on_the_case(
    care, world, django_capture_on_commit_callbacks
):
    from linli.casework.choices import EventKind

    first = press(care, timezone.now().replace(microsecond=0), django_capture_on_commit_callbacks)
    case = Case.objects.get()
    alert_close(
        actor=world["grid_worker"],
        alert_id=first.alert.pk,
        outcome=Outcome.NEEDED_HELP,
        note="摔倒后起不来,已扶起,联系了女儿",
    )
    (event,) = case.events.filter(kind=EventKind.NOTE)
    assert event.note == "一键呼叫已上门查看,结果:需要帮助。说明:摔倒后起不来,已扶起,联系了女儿"
    assert event.actor == world["grid_worker"] and not event.public
    case.refresh_from_db()
    assert case.status == first.case.status  # the case goes on in casework


def test_without_a_grid_worker_the_community_is_called(
    care, world, django_capture_on_commit_callbacks
):
    Membership.objects.filter(user=world["grid_worker"]).delete()
    p = press(care, timezone.now(), django_capture_on_commit_callbacks)
    assert p.alert.assigned_to is None
    for role in ("community_worker", "secretary"):
        assert Notification.objects.filter(
            recipient=world[role], title__contains="一键呼叫"
        ).exists()


def test_other_devices_are_not_calls(care):
    assert button_pressed(device_id=care.devices[DeviceKind.WATER].pk, at=timezone.now()) is None
    assert button_pressed(device_id=999999, at=timezone.now()) is None
    assert not Alert.objects.exists() and not CallPress.objects.exists()


def test_a_call_through_ingest(care, world, django_capture_on_commit_callbacks):
    """The real path: the gateway's reading → ingest → (after commit) the call."""
    at = (timezone.now() - dt.timedelta(seconds=30)).replace(microsecond=0)
    with django_capture_on_commit_callbacks(execute=True):
        result = readings_ingest(
            readings=[
                ReadingIn(serial="B-1", at=at, value=1),
                ReadingIn(serial="B-1", at=at + dt.timedelta(seconds=20), value=1),
                ReadingIn(serial="B-1", at=at - dt.timedelta(hours=1), value=0),  # heartbeat
            ],
            gateway=None,
            source="test",
        )
    assert result.accepted == 3 and not result.rejected
    assert Alert.objects.filter(rule=Rule.CALL).count() == 1 and Case.objects.count() == 1
    assert CallPress.objects.count() == 2 and CallPress.objects.filter(duplicate=True).count() == 1
    assert Notification.objects.filter(recipient=care.family).count() == 1


@pytest.mark.django_db(transaction=True)
def test_simultaneous_presses_open_one_call():
    """Two workers handling presses of one home at the same moment (HTTP and MQTT): one
    alert, one case, every press recorded."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    from linli.testing.world import build_world

    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself; real parallel writers need PostgreSQL")
    care = make_care(build_world())
    base = timezone.now().replace(microsecond=0)

    def go(i: int) -> None:
        try:
            button_pressed(device_id=care.button.pk, at=base + dt.timedelta(seconds=i))
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(go, range(8)))
    assert Alert.objects.filter(rule=Rule.CALL).count() == 1
    assert Case.objects.count() == 1
    assert CallPress.objects.count() == 8
    assert CallPress.objects.filter(duplicate=False).count() == 1
