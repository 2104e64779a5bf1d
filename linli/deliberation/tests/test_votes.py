"""Votes through the services (VOTE-1, VOTE-3, VOTE-4): the frozen electorate, one ballot
per household across channels, the window on every ballot, paper ballots confirmed by a
second person, secret ballots, receipts, results only after closing. Bad input changes
nothing."""

import datetime as dt

import pytest
from django.db import models

from linli.core.errors import ApplicationError
from linli.deliberation.choices import ProfessionalKind, VoteStatus
from linli.deliberation.models import (
    BallotBox,
    ElectorVoter,
    Participation,
    Vote,
)
from linli.deliberation.services import results, topics, votes
from linli.deliberation.tests.helpers import (
    assembly,
    committee,
    delib_world,
    draft,
    opened,
    sheet_photo,
)
from linli.geo.models import Household
from linli.people.models import Resident
from linli.testing.world import make_user


@pytest.fixture
def dw(world):
    return delib_world(world)


def refused(code, fn, **kw):
    with pytest.raises(ApplicationError) as err:
        fn(**kw)
    assert err.value.code == code, err.value.message
    return err.value.message


def test_household_electorate_is_frozen_when_voting_opens(dw):
    vote = opened(dw, assembly(dw))
    # 王秀英's home and three homes of two adults; the child is no voter.
    assert vote.electorate_size == 4
    assert ElectorVoter.objects.filter(vote=vote).count() == 7
    # Someone moving in after opening is not in this vote; someone moving out still is.
    late = make_user("newcomer", "resident")
    Resident.objects.create(household=dw.homes[1], full_name="新住户", birth_year=1990, user=late)
    refused("not_in_electorate", votes.ballot_cast, actor=late, vote=vote, choice="yes")
    mover = dw.adults[dw.homes[2].pk][0]
    Resident.objects.filter(user=mover).update(household=None)
    assert votes.ballot_cast(actor=mover, vote=vote, choice="yes")
    Household.objects.create(building=dw.homes[1].building, room="999")
    assert Vote.objects.get(pk=vote.pk).electorate_size == 4


def test_any_adult_casts_the_household_vote_once_across_channels(dw, clock):
    vote = opened(dw, assembly(dw))
    home = dw.homes[1]
    first, second = dw.adults[home.pk]
    receipt = votes.ballot_cast(actor=first, vote=vote, choice="yes")
    assert len(receipt) == 16
    cast_at = Participation.objects.get(vote=vote).cast_at
    msg = refused("already_voted", votes.ballot_cast, actor=second, vote=vote, choice="no")
    assert "网上投票" in msg
    # A paper ballot for the same household is refused with the online ballot's time.
    voter = ElectorVoter.objects.get(vote=vote, user=second)
    msg = refused(
        "already_voted",
        votes.paper_enter,
        actor=dw["community_worker"],
        vote=vote,
        voter_id=voter.pk,
        choice="no",
        photo=sheet_photo(),
    )
    assert cast_at.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%H:%M") in msg
    assert Participation.objects.filter(vote=vote).count() == 1
    assert BallotBox.objects.filter(vote=vote).count() == 1


def test_paper_first_then_online_is_refused_too(dw):
    vote = opened(dw, assembly(dw))
    home = dw.homes[2]
    voter = ElectorVoter.objects.get(vote=vote, user=dw.adults[home.pk][0])
    votes.paper_enter(
        actor=dw["community_worker"], vote=vote, voter_id=voter.pk, choice="no", photo=sheet_photo()
    )
    msg = refused(
        "already_voted", votes.ballot_cast, actor=dw.adults[home.pk][1], vote=vote, choice="yes"
    )
    assert "纸质选票" in msg


