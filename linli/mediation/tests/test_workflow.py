"""MEDIATE-1: the stage steps. Every step out of order is refused and changes nothing;
skipped stages are stamped; deadlines run in working days; conflicts of interest refuse an
assignment; the least-loaded qualified mediator is chosen; recurrences are flagged."""

import datetime as dt

import pytest
from django.utils import timezone

from linli.core.audit.models import AuditEntry
from linli.core.calendar.selectors import add_working_days
from linli.core.errors import (
    ApplicationError,
    Conflict,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from linli.core.roles import Role
from linli.mediation.choices import Action, MediatorKind, Outcome, Side, Stage, Status
from linli.mediation.models import Dispute, DisputeMediator, Mediator, StageStamp
from linli.mediation.policy import TRANSITIONS
from linli.mediation.services import agreement as agreements
from linli.mediation.services import disputes as steps
from linli.mediation.tests.helpers import drive, mediation_world, obligation, register
from linli.people.models import Contact, Resident
from linli.testing.world import make_user


@pytest.fixture
def mw(world):
    return mediation_world(world)


def _call(action: Action, actor, dispute: Dispute):
    """Each step with valid arguments, so only its place in the flow can refuse it."""
    now = timezone.now()
    calls = {
        Action.ACCEPT: lambda: steps.dispute_accept(actor=actor, dispute=dispute),
        Action.DECLINE: lambda: steps.dispute_decline(actor=actor, dispute=dispute, reason="理由"),
        Action.ASSIGN: lambda: steps.dispute_assign(actor=actor, dispute=dispute),
        Action.INVESTIGATE: lambda: steps.dispute_investigate(actor=actor, dispute=dispute),
        Action.SESSION: lambda: steps.dispute_session(
            actor=actor, dispute=dispute, held_at=now, attendees="双方", notes="记录"
        ),
        Action.ASSESS: lambda: steps.dispute_assess(actor=actor, dispute=dispute, note="评估"),
        Action.AGREE: lambda: agreements.dispute_agree(
            actor=actor, dispute=dispute, facts="事实", obligations=obligation(dispute)
        ),
        Action.FAIL: lambda: steps.dispute_fail(actor=actor, dispute=dispute, reason="不成"),
        Action.WITHDRAW: lambda: steps.dispute_withdraw(actor=actor, dispute=dispute, reason="撤"),
        Action.EXTEND: lambda: steps.dispute_extend(
            actor=actor, dispute=dispute, days=5, reason="需要鉴定"
        ),
        Action.SIGN: lambda: agreements.agreement_sign(
            actor=actor, dispute=dispute, scan=b"%PDF-1.4 signed"
        ),
        Action.FOLLOW_UP: lambda: steps.dispute_follow_up(
            actor=actor, dispute=dispute, fulfilment="fulfilled"
        ),
        Action.ARCHIVE: lambda: steps.dispute_archive(actor=actor, dispute=dispute),
    }
    return calls[action]()


def _snapshot(dispute: Dispute):
    d = Dispute.objects.get(pk=dispute.pk)
    return (
        d.status,
        d.outcome,
        d.conclude_due,
        StageStamp.objects.filter(dispute=d).count(),
        d.sessions.count(),
        d.follow_ups.filter(visited_at__isnull=False).count(),
        AuditEntry.objects.count(),
    )


@pytest.mark.parametrize("status", [s for s in Status])
def test_every_step_out_of_order_is_refused_and_changes_nothing(mw, status):
    dispute = drive(mw, register(mw), status)
    assert dispute.status == status
    admin = mw["sysadmin"]  # may take any step: only the status can refuse it
    refused = [a for a, step in TRANSITIONS.items() if status not in step.sources]
    assert refused, "every status refuses some step"
    for action in refused:
        before = _snapshot(dispute)
        with pytest.raises(Conflict) as err:
            _call(action, admin, dispute)
        assert err.value.code == "illegal_transition", action
        assert str(Status(status).label) in err.value.message
        assert _snapshot(dispute) == before, action


def test_a_dispute_that_skips_stages_has_every_stage_stamped(mw, clock):
    dispute = register(mw)
    clock.shift(dt.timedelta(hours=2))
    dispute = drive(
        mw, dispute, Status.AGREED
    )  # accept → session (no investigation, no assessment)
    stamps = {s.stage: s for s in dispute.stamps.all()}
    assert set(stamps) == set(range(Stage.REGISTERED, Stage.CONCLUDED + 1))
    assert [s for s in stamps.values() if s.skipped] == [
        stamps[Stage.INVESTIGATION],
        stamps[Stage.ASSESSMENT],
    ]
    # A skipped stage carries the time it was passed over: never empty, never before its turn.
    assert stamps[Stage.INVESTIGATION].at == stamps[Stage.SESSIONS].at
    assert stamps[Stage.REGISTERED].at < stamps[Stage.ACCEPTED].at
    # A declined dispute, once archived, has all nine stamps, seven of them skipped.
    declined = steps.dispute_archive(
        actor=mw["mediator"], dispute=drive(mw, register(mw, type="parking"), Status.DECLINED)
    )
    assert declined.stamps.count() == len(Stage)
    assert declined.stamps.filter(skipped=True).count() == 6  # accepted … 90-day follow-up
    assert not declined.stamps.get(stage=Stage.CONCLUDED).skipped


def test_deadlines_are_working_days(mw):
    dispute = register(mw)
    assert dispute.accept_due == add_working_days(start=dispute.created_at, days=3).due
    dispute = steps.dispute_accept(actor=mw["mediator"], dispute=dispute)
    assert dispute.conclude_due == add_working_days(start=dispute.accepted_at, days=30).due
    due = dispute.conclude_due
    dispute = steps.dispute_extend(actor=mw["secretary"], dispute=dispute, days=10, reason="待鉴定")
    assert dispute.conclude_due == add_working_days(start=due, days=10).due
    # Once only, and only the community's secretary extends.
    with pytest.raises(Conflict):
        steps.dispute_extend(actor=mw["secretary"], dispute=dispute, days=5, reason="再延")
    other = steps.dispute_accept(actor=mw["mediator"], dispute=register(mw, type="pets"))
    with pytest.raises(PermissionDenied):
        steps.dispute_extend(actor=mw["mediator"], dispute=other, days=5, reason="想延")
    with pytest.raises(ValidationFailed) as err:
        steps.dispute_extend(actor=mw["secretary"], dispute=other, days=31, reason="太长")
    assert err.value.field == "days"
    with pytest.raises(ValidationFailed) as err:
        steps.dispute_extend(actor=mw["secretary"], dispute=other, days=5, reason="  ")
    assert err.value.field == "reason"
    assert Dispute.objects.get(pk=other.pk).extension_reason == ""


def test_bad_input_is_a_clear_error_and_changes_nothing(mw):
    dispute = drive(mw, register(mw), Status.MEDIATING)
    before = _snapshot(dispute)
    with pytest.raises(ValidationFailed) as err:
        agreements.dispute_agree(
            actor=mw["mediator"], dispute=dispute, facts="事实", obligations=[]
        )
    assert err.value.field == "obligations" and "义务" in err.value.message
    stranger = agreements.ObligationInput(party_id=999_999, duty="赔偿")
    with pytest.raises(ValidationFailed) as err:
        agreements.dispute_agree(
            actor=mw["mediator"], dispute=dispute, facts="事实", obligations=[stranger]
        )
    assert err.value.field == "obligations.0.party_id"
    with pytest.raises(ValidationFailed) as err:
        steps.dispute_session(
            actor=mw["mediator"],
            dispute=dispute,
            held_at=timezone.now() + dt.timedelta(days=2),
            attendees="双方",
            notes="计划中的会",
        )
    assert err.value.field == "held_at"
    assert _snapshot(dispute) == before
    # A follow-up before the agreement: refused by the flow.
    with pytest.raises(Conflict):
        steps.dispute_follow_up(actor=mw["mediator"], dispute=dispute, fulfilment="fulfilled")
    # Registration: one side only, the same person twice, a bad phone.
    count = Dispute.objects.count()
    one_side = [steps.PartyInput(side=Side.APPLICANT, resident_id=mw.wang.pk)]
    with pytest.raises(ValidationFailed) as err:
        register(mw, parties=one_side)
    assert err.value.field == "parties"
    twice = [*one_side, steps.PartyInput(side=Side.RESPONDENT, resident_id=mw.wang.pk)]
    with pytest.raises(ValidationFailed):
        register(mw, parties=twice)
    bad_phone = [*one_side, steps.PartyInput(side=Side.RESPONDENT, name="外来人员", phone="abc")]
    with pytest.raises(ValidationFailed) as err:
        register(mw, parties=bad_phone)
    assert err.value.field == "parties.1.phone"
    with pytest.raises(PermissionDenied):
        register(mw, community_id=mw.world.community_b.pk)
    assert Dispute.objects.count() == count


def test_a_mediator_in_a_partys_household_or_family_is_refused(mw):
    dispute = register(mw)
    # A neighbour mediator who lives with 李建国 (same household) …
    housemate_user = make_user("med_housemate", Role.MEDIATOR)
    Resident.objects.create(
        household=mw.li.household, full_name="李小红", sex="F", birth_year=1975, user=housemate_user
    )
    housemate = Mediator.objects.create(
        user=housemate_user, kind=MediatorKind.COMMUNITY, community=mw.world.community_a
    )
    # … and one who is 王秀英's son (a family link on her record).
    son_user = make_user("med_son", Role.MEDIATOR)
    Contact.objects.create(resident=mw.wang, name="王强", relation="儿子", user=son_user)
    son = Mediator.objects.create(user=son_user, kind=MediatorKind.LAWYER, street=mw.world.street)
    for conflicted in (housemate, son):
        before = list(
            DisputeMediator.objects.filter(dispute=dispute).values_list("mediator_id", "lead")
        )
        with pytest.raises(Conflict) as err:
            steps.dispute_assign(actor=mw["secretary"], dispute=dispute, mediator_id=conflicted.pk)
        assert err.value.code == "conflict_of_interest" and "回避" in err.value.message
        after = list(
            DisputeMediator.objects.filter(dispute=dispute).values_list("mediator_id", "lead")
        )
        assert after == before
    # Neither is ever suggested.
    assert {m.pk for m in steps.qualified(dispute)}.isdisjoint({housemate.pk, son.pk})


def test_assignment_takes_the_least_loaded_qualified_mediator(mw):
    busy = mw.mediator
    idle_user = make_user("med_idle", Role.MEDIATOR)
    idle = Mediator.objects.create(
        user=idle_user, kind=MediatorKind.LAWYER, street=mw.world.street, specialities=["noise"]
    )
    pets_only = Mediator.objects.create(
        user=make_user("med_pets", Role.MEDIATOR),
        kind=MediatorKind.COMMUNITY,
        community=mw.world.community_a,
        specialities=["pets"],
    )
    first = register(mw)  # both have no load: the lower id (the persona) gets it
    assert first.mediators.get(lead=True).mediator == busy
    second = register(mw, type="noise", description="另一起噪音")
    assert second.mediators.get(lead=True).mediator == idle
    third = register(mw, type="noise", description="第三起噪音")
    lead = third.mediators.get(lead=True).mediator
    assert lead in (busy, idle) and lead != pets_only  # pets_only never handles noise
    # Concluded disputes no longer count as load.
    drive(mw, first, Status.WITHDRAWN)
    fourth = register(mw, type="noise", description="第四起")
    assert fourth.mediators.get(lead=True).mediator == busy


def test_same_parties_and_type_within_six_months_is_flagged_recurring(mw, clock):
    first = register(mw)
    clock.shift(dt.timedelta(days=100))
    again = register(mw, description="又吵起来了")
    assert again.recurring_of == first
    other_type = register(mw, type="parking", description="停车")
    assert other_type.recurring_of is None
    clock.shift(dt.timedelta(days=150))
    late = register(mw, description="五个月后")
    assert late.recurring_of == again  # the latest earlier one within six months
    clock.shift(dt.timedelta(days=190))
    assert register(mw, description="很久以后").recurring_of is None


def test_a_case_converted_from_casework_must_be_one_the_staff_member_sees(mw):
    with pytest.raises(ValidationFailed) as err:
        register(mw, source="case")
    assert err.value.field == "case_no"
    with pytest.raises(NotFound) as err:
        register(mw, source="case", case_no="20261203000001")
    assert err.value.field == "case_no"


def test_follow_ups_then_archive(mw, clock):
    dispute = drive(mw, register(mw), Status.AGREED)
    assert [f.stage for f in dispute.follow_ups.all()] == [Stage.FOLLOW_UP_30, Stage.FOLLOW_UP_90]
    with pytest.raises(Conflict) as err:
        steps.dispute_archive(actor=mw["mediator"], dispute=dispute)
    assert err.value.code == "follow_up_first"
    with pytest.raises(ValidationFailed):
        steps.dispute_follow_up(actor=mw["mediator"], dispute=dispute, fulfilment="maybe")
    first = steps.dispute_follow_up(actor=mw["mediator"], dispute=dispute, fulfilment="partly")
    assert first.stage == Stage.FOLLOW_UP_30
    second = steps.dispute_follow_up(actor=mw["mediator"], dispute=dispute, fulfilment="fulfilled")
    assert second.stage == Stage.FOLLOW_UP_90
    with pytest.raises(Conflict):
        steps.dispute_follow_up(actor=mw["mediator"], dispute=dispute, fulfilment="fulfilled")
    archived = steps.dispute_archive(actor=mw["mediator"], dispute=dispute)
    assert archived.status == Status.ARCHIVED and archived.outcome == Outcome.AGREEMENT
    assert (
        archived.stamps.count() == len(Stage)
        and not archived.stamps.filter(stage__gte=Stage.FOLLOW_UP_30, skipped=True).exists()
    )


def test_only_the_assigned_mediator_or_the_secretary_works_a_dispute(mw):
    dispute = register(mw)
    other = Mediator.objects.create(
        user=make_user("med_other", Role.MEDIATOR), kind=MediatorKind.POLICE, street=mw.world.street
    )
    for outsider in (other.user, mw["community_worker"], mw["grid_worker"]):
        with pytest.raises(ApplicationError):
            steps.dispute_accept(actor=outsider, dispute=dispute)
    assert Dispute.objects.get(pk=dispute.pk).status == Status.REGISTERED
    assert steps.dispute_accept(actor=mw["secretary"], dispute=dispute).status == Status.ACCEPTED
