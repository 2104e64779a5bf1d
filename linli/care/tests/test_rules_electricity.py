"""CARE-3: electricity far from the person's own time-of-day and weekday baseline.

Three weeks of a regular life (a fridge all day, breakfast 07–09, lights and television
17–22) build the baseline; then on Monday 23 March nothing is switched on after 08:00."""

import pytest

from linli.care.models import Alert, DeviceKind, PowerBaseline, PowerSnapshot, Rule
from linli.care.services.baseline import baseline_refresh, slot_of
from linli.care.tests.rules_helpers import at, make_home, sweep

E, M = DeviceKind.ELECTRICITY, DeviceKind.MOTION
DAYS = 21
START = DAYS * 24  # Monday 23 March 00:00, in hours after T0
BASE, MORNING, EVENING = 0.05, 0.3, 0.5  # kWh per hour
WRAP = 99999.0  # the meters' range (register_max)


def kw(hour: float, *, stop: float | None) -> float:
    """Use per hour at `hour` (hours since T0); nothing but the fridge after `stop`."""
    h = hour % 24
    extra = MORNING if 7 <= h < 9 else EVENING if 17 <= h < 22 else 0.0
    return BASE + (0.0 if stop is not None and hour >= stop else extra)


def live(home, start: float, end: float, *, stop: float | None = None) -> None:
    """Electricity readings every 30 minutes in [start, end] and a movement at every waking
    hour (none after `stop`)."""
    items, moves = [], []
    t = start
    while t <= end:
        if t > 0:
            home.power_register += kw(t - 0.5, stop=stop) * 0.5
        if home.power_register >= WRAP:
            home.power_register -= WRAP
        items.append((E, at(t), round(home.power_register, 3)))
        if 7 <= t % 24 <= 22 and t == int(t) and (stop is None or t < stop):
            moves.append((M, at(t, minutes=10), 1.0))
        t += 0.5
    for i in range(0, len(items), 2000):
        home.send(*items[i : i + 2000])
    if moves:
        home.send(*moves)


def run(home, first: int, last: int, *, stop: float | None = None) -> None:
    """Hour by hour: that hour's readings, then the sweep three minutes past."""
    for h in range(first, last + 1):
        live(home, h - 0.5, h, stop=stop)
        sweep(at(h, minutes=3))


@pytest.fixture
def home(world):
    home = make_home(world, kinds=(E, M))
    live(home, 0, START - 12)
    baseline_refresh(now=at(START - 12, minutes=5))
    run(home, START - 11, START)  # the sweeps take the hourly snapshots
    return home


def baseline(home, end_hour: float) -> PowerBaseline:
    return PowerBaseline.objects.get(device=home.devices[E], slot=slot_of(at(end_hour), 12))


def test_the_baseline_is_the_persons_own_use_per_window(home):
    sunday = baseline(home, 13 * 24 + 22)  # 10:00–22:00 on a weekend day
    assert sunday.days == 5  # the weekend days before the refresh
    assert sunday.expected == pytest.approx(12 * BASE + 5 * EVENING, abs=0.01)
    weekday = baseline(home, 18 * 24 + 22)
    assert weekday.days == 15
    assert weekday.expected == pytest.approx(12 * BASE + 5 * EVENING, abs=0.01)
    morning = baseline(home, 18 * 24 + 9)  # 21:00 the evening before to 09:00
    assert morning.expected == pytest.approx(12 * BASE + 1 * EVENING + 2 * MORNING, abs=0.01)


def test_a_day_without_the_usual_use_raises_an_electricity_alert(home, world):
    assert not Alert.objects.exists()
    for h in range(START + 1, START + 23):
        run(home, h, h, stop=START + 8)
        if Alert.objects.exists():
            break
    alert = Alert.objects.get()
    assert alert.rule == Rule.ELECTRICITY and alert.assigned_to == world["grid_worker"]
    hours = int((alert.detected_at - at(START)).total_seconds() // 3600)
    assert 17 <= hours <= 22  # the evening lights did not come on
    assert alert.since == at(START + hours - 12)  # the window: the 12 hours before
    ev = alert.evidence
    assert ev["used"] <= 0.3 * ev["expected"]


def test_an_ordinary_day_raises_nothing(home):
    run(home, START + 1, START + 23)
    assert not Alert.objects.exists()
    assert not PowerSnapshot.objects.filter(hour__lt=at(START + 23 - 16)).exists()  # ~a day kept


def test_a_person_seen_moving_about_is_not_alerted_on_electricity_alone(home):
    for h in range(START + 1, START + 23):
        run(home, h, h, stop=START + 8)
        home.events(M, at(h, minutes=40))
    assert not Alert.objects.exists()


def test_refresh_is_incremental(home):
    rows = PowerBaseline.objects.count()
    baseline_refresh(now=at(START, minutes=5))
    assert baseline_refresh(now=at(START, minutes=30)) == 0  # nothing new since
    run(home, START + 1, START + 24)
    assert baseline_refresh(now=at(START + 24, minutes=5)) == 1
    assert PowerBaseline.objects.count() == rows
    monday = baseline(home, START + 22)
    assert monday.days == 16
    assert 8 < monday.weight < 40  # about eight weeks of weekdays at most


def test_the_baseline_follows_a_change_of_habits(home):
    """Eight weeks' memory: after a new habit (no television), the expectation moves."""
    before = baseline(home, 18 * 24 + 22).expected
    global EVENING
    old, EVENING = EVENING, 0.1
    try:
        run(home, START + 1, START + 24 * 5)
    finally:
        EVENING = old
    baseline_refresh(now=at(START + 24 * 5, minutes=5))
    after = baseline(home, 18 * 24 + 22).expected
    assert 12 * BASE + 5 * 0.1 < after < before


def test_a_meter_that_wrapped_round_is_not_a_drop(world):
    home = make_home(world, kinds=(E, M))
    home.power_register = WRAP - 30.0
    live(home, 0, START)
    baseline_refresh(now=at(START, minutes=5))
    assert baseline(home, 18 * 24 + 22).expected == pytest.approx(12 * BASE + 5 * EVENING, abs=0.01)
