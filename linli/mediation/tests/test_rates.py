"""MEDIATE-2 on hand-computed fixtures: success = agreements ÷ (agreements + failures);
withdrawn and declined beside it, never success; fulfilled at follow-up; recurrence; small
samples marked, not celebrated; each actor sees their place only."""

import datetime as dt

import pytest
from django.utils import timezone

from linli.mediation.choices import Status
from linli.mediation.selectors import mediation_rates
from linli.mediation.services import disputes as steps
from linli.mediation.tests.helpers import drive, mediation_world, register


@pytest.fixture
def mw(world):
    return mediation_world(world)


def _year():
    today = timezone.localdate()
    return today - dt.timedelta(days=364), today


def _mixed(mw):
    """3 agreements (noise, parking, pets), 1 failure, 2 withdrawn, 1 declined; follow-ups:
    noise fulfilled; parking fulfilled then not fulfilled (its latest visit counts); pets
    none. Then the noise parties come back with a new noise dispute (a recurrence)."""
    m = mw["mediator"]
    noise = drive(mw, register(mw, type="noise"), Status.AGREED)
    parking = drive(mw, register(mw, type="parking"), Status.AGREED)
    drive(mw, register(mw, type="pets"), Status.AGREED)
    drive(mw, register(mw, type="renovation"), Status.FAILED)
    drive(mw, register(mw, type="family"), Status.WITHDRAWN)
    drive(mw, register(mw, type="leakage"), Status.WITHDRAWN)
    drive(mw, register(mw, type="other"), Status.DECLINED)
    steps.dispute_follow_up(actor=m, dispute=noise, fulfilment="fulfilled")
    steps.dispute_follow_up(actor=m, dispute=parking, fulfilment="fulfilled")
    steps.dispute_follow_up(actor=m, dispute=parking, fulfilment="not_fulfilled")
    again = register(mw, type="noise", description="又吵了")
    assert again.recurring_of == noise


def test_rates_on_a_hand_computed_fixture(mw):
    _mixed(mw)
    start, end = _year()
    rows, total = mediation_rates(actor=mw["secretary"], start=start, end=end, by="community")
    assert [r.label for r in rows] == ["甲社区"]
    r = rows[0]
    assert (r.agreements, r.failures, r.withdrawn, r.declined) == (3, 1, 2, 1)
    assert r.concluded == 4 and r.success == 0.75
    assert r.withdrawn_share == pytest.approx(2 / 6)
    assert (r.followed_up, r.fulfilled, r.fulfilled_rate) == (2, 1, 0.5)
    assert (r.recurred, r.recurrence) == (1, pytest.approx(1 / 3))
    # Four concluded disputes: a small sample, never marked as meeting the target.
    assert r.small_sample and r.meets_target is None
    assert total == r.__class__(**{**r.__dict__, "key": "", "label": total.label})
    by_type, _ = mediation_rates(actor=mw["secretary"], start=start, end=end, by="type")
    noise = next(x for x in by_type if x.key == "noise")
    assert (noise.agreements, noise.recurred, noise.fulfilled) == (1, 1, 1)
    withdrawn = [x for x in by_type if x.withdrawn]
    assert {x.key for x in withdrawn} == {"family", "leakage"}
    assert all(x.success is None for x in withdrawn)  # nothing concluded: no rate at all
    by_month, _ = mediation_rates(actor=mw["secretary"], start=start, end=end, by="month")
    assert [x.key for x in by_month] == [f"{timezone.localdate():%Y-%m}"]
    by_mediator, _ = mediation_rates(actor=mw["secretary"], start=start, end=end, by="mediator")
    assert [x.label for x in by_mediator] == ["mediator"]


@pytest.mark.parametrize(("agreements", "failures", "meets"), [(9, 1, True), (8, 2, False)])
def test_the_90_percent_target_from_ten_concluded_disputes(mw, agreements, failures, meets):
    for i in range(agreements):
        drive(mw, register(mw, description=f"纠纷{i}"), Status.AGREED)
    for i in range(failures):
        drive(mw, register(mw, description=f"未成{i}"), Status.FAILED)
    start, end = _year()
    _, total = mediation_rates(actor=mw["secretary"], start=start, end=end)
    assert not total.small_sample
    assert total.success == agreements / 10 and total.meets_target is meets


def test_each_actor_sees_the_rates_of_their_place(mw):
    _mixed(mw)
    start, end = _year()
    seen = {
        role: mediation_rates(actor=mw[role], start=start, end=end)[1].concluded
        for role in ("secretary", "street_admin", "supervisor", "mediator", "community_worker")
    }
    assert seen == {
        "secretary": 4,
        "street_admin": 4,
        "supervisor": 4,
        "mediator": 4,
        "community_worker": 4,
    }
    from linli.accounts.choices import MembershipKind
    from linli.accounts.models import Membership
    from linli.core.roles import Role
    from linli.testing.world import make_user

    other = make_user("secretary_b", Role.SECRETARY)
    Membership.objects.create(
        user=other, kind=MembershipKind.SECRETARY, community=mw.world.community_b
    )
    assert mediation_rates(actor=other, start=start, end=end)[1].concluded == 0
    # A period before any of them: nothing.
    assert mediation_rates(actor=mw["supervisor"], start=start, end=start)[1].concluded == 0
