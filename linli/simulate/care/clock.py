"""The simulated clock: while the simulation runs, `django.utils.timezone.now()` returns the
simulated moment, so everything the real services stamp (readings' received_at, alerts'
acknowledged_at, audit entries, notifications) happens in simulated time."""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from django.utils import timezone


class SimClock:
    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now


@contextmanager
def simulated_time(clock: SimClock) -> Iterator[SimClock]:
    real = timezone.now
    timezone.now = clock  # type: ignore[assignment]
    try:
        yield clock
    finally:
        timezone.now = real  # type: ignore[assignment]
