"""EVAL-3: the ledger, matching and care (home services) metrics on small hand-computed
months (March 2026)."""

import datetime as dt

import pytest

from linli.care.models import HomeService
from linli.care.tests.care_helpers import alone_tag
from linli.evaluation import metrics
from linli.evaluation.metrics import Figure
from linli.evaluation.tests.fixtures import MARCH, at
from linli.geo.models import Household
from linli.ledger.models.timebank import RecordStatus, ServiceRecord
from linli.matching.choices import BookingStatus
from linli.matching.models import Booking
from linli.matching.tests.helpers import match_world
from linli.matching.tests.test_bookings import venue
from linli.people.models import Resident, ResidentTag

pytestmark = pytest.mark.clock("2026-04-15 10:00")


def test_volunteer_hours_confirmed_in_the_month(world):
    def record(day: dt.date, minutes: int, status=RecordStatus.CONFIRMED, grid=None):
        ServiceRecord.objects.create(
            volunteer=world["volunteer"], served_user=world["resident"],
            community=(grid or world.grid_a1).community,
            grid=grid or world.grid_a1, served_on=day, minutes=minutes, service="陪诊",
            status=status, idempotency_key=f"k{day}{minutes}",
        )  # fmt: skip

    record(dt.date(2026, 3, 2), 90)
    record(dt.date(2026, 3, 31), 60)
    record(dt.date(2026, 3, 5), 45, grid=world.grid_b1)
    record(dt.date(2026, 3, 6), 600, status=RecordStatus.PENDING)  # not confirmed
    record(dt.date(2026, 4, 1), 600)  # April
    assert metrics.compute("volunteer_hours", MARCH, "all")["all"] == Figure(3.2, None, 3.2)
    by_community = metrics.compute("volunteer_hours", MARCH, "community")
    assert by_community[str(world.community_a.pk)].value == 2.5
    assert by_community[str(world.community_b.pk)].value == 0.8  # 45 min, one decimal


def test_alone_elderly_with_two_home_services(world):
    home = Household.objects.get()
    wang = Resident.objects.get(user=world["resident"])
    li = Resident.objects.create(household=home, full_name="李奶奶", sex="F", birth_year=1938)
    zhao = Resident.objects.create(household=home, full_name="赵爷爷", sex="M", birth_year=1936)
    for r in (wang, li, zhao):
        ResidentTag.objects.create(resident=r, tag=alone_tag())

    def served(r: Resident, when: dt.datetime) -> None:
        HomeService.objects.create(
            resident=r, kind="meal", provided_at=when, provider_name="助餐点",
            recorded_by=world["grid_worker"],
        )  # fmt: skip

    served(wang, at(3, 3))
    served(wang, at(3, 20))  # 2 in March: counted
    served(li, at(3, 3))
    served(li, at(4, 2))  # 1 in March
    figs = metrics.compute("elderly_home_services", MARCH, "community")
    assert figs == {str(world.community_a.pk): Figure(1, 3, 33.33)}


def test_venue_idle_rate(world, clock):
    clock.move_to("2026-02-01 08:00")
    mw = match_world(world)
    room = venue(mw, name="周一会议室", hours=[[0, "09:00", "17:00"]])
    clock.move_to("2026-04-15 10:00")
    # March 2026 Mondays: 2, 9, 16, 23, 30 → 5 × 8 h = 40 h open; booked 9 Mar 09–13.
    tz = at(3, 9).tzinfo
    Booking.objects.create(
        resource=room, booked_by=world["resident"], purpose="x", status=BookingStatus.DONE,
        starts_at=dt.datetime(2026, 3, 9, 9, tzinfo=tz), ends_at=dt.datetime(2026, 3, 9, 13, tzinfo=tz),
    )  # fmt: skip
    figs = metrics.compute("venue_idle_rate", MARCH, "community")
    assert figs == {str(world.community_a.pk): Figure(36.0, 40.0, 90.0)}
    assert metrics.compute("venue_idle_rate", MARCH, "all")["all"].value == 90.0


def test_points_issued_and_redeemed(world, clock):
    from linli.ledger.services.points import points_award, reward_redeem, voucher_cancel
    from linli.ledger.tests.programme_helpers import give_points, key, reward, rule

    clock.move_to("2026-03-10 10:00")
    rule("vote", points=10)
    for n in range(3):  # 30 points awarded in March
        points_award(actor=None, user=world["resident"], rule_code="vote", source_key=f"v:{n}")
    give_points(world["resident"], 100)  # a plain transfer, not an award: not "issued"
    item = reward(world, price=50, stock=5)
    reward_redeem(actor=world["resident"], reward=item, idempotency_key=key())  # 50 spent
    cancelled = reward_redeem(actor=world["resident"], reward=item, idempotency_key=key())
    voucher_cancel(actor=world["community_worker"], voucher=cancelled)  # refunded: not counted
    clock.move_to("2026-04-02 10:00")
    points_award(actor=None, user=world["resident"], rule_code="vote", source_key="v:april")
    clock.move_to("2026-04-15 10:00")
    assert metrics.compute("points_issued", MARCH, "all")["all"] == Figure(30, None, 30)
    assert metrics.compute("points_redeemed", MARCH, "all")["all"] == Figure(50, None, 50)
    assert metrics.compute("points_issued", MARCH, "community") == {}  # not by place
