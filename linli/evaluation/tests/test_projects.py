"""EVAL-2: the scored form, one evaluation per half-year, revocation after two failed
evaluations in a row (not fail-pass-fail), no new funds or bookings once revoked,
reinstatement, and the funding cut proposed → accepted (50%) or declined (unchanged)."""

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import IntegrityError, connections, transaction
from django.utils import timezone

from linli.core.audit.models import AuditEntry
from linli.core.errors import (
    ApplicationError,
    Conflict,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from linli.core.notifications.models import Notification
from linli.evaluation import projects
from linli.evaluation.models import FundingCut, ProjectEvaluation
from linli.evaluation.tests.project_helpers import BAD, GOOD, evaluate, setup
from linli.ledger.models import Project
from linli.ledger.services.funds import project_disburse
from linli.ledger.tests.programme_helpers import key
from linli.matching.models import Resource
from linli.matching.services.bookings import booking_create
from linli.testing.parallel import needs_postgres

pytestmark = pytest.mark.clock("2026-09-15 10:00")


def disburse(world, fund, amount=1_000):
    return project_disburse(
        actor=world["community_worker"],
        project=fund,
        amount=amount,
        memo="餐费",
        idempotency_key=key(),
    )


def book(world, venue):
    start = timezone.localtime() + dt.timedelta(days=1)
    start = start.replace(hour=10, minute=0, second=0, microsecond=0)
    return booking_create(
        actor=world["community_worker"],
        resource_id=venue.pk,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        people=10,
        purpose="长者活动",
    )


def test_total_is_the_weighted_sum_and_the_pass_mark_decides(world):
    s = setup(world)
    # 30·80 + 25·70 + 20·60 + 15·50 + 10·100 = 2400+1750+1200+750+1000 = 7100 / 100 = 71.0
    ev = evaluate(
        world,
        s.project,
        2026,
        1,
        {"outcome": 80, "satisfaction": 70, "funds": 60, "management": 50, "local": 100},
    )
    assert ev.total == 71.0 and ev.passed is True and ev.state == "submitted"
    # 30·40 + 25·50 + 20·60 + 15·50 + 10·30 = 1200+1250+1200+750+300 = 4700 → 47.0 < 60
    ev2 = evaluate(world, s.project, 2025, 2, BAD)
    assert ev2.total == 47.0 and ev2.passed is False
    assert AuditEntry.objects.filter(action="evaluation.project.submit").count() == 2


def test_submit_needs_every_score_and_comments_nothing_changed(world):
    s = setup(world)
    ev = projects.evaluation_start(
        actor=world["evaluator"], project_id=s.project.pk, year=2026, half=1
    )
    projects.evaluation_save(
        actor=world["evaluator"], evaluation_id=ev.pk, scores={"outcome": 90}, comments="x"
    )
    with pytest.raises(ValidationFailed, match="居民满意度") as exc:
        projects.evaluation_submit(actor=world["evaluator"], evaluation_id=ev.pk)
    assert exc.value.field == "scores"
    projects.evaluation_save(actor=world["evaluator"], evaluation_id=ev.pk, scores=GOOD)
    with pytest.raises(ValidationFailed) as exc:
        projects.evaluation_submit(actor=world["evaluator"], evaluation_id=ev.pk)
    assert exc.value.field == "comments"
    for bad in ({"outcome": 101}, {"outcome": -1}, {"outcome": "80"}, {"nope": 5}, [1, 2]):
        with pytest.raises(ValidationFailed):
            projects.evaluation_save(actor=world["evaluator"], evaluation_id=ev.pk, scores=bad)
    ev.refresh_from_db()
    assert ev.state == "draft" and ev.total is None and ev.scores == GOOD


def test_one_evaluation_per_project_and_half_year(world):
    s = setup(world)
    evaluate(world, s.project, 2026, 1, GOOD)
    with pytest.raises(Conflict) as exc:
        projects.evaluation_start(
            actor=world["evaluator"], project_id=s.project.pk, year=2026, half=1
        )
    assert exc.value.code == "duplicate"
    ev = ProjectEvaluation.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():  # the database says so too
        ProjectEvaluation.objects.create(
            project=s.project,
            year=2026,
            half=1,
            sheet=ev.sheet,
            criteria=ev.criteria,
            pass_mark=60,
            evaluator=world["evaluator"],
        )
    with pytest.raises(ValidationFailed):  # a half-year not yet begun
        projects.evaluation_start(
            actor=world["evaluator"], project_id=s.project.pk, year=2027, half=1
        )
    assert ProjectEvaluation.objects.count() == 1


def test_only_the_evaluator_fills_in_and_only_in_draft(world):
    s = setup(world)
    for role in ("community_worker", "secretary", "street_admin", "supervisor", "sysadmin"):
        with pytest.raises(PermissionDenied):
            projects.evaluation_start(actor=world[role], project_id=s.project.pk, year=2026, half=1)
    ev = evaluate(world, s.project, 2026, 1, GOOD)
    with pytest.raises(Conflict):
        projects.evaluation_save(actor=world["evaluator"], evaluation_id=ev.pk, scores=BAD)
    with pytest.raises(PermissionDenied):
        projects.evaluation_confirm(actor=world["evaluator"], evaluation_id=ev.pk)
    projects.evaluation_confirm(actor=world["street_admin"], evaluation_id=ev.pk)
    ev.refresh_from_db()
    assert ev.state == "confirmed" and ev.total == 80.0


def test_two_failures_in_a_row_revoke_and_refuse_funds_and_bookings(
    world, django_capture_on_commit_callbacks
):
    s = setup(world)
    disburse(world, s.fund)
    book(world, s.venue)
    evaluate(world, s.project, 2025, 2, BAD)
    s.project.refresh_from_db()
    assert s.project.qualified  # one failure is not enough
    with django_capture_on_commit_callbacks(execute=True):
        evaluate(world, s.project, 2026, 1, BAD)
    s.project.refresh_from_db()
    assert not s.project.qualified and "2025H2、2026H1" in s.project.revoked_reason
    assert AuditEntry.objects.filter(action="evaluation.project.revoke").count() == 1
    assert Notification.objects.filter(title__contains="运营资格已撤销").exists()
    with pytest.raises(Conflict) as exc:
        disburse(world, s.fund)
    assert exc.value.code == "qualification_revoked"
    with pytest.raises(Conflict) as exc:
        book(world, s.venue)
    assert exc.value.code == "qualification_revoked"
    s.fund.refresh_from_db()
    assert s.fund.disbursed == 1_000  # nothing more paid


def test_fail_pass_fail_does_not_revoke(world):
    s = setup(world)
    evaluate(world, s.project, 2025, 1, BAD)
    evaluate(world, s.project, 2025, 2, GOOD)
    evaluate(world, s.project, 2026, 1, BAD)
    s.project.refresh_from_db()
    assert s.project.qualified
    disburse(world, s.fund)
    book(world, s.venue)


def test_reinstatement_by_the_administrator_with_a_reason(world):
    s = setup(world)
    evaluate(world, s.project, 2025, 2, BAD)
    evaluate(world, s.project, 2026, 1, BAD)
    for role in ("street_admin", "evaluator", "secretary"):
        with pytest.raises(PermissionDenied):
            projects.project_reinstate(
                actor=world[role], project_id=s.project.pk, reason="整改完成"
            )
    with pytest.raises(ValidationFailed):
        projects.project_reinstate(actor=world["sysadmin"], project_id=s.project.pk, reason=" ")
    projects.project_reinstate(actor=world["sysadmin"], project_id=s.project.pk, reason="整改完成")
    s.project.refresh_from_db()
    assert s.project.qualified and s.project.reinstated_reason == "整改完成"
    disburse(world, s.fund)
    book(world, s.venue)
    with pytest.raises(Conflict):
        projects.project_reinstate(actor=world["sysadmin"], project_id=s.project.pk, reason="再次")
    # After reinstatement the count starts again: one new failure does not revoke.
    evaluate(world, s.project, 2026, 2, BAD)
    s.project.refresh_from_db()
    assert s.project.qualified


def test_low_efficiency_proposes_a_cut_that_the_secretary_accepts(
    world, django_capture_on_commit_callbacks
):
    s = setup(world, budget=1_000_000)
    # ¥2,000 paid in 2026H2 for 2 people: ¥1,000 a person, above the ¥500 limit.
    disburse(world, s.fund, 200_000)
    with django_capture_on_commit_callbacks(execute=True):
        ev = evaluate(world, s.project, 2026, 2, GOOD, served=2)
    assert ev.cost_per_person_fen == 100_000
    cut = FundingCut.objects.get()
    assert (cut.year, cut.percent, cut.budget_before, cut.budget_after) == (
        2027,
        50,
        1_000_000,
        500_000,
    )
    assert "人均服务成本" in cut.why
    assert Notification.objects.filter(
        recipient=world["secretary"], title__contains="削减"
    ).exists()
    with pytest.raises(PermissionDenied):
        projects.cut_decide(actor=world["community_worker"], cut_id=cut.pk, accept=True)
    with pytest.raises(PermissionDenied):
        projects.cut_decide(actor=world["evaluator"], cut_id=cut.pk, accept=True)
    projects.cut_decide(actor=world["secretary"], cut_id=cut.pk, accept=True)
    s.fund.refresh_from_db()
    assert s.fund.budget == 500_000
    assert AuditEntry.objects.filter(action="ledger.fund.budget", object_id=str(s.fund.pk)).exists()
    with pytest.raises(Conflict):
        projects.cut_decide(actor=world["secretary"], cut_id=cut.pk, accept=False, reason="x")


def test_a_declined_cut_needs_a_reason_and_leaves_the_budget(world):
    s = setup(world, budget=1_000_000)
    disburse(world, s.fund, 200_000)
    evaluate(world, s.project, 2026, 2, GOOD, served=2)
    cut = FundingCut.objects.get()
    with pytest.raises(ValidationFailed):
        projects.cut_decide(actor=world["secretary"], cut_id=cut.pk, accept=False, reason="")
    projects.cut_decide(
        actor=world["secretary"],
        cut_id=cut.pk,
        accept=False,
        reason="服务对象多为失能老人,成本合理",
    )
    cut.refresh_from_db()
    s.fund.refresh_from_db()
    assert cut.state == "declined" and s.fund.budget == 1_000_000


def test_efficient_project_gets_no_cut(world):
    s = setup(world)
    disburse(world, s.fund, 200_000)
    ev = evaluate(world, s.project, 2026, 2, GOOD, served=400)  # ¥5 a person
    assert ev.cost_per_person_fen == 500 and ev.idle_rate is None  # venue listed today
    assert not FundingCut.objects.exists()


def test_an_idle_venue_proposes_a_cut(world):
    s = setup(world)
    # Listed since July, open 08:00-20:00 every day, nothing booked: idle 100% > 60%.
    Resource.objects.filter(pk=s.venue.pk).update(
        created_at=dt.datetime(2026, 7, 1, tzinfo=timezone.get_current_timezone())
    )
    ev = evaluate(world, s.project, 2026, 2, GOOD)
    assert ev.idle_rate == 1.0 and ev.cost_per_person_fen is None
    cut = FundingCut.objects.get()
    assert "场地闲置率 100.0% > 60%" in cut.why and cut.budget_after == 500_000


def test_registration_checks_scope_and_duplicates(world):
    s = setup(world)
    with pytest.raises(Conflict):
        projects.project_register(actor=world["sysadmin"], fund_project_id=s.fund.pk)
    with pytest.raises(PermissionDenied):
        projects.project_register(actor=world["evaluator"], partner_id=s.partner.pk)
    with pytest.raises(ValidationFailed):
        projects.project_register(actor=world["sysadmin"])
    with pytest.raises(NotFound):
        projects.project_register(actor=world["sysadmin"], fund_project_id=99999)
    assert Project.objects.count() == 1


def test_community_staff_see_only_their_projects(world):
    s = setup(world)
    assert list(projects.projects_for(world["community_worker"])) == [s.project]
    assert list(projects.projects_for(world["grid_worker"])) == []
    assert list(projects.projects_for(world["resident"])) == []
    assert list(projects.projects_for(world["dept_officer"])) == []


@pytest.mark.django_db(transaction=True)
def test_parallel_starts_leave_one_evaluation(live_world, settings):
    """Ten evaluators' browsers opening the same half-year at once: one draft, nine 409s."""
    needs_postgres("the parallel evaluation start test")
    s = setup(live_world)
    parallel = 10
    start = threading.Barrier(parallel)

    def open_form(i: int) -> str:
        try:
            start.wait()
            projects.evaluation_start(
                actor=live_world["evaluator"], project_id=s.project.pk, year=2026, half=1
            )
            return "ok"
        except ApplicationError as exc:
            return str(exc.code)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(parallel) as pool:
        got = list(pool.map(open_form, range(parallel)))
    assert got.count("ok") == 1 and got.count("duplicate") == parallel - 1, got
    assert ProjectEvaluation.objects.count() == 1


@pytest.mark.parametrize(
    "criteria, mark",
    [
        (
            [{"key": "a", "label": "甲", "weight": 60}, {"key": "b", "label": "乙", "weight": 30}],
            60,
        ),
        (
            [{"key": "a", "label": "甲", "weight": 50}, {"key": "a", "label": "乙", "weight": 50}],
            60,
        ),
        ([{"key": "a", "label": "甲", "weight": 100.0}], 60),
        ([{"key": "a", "label": "甲", "weight": 100}], 0),
        ([], 60),
    ],
)
def test_score_sheets_that_do_not_add_up_are_refused(criteria, mark):
    with pytest.raises(ValidationFailed):
        projects.sheet_check(criteria, mark)


def test_sheet_edited_in_the_admin_is_checked(world, login):
    admin = login("sysadmin")
    r = admin.post(
        "/admin/evaluation/scoresheet/add/",
        {
            "name": "新表",
            "criteria": '[{"key": "a", "label": "甲", "weight": 90}]',
            "pass_mark": 60,
        },
    )
    assert r.status_code == 200 and "100%" in r.content.decode()
    projects.sheet_check([{"key": "a", "label": "甲", "weight": 100}], 60)  # fine
