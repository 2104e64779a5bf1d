"""MATCH-2/3 through the services: publish, run, review, send, accept, serve, confirm. The
explanation adds up; priority, fairness and filters decide; bad steps change nothing."""

import datetime as dt

import pytest
from django.utils import timezone

from linli.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from linli.geo.models import Household
from linli.ledger.choices import Book
from linli.ledger.services.posting import account_for_user
from linli.matching import scoring
from linli.matching.choices import MatchStatus, NeedStatus, RunStatus
from linli.matching.models import Match, MatchRun, Need, Resource
from linli.matching.present import why_text
from linli.matching.selectors import at_risk
from linli.matching.services import attendance, invitations, runs
from linli.matching.services import needs as need_steps
from linli.matching.tests.helpers import add_volunteer, match_world, publish, tomorrow, window
from linli.people.models import Resident, ResidentTag, Tag

pytestmark = pytest.mark.clock("2026-03-11 10:00")


@pytest.fixture
def mw(world):
    return match_world(world)


def run(mw, **kw):
    start, end = window()
    return runs.matching_run(
        actor=mw["community_worker"],
        community_id=mw.world.community_a.pk,
        window_start=start,
        window_end=end,
        **kw,
    )


def neighbour(mw, name, *, tag=None, room="301"):
    from linli.geo.models import Building

    building = Building.objects.get(grid=mw.world.grid_a1, name="1幢")
    household = Household.objects.create(building=building, unit="1单元", room=room)
    r = Resident.objects.create(household=household, full_name=name, sex="F", birth_year=1940)
    if tag:
        ResidentTag.objects.create(resident=r, tag=Tag.objects.get(code=tag))
    return r


def test_publish_run_send_accept_serve_confirm_puts_hours_in_the_time_bank(mw):
    need = publish(mw)
    assert need.status == NeedStatus.OPEN and need.community_id == mw.world.community_a.pk
    r = run(mw)
    assert r.status == RunStatus.PROPOSED and r.stats["matched"] == 1
    m = r.matches.get()
    assert m.status == MatchStatus.PROPOSED  # staff review before anything is sent
    assert Need.objects.get(pk=need.pk).status == NeedStatus.OPEN
    runs.run_send(actor=mw["community_worker"], run_id=r.pk)
    m.refresh_from_db()
    assert m.status == MatchStatus.INVITED and m.expires_at is not None
    invitations.match_accept(actor=mw["volunteer"], match_id=m.pk)
    assert Need.objects.get(pk=need.pk).status == NeedStatus.ACCEPTED
    with pytest.raises(Conflict):  # accepting twice: a clear error, nothing changes
        invitations.match_accept(actor=mw["volunteer"], match_id=m.pk)
    with pytest.raises(ValidationFailed):  # not before the service took place
        attendance.match_served(actor=mw["volunteer"], match_id=m.pk, minutes=60)
    time_account = account_for_user(user=mw["volunteer"], book=Book.TIME)
    with _at(tomorrow(11)):
        attendance.match_served(actor=mw["volunteer"], match_id=m.pk, minutes=60)
        need.refresh_from_db()
        assert need.status == NeedStatus.SERVED
        time_account.refresh_from_db()
        assert time_account.balance == 0  # waits for the person served
        with pytest.raises(PermissionDenied):  # the volunteer cannot confirm for them
            attendance.need_confirm(actor=mw["volunteer"], need=need)
        attendance.need_confirm(actor=mw["resident"], need=need)
    time_account.refresh_from_db()
    assert time_account.balance == 60
    assert Need.objects.get(pk=need.pk).status == NeedStatus.DONE
    assert Resource.objects.get(pk=m.resource_id).served_count == 1


class _at:
    def __init__(self, when):
        import time_machine

        self.t = time_machine.travel(when, tick=True)

    def __enter__(self):
        self.t.start()

    def __exit__(self, *exc):
        self.t.stop()


def test_terms_add_up_and_the_runner_up_is_explained(mw):
    add_volunteer(mw, "far", lat=30.2900, lon=120.1225)  # about 2 km away
    publish(mw)
    m = run(mw).matches.get()
    assert m.resource == mw.volunteers["volunteer"]
    assert set(m.terms) == {
        "fit",
        "distance",
        "time",
        "priority",
        "reliability",
        "load",
        "fairness",
    }
    assert round(sum(m.terms.values()), 2) == m.score
    assert m.runner_up["name"] == "far·志愿者"
    assert m.runner_up["lost_on"] == "distance"
    assert m.runner_up["score"] < m.score
    assert m.why == "distance" and "距离" in why_text(m)


