"""A year of history for the evaluation dashboards (PLAT-3, EVAL-3).

Twelve ended months of cases, each created and moved through the real casework services
while a simulated clock stands at the moment of each step, so timelines, deadlines (from the
working calendar), ratings and audit entries carry their historic times. The pilot community
answers faster, settles more in the building and is rated better. Then, under the same
clock, the alerts, disputes, volunteer hours, bookings and surveys of each month
(`demo.evaluation_history`); then every month is frozen into an evaluation snapshot.
"""

import datetime as dt
import random
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.utils import timezone

from linli.accounts.choices import MembershipKind
from linli.accounts.models import Membership, User
from linli.casework.choices import Channel
from linli.casework.models import Case
from linli.casework.services import workflow
from linli.casework.services.intake import CaseInput, case_submit
from linli.core.calendar.selectors import is_working_day
from linli.core.roles import Role
from linli.demo import evaluation_history as history
from linli.demo.cases import DESCRIPTIONS, _point_in
from linli.evaluation.services import last_closed_month, snapshot_due
from linli.geo.models import Community, Grid, Street

MONTHS = 12
PER_COMMUNITY = 5  # cases per community per month


class _Clock:
    def __init__(self, start: dt.datetime) -> None:
        self.now = start
        self.limit = start - dt.timedelta(minutes=5)

    def __call__(self) -> dt.datetime:
        return self.now


@contextmanager
def simulated(clock: _Clock) -> Iterator[_Clock]:
    """While inside, `timezone.now()` is the clock's moment (the services stamp with it)."""
    real = timezone.now
    timezone.now = clock  # type: ignore[assignment]
    try:
        yield clock
    finally:
        timezone.now = real  # type: ignore[assignment]


def _working_moment(rng: random.Random, month: dt.date) -> dt.datetime:
    tz = timezone.get_default_timezone()
    while True:
        day = month.replace(day=rng.randint(1, 27))
        if is_working_day(day):
            return dt.datetime.combine(
                day, dt.time(rng.randint(8, 16), rng.choice((0, 20, 40))), tz
            )


def _months(now: dt.datetime) -> list[dt.date]:
    month = last_closed_month(now)
    out = []
    for _i in range(MONTHS):
        out.append(month)
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return sorted(out)


def seed_history(*, street: Street, seed: int) -> int:
    """Create the year of cases (none if there is history already) and freeze the months."""
    first = _months(timezone.now())[0]
    tz = timezone.get_default_timezone()
    if Case.objects.filter(
        community__street=street,
        created_at__lt=dt.datetime.combine(first.replace(day=28), dt.time.min, tz),
    ).exists():
        return 0
    rng = random.Random(seed + 17)
    admin = User.objects.filter(role=Role.SYSADMIN).order_by("id").first()
    workers = {
        m.grid_id: m.user
        for m in Membership.objects.filter(kind=MembershipKind.GRID_WORKER).select_related("user")
    }
    communities = list(Community.objects.filter(street=street).order_by("code"))
    grids = {
        c.pk: list(Grid.objects.filter(community=c).order_by("unit_code")) for c in communities
    }
    codes = sorted(DESCRIPTIONS)
    places = history.places(communities, admin)
    clock = _Clock(timezone.now())
    months = _months(timezone.localtime())  # before the clock moves
    made = 0
    with simulated(clock):
        for index, month in enumerate(months):
            for community in communities:
                for i in range(PER_COMMUNITY):
                    grid = grids[community.pk][(index + i) % len(grids[community.pk])]
                    clock.now = _working_moment(rng, month)
                    _one_case(
                        clock=clock,
                        rng=rng,
                        pilot=community.is_pilot,
                        grid=grid,
                        code=codes[(index * 7 + i) % len(codes)],
                        admin=admin,
                        worker=workers.get(grid.pk) or admin,
                    )
                    made += 1
        # Alerts, disputes, volunteer hours, bookings and surveys, month by month.
        counts = history.Counts()
        for month in months:
            for place in places:
                history.Month(
                    clock=clock,
                    rng=rng,
                    place=place,
                    month=month,
                    moment=_working_moment,
                    counts=counts,
                ).build()
    snapshot_due(months_back=MONTHS)
    return made


def _one_case(
    *,
    clock: _Clock,
    rng: random.Random,
    pilot: bool,
    grid: Grid,
    code: str,
    admin: Any,
    worker: Any,
) -> None:
    lat, lon = _point_in(grid, rng)
    data = CaseInput(code, rng.choice(DESCRIPTIONS[code]), lat, lon)
    # Taken by phone (12345) and entered by the grid worker; rated at the follow-up call
    # (回访) by the owner on the caller's behalf, so no demo account's inbox fills up.
    case = case_submit(actor=worker, data=data, channel=Channel.HOTLINE)

    def later(hours: float) -> None:
        # Never past the real present: the last month's cases finish "just now" at the latest.
        clock.now = min(clock.now + dt.timedelta(hours=hours), clock.limit)

    later(rng.uniform(0.3, 3) if pilot else rng.uniform(1, 30))
    case = workflow.case_register(actor=admin, case=case)
    later(0.5)
    case = workflow.case_dispatch(actor=admin, case=case, unit=case.owner_unit)
    later(1)
    case = workflow.case_accept(actor=admin, case=case)
    if not pilot and rng.random() < 0.08:  # a few wait for something outside their hands
        later(2)
        case = workflow.case_request_deferral(
            actor=admin,
            case=case,
            until=case.close_due + dt.timedelta(days=10),
            reason="需协调产权单位",
        )
        later(2)
        case = workflow.case_decide_deferral(actor=admin, case=case, approve=True)
    # Handling time as a share of the time allowed: the pilot rarely runs late.
    allowed = (case.close_due - clock.now).total_seconds() / 3600
    late_share = 0.04 if pilot else 0.3
    share = rng.uniform(1.05, 1.8) if rng.random() < late_share else rng.uniform(0.2, 0.85)
    later(max(1.0, allowed * share - 3))
    case = workflow.case_feedback(actor=admin, case=case, note="已到现场处理完毕")
    later(1)
    case = workflow.case_verify(actor=worker, case=case, passed=True)
    later(1)
    level = rng.choices(("grid", "community", "street"), (6, 3, 1) if pilot else (3, 4, 3))[0]
    case = workflow.case_close(actor=admin, case=case, level=level)
    if rng.random() < (0.1 if pilot else 0.3):
        return  # not reached at the follow-up call
    later(rng.uniform(2, 40))
    ratings = (5, 5, 5, 4, 4, 4, 3, 2) if pilot else (5, 4, 4, 3, 3, 3, 2, 1)
    rating = rng.choice(ratings)
    case = workflow.case_rate(actor=admin, case=case, rating=rating)
    if rating <= 2:  # reopened (返工): handled again and rated again
        later(rng.uniform(4, 30))
        case = workflow.case_accept(actor=admin, case=case)
        case = workflow.case_feedback(actor=admin, case=case, note="返工后重新处理")
        later(1)
        case = workflow.case_verify(actor=worker, case=case, passed=True)
        case = workflow.case_close(actor=admin, case=case, level=level)
        later(rng.uniform(2, 24))
        workflow.case_rate(actor=admin, case=case, rating=rng.choice((3, 4, 4, 5)))
