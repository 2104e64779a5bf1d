"""The `clock` marker and fixture that pin time in tests (linli/testing/clock.py)."""

import datetime as dt
import time

import pytest
from django.utils import timezone

from linli.testing.clock import Clock, instant


@pytest.mark.clock("2027-10-01 09:30", tick=False)
def test_marker_pins_local_time() -> None:
    now = timezone.localtime()
    assert (now.year, now.month, now.day, now.hour, now.minute) == (2027, 10, 1, 9, 30)
    assert timezone.now() == instant("2027-10-01T01:30:00+00:00")


@pytest.mark.clock("2027-01-31 23:50")
def test_clock_ticks_and_moves(clock: Clock) -> None:
    start = timezone.now()
    time.sleep(0.01)
    assert timezone.now() > start
    clock.shift(dt.timedelta(minutes=20))
    assert timezone.localdate() == dt.date(2027, 2, 1)
    clock.move_to("2027-03-10 08:00", tick=False)
    assert timezone.localtime().hour == 8


@pytest.mark.clock("07:59", tick=False)
def test_time_of_day_alone_is_today() -> None:
    assert timezone.localtime().time() == dt.time(7, 59)


def test_clock_fixture_without_marker_starts_now(clock: Clock) -> None:
    before = timezone.now()
    clock.shift(dt.timedelta(days=3))
    assert timezone.now() - before >= dt.timedelta(days=3)


class TestClassMarker:
    pytestmark = pytest.mark.clock("2026-12-06 12:00", tick=False)

    def test_sunday(self) -> None:
        assert timezone.localdate().weekday() == 6


@pytest.fixture
def stamped() -> dt.datetime:
    return timezone.now()


@pytest.mark.clock("2026-03-11 10:00", tick=False)
def test_fixtures_run_inside_the_pinned_clock(stamped: dt.datetime) -> None:
    assert stamped == timezone.now() == instant("2026-03-11 10:00")