def test_priority_person_is_served_first_when_volunteers_are_scarce(mw):
    lonely = neighbour(mw, "赵奶奶", tag="alone_elderly")
    publish(mw)  # 王秀英, no priority ground
    need_steps.need_publish(
        actor=mw["community_worker"],
        data=need_steps.NeedInput(
            skill="repair",
            title="电视没信号",
            starts_at=tomorrow(9),
            ends_at=tomorrow(10),
            resident_id=lonely.pk,
        ),
    )
    r = run(mw)
    m = r.matches.get()
    assert m.need.resident_id == lonely.pk
    assert m.terms["priority"] == scoring.PRIORITY_EACH
    other = Need.objects.exclude(pk=m.need_id).get()
    assert r.stats["unmatched"] == {str(other.pk): "busy"} or r.stats["unmatched"] == {
        str(other.pk): "cap"
    }


def test_fairness_spreads_work_and_the_cap_holds(mw):
    add_volunteer(mw, "second", lat=30.2800)  # a little further: scores a little lower
    for hour in (8, 10, 12, 14, 16):
        publish(mw, starts_at=tomorrow(hour), ends_at=tomorrow(hour + 1))
    r = run(mw, cap=2)
    per = {}
    for m in r.matches.all():
        per[m.resource_id] = per.get(m.resource_id, 0) + 1
        assert round(sum(m.terms.values()), 2) == m.score
    assert sorted(per.values()) == [2, 2]
    assert r.stats["matched"] == 4 and len(r.stats["unmatched"]) == 1
    assert list(r.stats["unmatched"].values()) == ["cap"]


def test_unmatched_need_names_the_filter_that_removed_everyone(mw):
    legal = publish(mw, skill="legal", title="咨询遗产问题")
    night = publish(mw, starts_at=tomorrow(21), ends_at=tomorrow(22), title="晚上修灯")
    r = run(mw)
    assert r.stats["unmatched"][str(legal.pk)] == "skill"
    assert r.stats["unmatched"][str(night.pk)] == "availability"
    add_volunteer(mw, "faraway", skill="legal", lat=31.0)
    r = run(mw)
    assert r.stats["unmatched"][str(legal.pk)] == "distance"
    runs.run_send(actor=mw["community_worker"], run_id=r.pk)
    legal.refresh_from_db()
    assert legal.status == NeedStatus.UNMATCHED
    assert legal.unmatched_reason == "distance"
    assert legal.unmatched_label == "候选人都超出了距离上限"


def test_overlapping_needs_never_go_to_the_same_volunteer(mw):
    add_volunteer(mw, "second", lat=30.2800)
    publish(mw, starts_at=tomorrow(9), ends_at=tomorrow(11))
    publish(mw, starts_at=tomorrow(10), ends_at=tomorrow(12))
    r = run(mw)
    assert sorted(m.resource_id for m in r.matches.all()) == sorted(
        v.pk for v in mw.volunteers.values()
    )


def test_decline_and_timeout_pass_the_need_to_the_next_candidate(mw, clock):
    add_volunteer(mw, "second", lat=30.2800)
    need = publish(mw)
    r = run(mw)
    runs.run_send(actor=mw["community_worker"], run_id=r.pk)
    first = r.matches.get()
    invitations.match_decline(actor=mw["volunteer"], match_id=first.pk)
    nxt = Match.objects.get(need=need, status=MatchStatus.INVITED)
    assert nxt.volunteer == mw["second"]
    clock.shift(dt.timedelta(hours=5))  # past the 4-hour answer time
    with pytest.raises(Conflict) as exc:  # answered after it expired: refused, nothing changed
        invitations.match_accept(actor=mw["second"], match_id=nxt.pk)
    assert exc.value.code == "expired"
    nxt.refresh_from_db()
    assert nxt.status == MatchStatus.INVITED
    assert invitations.invitations_sweep() == 1
    nxt.refresh_from_db()
    need.refresh_from_db()
    assert nxt.status == MatchStatus.EXPIRED
    assert need.status == NeedStatus.UNMATCHED  # nobody left who was not asked