def test_the_window_is_enforced_on_every_ballot(dw, clock):
    body = assembly(dw)
    vote = opened(dw, body)
    user = dw["resident"]
    clock.shift(dt.timedelta(hours=1))  # closes_at reached: no job ran, the vote is closed
    msg = refused("outside_window", votes.ballot_cast, actor=user, vote=vote, choice="yes")
    assert "截止" in msg
    later = votes.vote_open(
        actor=dw["secretary"],
        vote=draft(
            dw,
            body,
            opens_at=clock.now() + dt.timedelta(hours=1),
            closes_at=clock.now() + dt.timedelta(hours=2),
        ),
    )
    refused("outside_window", votes.ballot_cast, actor=user, vote=later, choice="yes")
    assert not Participation.objects.exists() and not BallotBox.objects.exists()


def test_paper_ballot_counts_only_when_a_second_staff_member_confirms(dw):
    vote = opened(dw, assembly(dw), secret=True)
    voter = ElectorVoter.objects.get(vote=vote, user=dw["resident"])
    entry = votes.paper_enter(
        actor=dw["community_worker"],
        vote=vote,
        voter_id=voter.pk,
        choice="yes",
        photo=sheet_photo(),
    )
    assert not entry.counted and entry.sheet_sha256
    assert results.progress(vote)["voted"] == 0 and results.progress(vote)["pending_paper"] == 1
    refused(
        "same_staff",
        votes.paper_confirm,
        actor=dw["community_worker"],
        vote=vote,
        entry_id=entry.pk,
    )
    assert not BallotBox.objects.exists()
    code = votes.paper_confirm(actor=dw["secretary"], vote=vote, entry_id=entry.pk)
    entry.refresh_from_db()
    assert entry.counted and entry.confirmed_by == dw["secretary"]
    assert entry.choice == ""  # secret: the choice left the entry for the box
    assert votes.receipt_check(vote=vote, code=code) == "yes"
    refused(
        "already_confirmed", votes.paper_confirm, actor=dw["sysadmin"], vote=vote, entry_id=entry.pk
    )


def test_paper_ballot_needs_a_voter_of_the_electorate_and_a_photo(dw):
    vote = opened(dw, assembly(dw))
    other = opened(dw, committee(dw))
    stranger = ElectorVoter.objects.filter(vote=other).first()
    refused(
        "not_found",
        votes.paper_enter,
        actor=dw["community_worker"],
        vote=vote,
        voter_id=stranger.pk,
        choice="yes",
        photo=sheet_photo(),
    )
    voter = ElectorVoter.objects.filter(vote=vote).first()
    refused(
        "invalid",
        votes.paper_enter,
        actor=dw["community_worker"],
        vote=vote,
        voter_id=voter.pk,
        choice="yes",
        photo=b"",
    )
    assert not Participation.objects.filter(vote=vote).exists()


def test_a_secret_votes_tables_let_no_query_join_a_voter_to_a_choice(dw):
    vote = opened(dw, assembly(dw), secret=True)
    for home in dw.homes:
        votes.ballot_cast(actor=dw.adults[home.pk][0], vote=vote, choice="yes")
    # The only table with choices has no link to a person, a unit, a channel or a time.
    fields = {f.name: f for f in BallotBox._meta.get_fields()}
    assert set(fields) == {"id", "vote", "choice", "area", "receipt"}
    relations = [f for f in fields.values() if isinstance(f, models.ForeignKey)]
    assert [f.related_model for f in relations] == [Vote]
    # Its key is random, not a sequence following the order ballots were cast.
    ids = list(BallotBox.objects.filter(vote=vote).values_list("id", flat=True))
    assert all(len(i) == 32 for i in ids) and ids != sorted(ids) or len(set(ids)) == len(ids)
    # And who voted keeps no choice.
    assert set(Participation.objects.filter(vote=vote).values_list("choice", flat=True)) == {""}


def test_open_vote_keeps_the_named_choice(dw):
    vote = opened(dw, committee(dw))
    member = ElectorVoter.objects.filter(vote=vote).first()
    votes.ballot_cast(actor=member.user, vote=vote, choice="no")
    assert Participation.objects.get(vote=vote).choice == "no"


