"""Pinned clocks for tests (time-machine).

A test whose outcome depends on the wall clock (time of day, weekday, working days and
holidays, month ends, quiet hours, "now" against seeded data) says when it runs:

    @pytest.mark.clock("2026-03-11 10:00")        # a Wednesday morning, local time
    def test_...(...): ...

    pytestmark = pytest.mark.clock("2026-03-11 10:00")   # the whole module, module-scoped
                                                          # fixtures included

Naive instants are read in settings.TIME_ZONE (Asia/Shanghai). "10:00" alone means 10:00 on
the day the run started, so dates a module computes at import (a parametrize list) agree
with the clock its tests run at. The clock keeps ticking from the instant (timeouts, sleeps
and the live server behave as usual); `tick=False` stops it. A test that moves time itself
asks for the `clock` fixture (`clock.shift(dt.timedelta(hours=2))`, `clock.move_to(...)`).

Only Python's clock moves: SQLite, PostgreSQL and chromium keep their own, so code under
test takes "now" from `timezone.now()`, and browser tests pin a time of day ("10:00"), not a
past date (chromium would drop a session cookie that expired by its clock).

Finding tests that depend on the clock without saying so: LINLI_TEST_NOW runs the run's
collection and every module not marked `clock` at that instant, e.g.

    LINLI_TEST_NOW="2027-01-31 23:50" .venv/bin/pytest linli/care -m "not browser"

`bench/clock_sweep.py` loops over the instants worth trying (night, morning, noon, evening,
a Sunday, public holidays, a month end, a second before midnight). LINLI_TEST_NOW_SCOPE=test
starts every test, not every module, at the instant: with "23:59:59.5" it finds the tests
that break when midnight passes while they run.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import time_machine
from django.conf import settings

ENV = "LINLI_TEST_NOW"
MARKER = "clock"
MARKER_HELP = (
    f'{MARKER}(instant, tick=True): run at this instant ("2026-03-11 10:00" local, '
    '"10:00" today, or ISO with offset); on a module, its fixtures too'
)


def local_tz() -> dt.tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo(settings.TIME_ZONE)


def instant(value: str | dt.datetime | dt.date) -> dt.datetime:
    """An aware datetime from a marker argument; naive values are local time."""
    tz = local_tz()
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time(10, 0))
    elif len(value) <= 12 and ":" in value:  # "HH:MM[:SS]": on the day the run started
        moment = dt.datetime.combine(session_day(), dt.time.fromisoformat(value))
    else:
        moment = dt.datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


_SESSION_DAY: list[dt.date] = []


def session_day() -> dt.date:
    """The local day the test run started on (collection included). "10:00" pins to it, so
    dates a test module computes when it is imported agree with its pinned clock even when
    the run crosses midnight."""
    if not _SESSION_DAY:
        _SESSION_DAY.append(now().date())
    return _SESSION_DAY[0]


@contextmanager
def collection_travel() -> Iterator[None]:
    """Around collection: under LINLI_TEST_NOW the test modules are imported at that instant
    too (what they compute at import agrees with the clock their tests then run at); the day
    the run started is noted either way."""
    at = env_instant()
    traveller = time_machine.travel(at, tick=True) if at else None
    if traveller:
        traveller.start()
    session_day()
    try:
        yield
    finally:
        if traveller:
            traveller.stop()


def now() -> dt.datetime:
    return dt.datetime.now(local_tz())


def env_instant() -> dt.datetime | None:
    value = os.environ.get(ENV, "").strip()
    return instant(value) if value else None


def env_each_test() -> bool:
    """LINLI_TEST_NOW_SCOPE=test: every unpinned test starts at the instant (module-scoped
    fixtures were made earlier, so their data may lie in that test's future)."""
    return os.environ.get(ENV + "_SCOPE", "module") == "test"


@contextmanager
def travel(value: str | dt.datetime | dt.date, *, tick: bool = True) -> Iterator[Clock]:
    """Run the block at `value` (see `instant`)."""
    traveller = time_machine.travel(instant(value), tick=tick)
    coordinates = traveller.start()
    try:
        yield Clock(coordinates)
    finally:
        traveller.stop()


class Clock:
    """The pinned clock of a test: read it, move it."""

    def __init__(self, coordinates: Any) -> None:
        self._coordinates = coordinates

    def now(self) -> dt.datetime:
        return now()

    def shift(self, delta: dt.timedelta | float) -> None:
        self._coordinates.shift(delta)

    def move_to(self, value: str | dt.datetime | dt.date, *, tick: bool | None = None) -> None:
        self._coordinates.move_to(instant(value), tick=tick)


def marker_args(marker: Any) -> tuple[Any, bool]:
    if not marker.args:
        raise TypeError(f"@pytest.mark.{MARKER} needs an instant")
    return marker.args[0], bool(marker.kwargs.get("tick", True))
