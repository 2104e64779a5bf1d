"""Meetings (VOTE-5) and observers (VOTE-6): sign-in earns points through the ledger and
feeds the quorum of a vote taken at the meeting; minutes frozen with a hash, amended as a new
version; decisions tracked and flagged when overdue; a fair, seeded observer draw."""

import datetime as dt

import pytest

from linli.core.errors import ApplicationError
from linli.deliberation.models import Minutes, ObserverVolunteer
from linli.deliberation.services import meetings, results, votes
from linli.deliberation.services.meetings import minutes_digest
from linli.deliberation.tests.helpers import committee, delib_world, opened
from linli.ledger.models import PointAward, PointRule
from linli.testing.world import make_user


@pytest.fixture
def dw(world):
    PointRule.objects.create(code="meeting", name="参加居民议事会", points=20, daily_cap=20)
    PointRule.objects.create(code="observer", name="轮值观察员", points=30)
    return delib_world(world)


def _meeting(dw, clock):
    return meetings.meeting_create(
        actor=dw["secretary"],
        community_id=dw.world.community_a.pk,
        kind="joint",
        title="12月联席会议",
        held_at=clock.now(),
        agenda="一、加装电梯\n二、垃圾分类",
    )


def test_sign_in_earns_points_once_and_feeds_the_meetings_quorum(dw, clock):
    body = committee(dw, members=4)
    meeting = _meeting(dw, clock)
    vote = opened(dw, body, code="simple-majority", meeting_id=meeting.pk)
    members = [v.user for v in vote.electors.first().voters.all()] + [
        v.user for e in vote.electors.all()[1:3] for v in e.voters.all()
    ]
    assert results.progress(vote)["quorum_short"] == 3  # > 1/2 of 4
    for user in members[:3]:
        meetings.attendance_sign(actor=dw["secretary"], meeting=meeting, username=user.username)
    with pytest.raises(ApplicationError):
        meetings.attendance_sign(
            actor=dw["secretary"], meeting=meeting, username=members[0].username
        )
    assert PointAward.objects.filter(rule__code="meeting").count() == 3
    progress = results.progress(vote)
    assert progress["present"] == 3 and progress["quorum_short"] == 0
    votes.ballot_cast(actor=members[0], vote=vote, choice="yes")
    votes.ballot_cast(actor=members[1], vote=vote, choice="yes")
    clock.shift(dt.timedelta(hours=1))
    out = results.results_get(vote)
    # 2 ballots + 1 present of 4 > 1/2; yes 2 of 2 cast.
    assert out["present"] == 1 and out["quorum_met"] and out["passed"]


def test_minutes_are_frozen_with_a_hash_and_amended_as_a_new_version(dw, clock):
    meeting = _meeting(dw, clock)
    meetings.minutes_write(actor=dw["secretary"], meeting=meeting, text="草稿")
    meetings.minutes_write(actor=dw["secretary"], meeting=meeting, text="会议决定加装电梯")
    frozen = meetings.minutes_freeze(actor=dw["secretary"], meeting=meeting)
    assert frozen.version == 1
    assert frozen.sha256 == minutes_digest(meeting, 1, "会议决定加装电梯")
    amended = meetings.minutes_write(actor=dw["secretary"], meeting=meeting, text="更正:两部电梯")
    assert amended.version == 2
    assert Minutes.objects.get(meeting=meeting, version=1).text == "会议决定加装电梯"
    with pytest.raises(ApplicationError):
        meetings.minutes_write(actor=dw["grid_worker"], meeting=meeting, text="x")


def test_decisions_are_tracked_and_flagged_when_overdue(dw, clock):
    meeting = _meeting(dw, clock)
    decision = meetings.decision_add(
        actor=dw["secretary"],
        meeting=meeting,
        text="联系电梯公司报价",
        owner_username="community_worker",
        due=clock.now().date() + dt.timedelta(days=3),
    )
    ids = [dw.world.community_a.pk]
    assert meetings.decisions_overdue(ids) == []
    clock.shift(dt.timedelta(days=4))
    assert meetings.decisions_overdue(ids) == [decision]
    meetings.decision_progress(
        actor=dw["community_worker"], decision=decision, text="已报价", done=True
    )
    assert meetings.decisions_overdue(ids) == []
    with pytest.raises(ApplicationError):
        meetings.decision_progress(actor=dw["community_worker"], decision=decision, text="again")


def test_observer_draw_is_seeded_fair_and_reported_for_points(dw, clock):
    users = [u for home in dw.homes[1:] for u in dw.adults[home.pk]]
    for user in users:
        meetings.observer_volunteer(actor=user)
    month = dt.date(2026, 12, 1)
    first = meetings.observer_draw(
        actor=dw["secretary"],
        community_id=dw.world.community_a.pk,
        month=month,
        count=2,
        seed="2026-12",
    )
    drawn = [d.user_id for d in first]
    # The same seed over the same pool gives the same people (anyone can re-run it).
    import hashlib

    expected = sorted(
        (u.pk for u in users), key=lambda u: hashlib.sha256(f"2026-12:{u}".encode()).hexdigest()
    )
    assert drawn == expected[:2]
    with pytest.raises(ApplicationError):
        meetings.observer_draw(
            actor=dw["secretary"],
            community_id=dw.world.community_a.pk,
            month=month,
            count=2,
            seed="x",
        )
    # Next month those who served already go last.
    second = meetings.observer_draw(
        actor=dw["secretary"],
        community_id=dw.world.community_a.pk,
        month=dt.date(2027, 1, 1),
        count=4,
        seed="2027-01",
    )
    assert not {d.user_id for d in second} & set(drawn)
    duty = first[0]
    done = meetings.observer_report(
        actor=duty.user, duty=duty, minutes=120, report="议事过程公开,无异常"
    )
    assert (
        done.done_at and PointAward.objects.filter(rule__code="observer", user=duty.user).exists()
    )
    with pytest.raises(ApplicationError):
        meetings.observer_report(actor=duty.user, duty=duty, minutes=120, report="again")


def test_only_residents_volunteer_and_too_few_volunteers_is_refused(dw):
    with pytest.raises(ApplicationError):
        meetings.observer_volunteer(actor=make_user("nobody", "resident"))
    meetings.observer_volunteer(actor=dw["resident"])
    with pytest.raises(ApplicationError) as err:
        meetings.observer_draw(
            actor=dw["secretary"],
            community_id=dw.world.community_a.pk,
            month=dt.date(2026, 12, 1),
            count=3,
            seed="s",
        )
    assert err.value.code == "too_few_volunteers"
    assert ObserverVolunteer.objects.count() == 1


def test_a_decision_for_a_department_becomes_a_case(dw, clock):
    from linli.casework.models import Case
    from linli.casework.services.categories import categories_ensure_defaults

    categories_ensure_defaults(actor=None)
    meeting = _meeting(dw, clock)
    decision = meetings.decision_add(
        actor=dw["secretary"],
        meeting=meeting,
        text="清运小区积存建筑垃圾",
        owner_username="community_worker",
        due=clock.now().date() + dt.timedelta(days=7),
        category_code="01-02",
    )
    case = Case.objects.get()
    assert decision.case == case and "清运小区积存建筑垃圾" in case.description
    with pytest.raises(ApplicationError):
        meetings.decision_add(
            actor=dw["secretary"],
            meeting=meeting,
            text="无效分类",
            owner_username="community_worker",
            due=clock.now().date(),
            category_code="99-99",
        )
    assert Case.objects.count() == 1 and meeting.decisions.count() == 1