def test_results_only_after_closing_with_turnout_by_building_and_channel(dw, clock):
    vote = opened(dw, assembly(dw), code="renovation-cost")
    for home in dw.homes[:3]:
        votes.ballot_cast(actor=dw.adults[home.pk][0], vote=vote, choice="yes")
    voter = ElectorVoter.objects.get(vote=vote, user=dw.adults[dw.homes[3].pk][1])
    entry = votes.paper_enter(
        actor=dw["community_worker"], vote=vote, voter_id=voter.pk, choice="no", photo=sheet_photo()
    )
    refused("results_not_ready", results.results_get, vote=vote)
    assert results.progress(vote) == {
        "electorate": 4,
        "voted": 3,
        "present": 0,
        "pending_paper": 1,
        "quorum_short": 0,
        "has_quorum": 0,
    }
    clock.shift(dt.timedelta(hours=1))
    refused("paper_pending", results.vote_publish, actor=dw["secretary"], vote=vote)
    votes.paper_confirm(actor=dw["secretary"], vote=vote, entry_id=entry.pk)
    out = results.results_get(vote=vote)
    assert (out["yes"], out["no"], out["abstain"]) == (3, 1, 0)
    assert out["passed"]  # 3 of 4 households is exactly 75%
    assert out["turnout"]["by_channel"] == {"web": 3, "paper": 1}
    assert out["turnout"]["by_building"] == [
        {"building": "1幢", "units": 1, "voted": 1},
        {"building": "2幢", "units": 3, "voted": 3},
    ]
    published = results.vote_publish(actor=dw["secretary"], vote=vote)
    assert published.status == VoteStatus.PUBLISHED and published.result["passed"]
    refused("illegal_transition", results.vote_publish, actor=dw["secretary"], vote=vote)


def test_one_short_of_75_percent_fails(dw, clock):
    vote = opened(dw, assembly(dw), code="renovation-cost")
    for home in dw.homes[:2]:
        votes.ballot_cast(actor=dw.adults[home.pk][0], vote=vote, choice="yes")
    votes.ballot_cast(actor=dw.adults[dw.homes[2].pk][0], vote=vote, choice="abstain")
    clock.shift(dt.timedelta(hours=1))
    out = results.results_get(vote=vote)
    assert not out["passed"] and out["participants"] == 3


def test_a_rule_that_cannot_be_met_and_an_empty_body_are_refused(dw):
    body = votes.body_create(
        actor=dw["secretary"],
        community_id=dw.world.community_a.pk,
        kind="committee",
        name="空委员会",
        electorate="members",
    )
    vote = draft(dw, body, code="committee-major")
    msg = refused("empty_electorate", votes.vote_open, actor=dw["secretary"], vote=vote)
    assert "无法达到" in msg
    vote.refresh_from_db()
    assert vote.status == VoteStatus.DRAFT and not vote.electors.exists()


def test_not_in_the_frozen_electorate(dw):
    vote = opened(dw, committee(dw, members=2))
    refused("not_in_electorate", votes.ballot_cast, actor=dw["resident"], vote=vote, choice="yes")


def test_professional_topic_needs_an_expert_opinion_and_is_advisory(dw):
    topic = topics.topic_raise(
        actor=dw["resident"],
        community_id=dw.world.community_a.pk,
        title="3幢外墙裂缝是否需要加固",
        professional=ProfessionalKind.STRUCTURE,
    )
    topics.topic_comment(actor=dw["grid_worker"], topic=topic, text="裂缝在扩大")
    vote = draft(dw, assembly(dw), topic_id=topic.pk)
    assert vote.advisory
    msg = refused("expert_opinion_needed", votes.vote_open, actor=dw["secretary"], vote=vote)
    assert "专家意见" in msg
    topics.topic_expert_opinion(
        actor=dw["secretary"], topic=topic, expert="市房屋安全鉴定站 张工", opinion="需加固"
    )
    assert votes.vote_open(actor=dw["secretary"], vote=vote).status == VoteStatus.OPEN


