"""The matching sweep: unanswered invitations expire and their needs go to the next
candidate; bookings not checked in within 15 minutes of their start are released and used
ones that ended are closed. Each step excludes what it did, so a second run changes nothing.
Run by `manage.py matching_sweep [--loop SECONDS]`."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from linli.matching.services.bookings import bookings_sweep
from linli.matching.services.invitations import invitations_sweep


@dataclass(frozen=True)
class SweepResult:
    expired: int = 0
    released: int = 0
    done: int = 0


def matching_sweep(now: dt.datetime | None = None) -> SweepResult:
    now = now or timezone.now()
    expired = invitations_sweep(now=now)
    released, done = bookings_sweep(now=now)
    return SweepResult(expired=expired, released=released, done=done)
