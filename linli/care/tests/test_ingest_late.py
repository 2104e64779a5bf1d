"""CARE-2 late and out-of-order readings: stored, the state re-folded, and an alert opened on
missing data auto-resolved when the late readings show use. Also: any delivery order gives
the same stored readings and the same state (property test), and a button press reaches
the one-key call service after commit."""

import datetime as dt
import itertools
import json
import random

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linli.care.models import Alert, AlertStatus, DeviceKind, DeviceState, Reading, Rule
from linli.care.services.alerts import alert_open
from linli.care.services.devices import device_register
from linli.care.services.ingest import ReadingIn, readings_ingest
from linli.care.tests.ingest_helpers import ago, ingest, make_home, stored

URL = "/api/care/readings"


@pytest.fixture
def home(world):
    return make_home(world)


def post(home, items: list[tuple[str, dt.datetime, float]]) -> dict:
    body = {"readings": [{"serial": s, "at": at.isoformat(), "value": v} for s, at, v in items]}
    response = Client().post(
        URL,
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {home.token}",
    )
    assert response.status_code == 200
    return response.json()


def test_out_of_order_reading_is_stored_and_the_state_refolded(home):
    w = home.devices["water"]
    t = [ago(hours=h) for h in (8, 6, 4, 2)]
    ingest(home, (w.serial, t[0], 10.0), (w.serial, t[2], 10.02), (w.serial, t[3], 10.02))
    before = DeviceState.objects.get(device=w)
    assert before.use_mark_at == t[2]
    # The reading at t[1] shows the use happened by then: the mark and change move earlier.
    result = ingest(home, (w.serial, t[1], 10.015))
    assert (result.accepted, result.late) == (1, 1)
    assert [at for at, _ in stored(w)] == t
    after = DeviceState.objects.get(device=w)
    assert (after.use_mark_at, after.use_mark_value) == (t[1], 10.015)
    assert (after.last_at, after.last_value) == (t[3], 10.02)
    assert after.last_change_at == t[2]


def test_late_readings_showing_water_use_resolve_a_no_water_alert(
    home, django_capture_on_commit_callbacks
):
    """The gateway went quiet: the meter's last word was 14 h ago and the alert opened on
    "no water for 12 h". When the held-up readings arrive they show use 10 h ago: the alert
    resolves itself."""
    w = home.serial("water")
    post(home, [(w, ago(hours=h), 30.0) for h in (20, 18, 16, 14)])
    state = DeviceState.objects.get(device=home.devices["water"])
    alert = alert_open(
        household=home.household,
        rule=Rule.NO_WATER,
        resident=home.resident,
        evidence={"last_use": state.use_mark_at.isoformat()},
        since=state.use_mark_at,
        now=timezone.now(),
        notify=False,
    )
    assert alert is not None and alert.status == AlertStatus.OPEN
    with django_capture_on_commit_callbacks(execute=True):
        body = post(home, [(w, ago(hours=h), 30.0 + (h < 11) * 0.04) for h in (12, 10, 8)])
    assert body["accepted"] == 3
    alert.refresh_from_db()
    assert alert.status == AlertStatus.RESOLVED_AUTO
    assert alert.outcome == ""


@pytest.mark.clock("12:00", tick=False)  # ago() is called twice: the same second both times
def test_a_late_motion_event_resolves_a_no_movement_alert(home, django_capture_on_commit_callbacks):
    m = home.serial("motion")
    heartbeats = [(m, ago(hours=h), 0.0) for h in range(80, 0, -6)]
    post(home, [(m, ago(hours=90), 1.0), *heartbeats])
    alert = alert_open(
        household=home.household,
        rule=Rule.NO_MOVEMENT,
        evidence={},
        since=ago(hours=90),
        now=timezone.now(),
        notify=False,
    )
    assert alert is not None
    # Older than the latest heartbeat: out of order.
    with django_capture_on_commit_callbacks(execute=True):
        body = post(home, [(m, ago(hours=30), 1.0)])
    assert body["accepted"] == 1
    assert DeviceState.objects.get(device=home.devices["motion"]).last_event_at == ago(hours=30)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.RESOLVED_AUTO


def test_late_readings_without_use_leave_the_alert_open(home, django_capture_on_commit_callbacks):
    w = home.serial("water")
    post(home, [(w, ago(hours=h), 30.0) for h in (20, 14)])
    alert = alert_open(
        household=home.household,
        rule=Rule.NO_WATER,
        evidence={},
        since=ago(hours=20),
        now=timezone.now(),
        notify=False,
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = readings_ingest(
            readings=[ReadingIn(w, ago(hours=h), 30.0) for h in (17, 12, 3)],
            gateway=home.gateway,
            source="test",
        )
    assert result.accepted == 3 and result.recheck_device_ids == []
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN


def test_a_button_press_reaches_the_call_service_once(home, django_capture_on_commit_callbacks):
    b = home.serial("button")
    press = ago(minutes=2)
    with django_capture_on_commit_callbacks(execute=True):
        post(home, [(b, press, 1.0)])
    with django_capture_on_commit_callbacks(execute=True):
        again = post(home, [(b, press, 1.0)])  # the gateway retries the same press
    assert again == {"accepted": 0, "duplicates": 1, "rejected": []}
    calls = Alert.objects.filter(household=home.household, rule=Rule.CALL)
    assert calls.count() == 1
    assert calls.get().presses.count() == 1


# Any delivery order, any chunking, with repeats: the same readings and the same state.

SERIALS = itertools.count()
STEPS = st.lists(
    st.sampled_from([0.0, 0.0, 0.002, 0.004, 0.011, 0.03, 0.25]), min_size=2, max_size=30
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=STEPS, seed=st.integers(0, 2**32 - 1))
def test_delivery_order_does_not_change_what_is_stored_or_the_state(world, steps, seed):
    from linli.geo.models import Household

    household = Household.objects.get(room="101")
    base = timezone.now().replace(microsecond=0) - dt.timedelta(hours=40)
    values = list(itertools.accumulate(steps, initial=100.0))
    series = [(base + dt.timedelta(hours=i), v) for i, v in enumerate(values)]
    states = []
    for order in ("in_order", "shuffled"):
        device = device_register(
            actor=None,
            serial=f"P-{order}-{next(SERIALS)}",  # examples share one database
            kind=DeviceKind.WATER,
            household=household,
            installed_on=timezone.localdate() - dt.timedelta(days=5),
        )
        deliveries = [ReadingIn(device.serial, at, v) for at, v in series]
        if order == "shuffled":
            rng = random.Random(seed)
            deliveries += rng.sample(deliveries, k=len(deliveries) // 3)  # repeats
            rng.shuffle(deliveries)
        cut = sorted(random.Random(seed + 1).sample(range(1, len(deliveries)), k=2))
        totals = [0, 0]
        for chunk in (deliveries[: cut[0]], deliveries[cut[0] : cut[1]], deliveries[cut[1] :]):
            result = readings_ingest(readings=chunk, gateway=None, source="prop")
            assert result.rejected == []
            totals[0] += result.accepted
            totals[1] += result.duplicates
        assert totals == [len(series), len(deliveries) - len(series)]
        assert Reading.objects.filter(device=device).count() == len(series)
        s = DeviceState.objects.get(device=device)
        states.append((s.last_at, s.last_value, s.use_mark_at, s.use_mark_value, s.last_change_at))
    assert states[0] == states[1]