def test_staff_of_another_community_cannot_run_a_vote(dw):
    vote = draft(dw, assembly(dw))
    refused("forbidden", votes.vote_open, actor=dw["grid_worker"], vote=vote)
    refused(
        "not_found",
        votes.body_create,
        actor=dw["grid_worker"],
        community_id=dw.world.community_a.pk,
        kind="council",
        name="x",
        electorate="members",
    )


def test_owners_vote_by_floor_area(dw, clock):
    body = votes.body_create(
        actor=dw["secretary"],
        community_id=dw.world.community_a.pk,
        kind="assembly",
        name="业主大会",
        electorate="owners",
    )
    owners = Resident.objects.filter(household__in=dw.homes[1:], birth_year=1970)
    areas = ["90.5", "120", "60"]
    for r, area in zip(owners.order_by("pk"), areas, strict=True):
        votes.member_add(actor=dw["secretary"], body=body, resident_id=r.pk, floor_area=area)
    vote = opened(dw, body, code="art278-special")
    assert (vote.electorate_size, vote.electorate_area) == (3, 27050)
    users = [r.user for r in owners.order_by("pk")]
    votes.ballot_cast(actor=users[0], vote=vote, choice="yes")
    votes.ballot_cast(actor=users[1], vote=vote, choice="yes")
    clock.shift(dt.timedelta(hours=1))
    out = results.results_get(vote=vote)
    assert out["yes_area"] == 21050 and out["passed"]


def test_menu_vote_approval_and_winners(dw, clock):
    vote = opened(
        dw,
        assembly(dw),
        code="menu",
        question="下月服务菜单",
        items=["义诊", "理发", "手机课堂", "书法"],
        max_choices=2,
        winners=2,
    )
    items = list(vote.items.values_list("pk", flat=True))
    refused(
        "too_many",
        votes.ballot_cast,
        actor=dw["resident"],
        vote=vote,
        choice=items[:3],
    )
    votes.ballot_cast(actor=dw["resident"], vote=vote, choice=[items[0], items[2]])
    votes.ballot_cast(actor=dw.adults[dw.homes[1].pk][0], vote=vote, choice=[items[2]])
    votes.ballot_cast(actor=dw.adults[dw.homes[2].pk][0], vote=vote, choice=[items[1], items[2]])
    clock.shift(dt.timedelta(hours=1))
    results.vote_publish(actor=dw["secretary"], vote=vote)
    chosen = set(vote.items.filter(chosen=True).values_list("title", flat=True))
    assert chosen == {"手机课堂", "义诊"}  # 3 approvals; then 1 each, the earlier item first


def test_ranked_menu_vote_counts_borda_points(dw, clock):
    vote = opened(
        dw,
        assembly(dw),
        code="menu",
        question="二月服务菜单",
        items=["义诊", "理发", "书法"],
        max_choices=3,
        winners=1,
        ranked=True,
    )
    a, b, c = vote.items.values_list("pk", flat=True)
    refused("twice", votes.ballot_cast, actor=dw["resident"], vote=vote, choice=[a, a])
    # Points by place: first 3, second 2, third 1.
    votes.ballot_cast(actor=dw["resident"], vote=vote, choice=[c, a, b])
    votes.ballot_cast(actor=dw.adults[dw.homes[1].pk][0], vote=vote, choice=[a, c, b])
    votes.ballot_cast(actor=dw.adults[dw.homes[2].pk][0], vote=vote, choice=[a, c])
    clock.shift(dt.timedelta(hours=1))
    out = results.results_get(vote)
    points = {i["title"]: i["points"] for i in out["items"]}
    assert points == {"义诊": 3 + 2 + 3, "书法": 3 + 2 + 2, "理发": 1 + 1}
    assert out["winners"] == [a] and out["ranked"]
    # The stored ballot keeps the voter's order (a ranked ballot is not a set).
    assert BallotBox.objects.filter(vote=vote, choice=f"{c},{a},{b}").exists()
