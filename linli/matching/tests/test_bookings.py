"""MATCH-4 on hand-computed fixtures: overlapping, past, out-of-hours and over-capacity
bookings are refused and change nothing; weekly series skip the dates they cannot have and
say which; a booking not checked in within 15 minutes is released; idle rates over opening
hours; "free in this range"."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from linli.core.errors import Conflict, ValidationFailed
from linli.matching.choices import BookingStatus, ResourceKind
from linli.matching.models import Booking, Resource
from linli.matching.selectors import free_in_range, idle_rates
from linli.matching.services import bookings, pool
from linli.matching.tests.helpers import match_world

# Wednesday 11 March 2026, 10:00 (a working day).
pytestmark = pytest.mark.clock("2026-03-11 10:00")


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def mw(world):
    return match_world(world)


def venue(mw, name="活动室", hours=None, capacity=20, rule="all"):
    return pool.resource_create(
        actor=mw["community_worker"],
        data=pool.ResourceInput(
            kind=ResourceKind.VENUE,
            name=name,
            category="meeting",
            community_id=mw.world.community_a.pk,
            capacity=capacity,
            hours=hours if hours is not None else [[d, "08:00", "18:00"] for d in range(7)],
            calendar_rule=rule,
        ),
    )


def book(mw, v, start, end, who="resident", people=5):
    return bookings.booking_create(
        actor=mw[who],
        resource_id=v.pk,
        starts_at=start,
        ends_at=end,
        people=people,
        purpose="书法班",
    )


def test_overlapping_past_out_of_hours_and_over_capacity_are_refused(mw):
    v = venue(mw)
    book(mw, v, at(12, 9), at(12, 11))
    cases = [
        (at(12, 10), at(12, 12), Conflict, "overlap"),
        (at(12, 8), at(12, 9, 30), Conflict, "overlap"),
        (at(10, 9), at(10, 10), ValidationFailed, "past"),
        (at(12, 17), at(12, 19), ValidationFailed, "outside_hours"),
    ]
    for start, end, error, code in cases:
        with pytest.raises(error) as exc:
            book(mw, v, start, end, who="volunteer")
        assert exc.value.code == code
    with pytest.raises(ValidationFailed) as exc:
        book(mw, v, at(12, 14), at(12, 15), people=21)
    assert exc.value.code == "capacity"
    assert Booking.objects.count() == 1
    # Touching ends are fine: [9, 11) then [11, 12).
    book(mw, v, at(12, 11), at(12, 12), who="volunteer")
    assert Booking.objects.count() == 2


def test_the_database_refuses_overlaps_the_service_did_not_see(mw):
    """Bypassing the service: PostgreSQL's exclusion constraint still says no."""
    if connection.vendor != "postgresql":
        pytest.skip("the exclusion constraint exists on PostgreSQL; SQLite relies on the service")
    v = venue(mw)
    Booking.objects.create(
        resource=v, booked_by=mw["resident"], starts_at=at(12, 9), ends_at=at(12, 11), purpose="a"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(
            resource=v,
            booked_by=mw["resident"],
            starts_at=at(12, 10),
            ends_at=at(12, 12),
            purpose="b",
        )
    # A released booking no longer holds its slot.
    Booking.objects.update(status=BookingStatus.RELEASED)
    Booking.objects.create(
        resource=v, booked_by=mw["resident"], starts_at=at(12, 10), ends_at=at(12, 12), purpose="c"
    )


def test_weekly_series_skips_conflicts_and_closed_days_and_says_which(mw):
    v = venue(mw)
    book(mw, v, at(25, 14), at(25, 16), who="volunteer")  # the third Wednesday is taken
    pool.resource_close_day(
        actor=mw["community_worker"], resource_id=v.pk, day=dt.date(2026, 4, 1), reason="消防检查"
    )
    made, skipped = bookings.booking_series(
        actor=mw["resident"],
        resource_id=v.pk,
        starts_at=at(11, 14),
        ends_at=at(11, 16),
        weeks=5,
        people=8,
        purpose="合唱排练",
    )
    assert [timezone.localtime(b.starts_at).date().day for b in made] == [11, 18, 8]
    assert [(timezone.localtime(s.starts_at).date(), s.reason) for s in skipped] == [
        (dt.date(2026, 3, 25), "该时段已被预约,请换一个时间。"),
        (dt.date(2026, 4, 1), "所选时间不在场地开放时间内。"),
    ]
    assert len({b.series for b in made}) == 1


def test_not_checked_in_within_15_minutes_is_released(mw, clock):
    v = venue(mw)
    a = book(mw, v, at(11, 11), at(11, 12))
    b = book(mw, v, at(11, 13), at(11, 14), who="volunteer")
    clock.move_to("2026-03-11 11:14")
    assert bookings.bookings_sweep() == (0, 0)  # still within the 15 minutes
    clock.move_to("2026-03-11 11:16")
    assert bookings.bookings_sweep() == (1, 0)
    a.refresh_from_db()
    assert a.status == BookingStatus.RELEASED
    with pytest.raises(Conflict):
        bookings.booking_check_in(actor=mw["resident"], booking_id=a.pk)
    # The released slot can be booked again.
    clock.move_to("2026-03-11 12:50")
    bookings.booking_check_in(actor=mw["volunteer"], booking_id=b.pk, people=6)
    clock.move_to("2026-03-11 14:01")
    assert bookings.bookings_sweep() == (0, 1)
    b.refresh_from_db()
    assert (b.status, b.used_people) == (BookingStatus.DONE, 6)


def test_idle_rate_over_opening_hours_rolling_30_days(mw, clock):
    """A room open on Mondays 09:00-17:00; the 30 days end Wed 11 March 10:00, so they start
    Mon 9 Feb 10:00: 7 h of 9 Feb count, then 16 Feb, 23 Feb, 2 Mar, 9 Mar (8 h each).
    Opening = 7 + 4 × 8 = 39 h. Booked: 9 Mar 09:00-13:00 (4 h) and 2 Mar 16:00-19:00 (only
    16-17 is within hours: 1 h); a released booking does not count. Idle = 1 − 5/39."""
    clock.move_to("2026-02-01 08:00")
    mon = venue(mw, name="周一会议室", hours=[[0, "09:00", "17:00"]])
    busy = venue(mw, name="天天满", hours=[[0, "09:00", "17:00"]])
    Booking.objects.create(
        resource=mon,
        booked_by=mw["resident"],
        starts_at=at(9, 9),
        ends_at=at(9, 13),
        purpose="x",
        status=BookingStatus.DONE,
    )
    Booking.objects.create(
        resource=mon,
        booked_by=mw["resident"],
        starts_at=at(2, 16),
        ends_at=at(2, 19),
        purpose="x",
        status=BookingStatus.DONE,
    )
    Booking.objects.create(
        resource=mon,
        booked_by=mw["resident"],
        starts_at=at(9, 14),
        ends_at=at(9, 16),
        purpose="x",
        status=BookingStatus.RELEASED,
    )
    for day in (9, 16, 23):
        d = dt.datetime(2026, 2, day, 9, tzinfo=timezone.get_current_timezone())
        Booking.objects.create(
            resource=busy,
            booked_by=mw["resident"],
            starts_at=d,
            ends_at=d + dt.timedelta(hours=8),
            purpose="x",
            status=BookingStatus.DONE,
        )
    for day in (2, 9):
        Booking.objects.create(
            resource=busy,
            booked_by=mw["resident"],
            starts_at=at(day, 9),
            ends_at=at(day, 17),
            purpose="x",
            status=BookingStatus.DONE,
        )
    clock.move_to("2026-03-11 10:00")
    rows = {r.resource.name: r for r in idle_rates(community_id=mw.world.community_a.pk)}
    assert rows["周一会议室"].open_hours == 39.0
    assert rows["周一会议室"].booked_hours == 5.0
    assert rows["周一会议室"].rate == round(1 - 5 / 39, 4)
    assert rows["周一会议室"].flagged  # 87% idle > 30%
    assert rows["天天满"].rate == 0.0 and not rows["天天满"].flagged


def test_free_in_range_lists_open_unbooked_big_enough_venues(mw):
    a = venue(mw, name="A 活动室")
    b = venue(mw, name="B 操场", hours=[[d, "16:30", "20:00"] for d in range(5)], rule="working")
    c = venue(mw, name="C 小会议室", capacity=6)
    book(mw, a, at(12, 17), at(12, 18))

    def names(s, e, p=1):
        return sorted(
            v.name
            for v in free_in_range(
                actor=mw["resident"],
                community_id=mw.world.community_a.pk,
                starts_at=s,
                ends_at=e,
                people=p,
            )
        )

    assert names(at(12, 17), at(12, 18)) == ["B 操场", "C 小会议室"]
    assert names(at(12, 17), at(12, 18), p=10) == ["B 操场"]
    assert names(at(12, 9), at(12, 10)) == ["A 活动室", "C 小会议室"]
    # Saturday: the playground opens on working days only.
    assert names(at(14, 17), at(14, 18)) == ["A 活动室", "C 小会议室"]
    assert b and c and Resource.objects.count() >= 3


def test_the_sweep_command_releases_and_says_so(mw, clock):
    from io import StringIO

    from django.core.management import call_command

    v = venue(mw)
    book(mw, v, at(11, 11), at(11, 12))
    clock.move_to("2026-03-11 11:20")
    out = StringIO()
    call_command("matching_sweep", stdout=out)
    assert "released=1" in out.getvalue()
    assert Booking.objects.get().status == BookingStatus.RELEASED


def test_a_venue_listed_this_week_counts_from_its_listing(mw, clock):
    """Listed Mon 9 March 08:00, open every day 08:00-18:00: by Wed 11 March 10:00 it has
    been open 10 + 10 + 2 = 22 h; a booking of 11 h of them gives an idle rate of 50%."""
    clock.move_to("2026-03-09 08:00")
    v = venue(mw, name="新场地")
    Booking.objects.create(
        resource=v,
        booked_by=mw["resident"],
        starts_at=at(9, 8),
        ends_at=at(9, 18),
        purpose="x",
        status=BookingStatus.DONE,
    )
    Booking.objects.create(
        resource=v,
        booked_by=mw["resident"],
        starts_at=at(10, 9),
        ends_at=at(10, 10),
        purpose="x",
        status=BookingStatus.DONE,
    )
    clock.move_to("2026-03-11 10:00")
    [row] = idle_rates(community_id=mw.world.community_a.pk)
    assert (row.open_hours, row.booked_hours, row.rate, row.flagged) == (22.0, 11.0, 0.5, True)