def test_urgent_need_invites_the_top_few_and_the_first_acceptance_wins(mw):
    add_volunteer(mw, "second", lat=30.2800)
    add_volunteer(mw, "third", lat=30.2850)
    need = publish(mw, urgent=True)
    r = run(mw)
    runs.run_send(actor=mw["community_worker"], run_id=r.pk)
    invited = list(Match.objects.filter(need=need, status=MatchStatus.INVITED))
    assert len(invited) == 3
    winner = next(m for m in invited if m.volunteer == mw["third"])
    invitations.match_accept(actor=mw["third"], match_id=winner.pk)
    statuses = dict(Match.objects.filter(need=need).values_list("volunteer__username", "status"))
    assert statuses == {
        "third": MatchStatus.ACCEPTED,
        "volunteer": MatchStatus.SUPERSEDED,
        "second": MatchStatus.SUPERSEDED,
    }
    late = Match.objects.get(need=need, volunteer=mw["second"])
    with pytest.raises(Conflict) as exc:
        invitations.match_accept(actor=mw["second"], match_id=late.pk)
    assert exc.value.code == "taken"


def test_no_show_lowers_reliability_and_shows_at_risk(mw, clock):
    need = publish(
        mw,
        starts_at=timezone.now() + dt.timedelta(hours=3),
        ends_at=timezone.now() + dt.timedelta(hours=4),
    )
    start = timezone.now()
    r = runs.matching_run(
        actor=mw["community_worker"],
        community_id=mw.world.community_a.pk,
        window_start=start,
        window_end=start + dt.timedelta(days=1),
    )
    runs.run_send(actor=mw["community_worker"], run_id=r.pk)
    m = r.matches.get()
    invitations.match_accept(actor=mw["volunteer"], match_id=m.pk)
    assert [n.pk for n in at_risk(mw["community_worker"], mw.world.community_a.pk)] == [need.pk]
    assert at_risk(mw["resident"], mw.world.community_a.pk) == []
    before = Resource.objects.get(pk=m.resource_id).reliability
    clock.shift(dt.timedelta(hours=5))
    attendance.need_no_show(actor=mw["resident"], need=need)
    assert Resource.objects.get(pk=m.resource_id).reliability < before
    assert Need.objects.get(pk=need.pk).status == NeedStatus.NO_SHOW


def test_bad_input_is_refused_and_nothing_is_written(mw):
    count = Need.objects.count()
    with pytest.raises(ValidationFailed):
        publish(mw, starts_at=timezone.now() - dt.timedelta(hours=1))
    with pytest.raises(ValidationFailed):
        publish(mw, ends_at=tomorrow(8))
    with pytest.raises(ValidationFailed):
        publish(mw, skill="nonsense")
    with pytest.raises(ValidationFailed):  # a resident cannot publish for someone else
        other = neighbour(mw, "钱大爷")
        publish(mw, resident_id=other.pk)
    assert Need.objects.count() == count
    with pytest.raises(PermissionDenied):
        run(mw) if False else runs.matching_run(
            actor=mw["resident"],
            community_id=mw.world.community_a.pk,
            window_start=window()[0],
            window_end=window()[1],
        )
    with pytest.raises(ValidationFailed):
        run(mw, cap=0)
    assert MatchRun.objects.count() == 0
    with pytest.raises(NotFound):
        invitations.match_accept(actor=mw["volunteer"], match_id=999999)


def test_a_service_request_becomes_a_need_without_retyping(mw):
    from linli.casework.services.categories import categories_ensure_defaults
    from linli.casework.services.intake import CaseInput, case_submit

    categories_ensure_defaults(actor=None)
    case = case_submit(
        actor=mw["resident"],
        data=CaseInput(
            category_code="21-02", description="想请人上门陪护半天", lat=30.2725, lon=120.1225
        ),
    )
    need = need_steps.need_from_case(
        actor=mw["community_worker"], case_id=case.pk, starts_at=tomorrow(9), ends_at=tomorrow(12)
    )
    assert (need.skill, need.detail, need.source_case_id) == ("care", "想请人上门陪护半天", case.pk)
    assert need.resident_id == Resident.objects.get(user=mw["resident"]).pk
    assert need.requester == mw["resident"]
    with pytest.raises(ValidationFailed):  # converted once only
        need_steps.need_from_case(
            actor=mw["community_worker"],
            case_id=case.pk,
            starts_at=tomorrow(9),
            ends_at=tomorrow(12),
        )
    garbage = case_submit(
        actor=mw["resident"],
        data=CaseInput(
            category_code="01-10", description="楼下垃圾没人清理", lat=30.2725, lon=120.1225
        ),
    )
    with pytest.raises(ValidationFailed) as exc:
        need_steps.need_from_case(
            actor=mw["community_worker"],
            case_id=garbage.pk,
            starts_at=tomorrow(9),
            ends_at=tomorrow(12),
        )
    assert "不是服务类诉求" in exc.value.message
