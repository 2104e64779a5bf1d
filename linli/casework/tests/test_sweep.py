"""CASE-5 / CASE-9: the deadline sweep warns, marks overdue, escalates and creates 回访 tasks,
each once, set-based."""

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from linli.casework.choices import EventKind, Status
from linli.casework.models import Case, CaseEvent, Category
from linli.casework.scheduled import SweepResult, escalation_cutoff, sweep_deadlines
from linli.casework.services import workflow
from linli.casework.tasks import sweep_deadlines_task
from linli.core.audit.models import AuditEntry
from linli.core.audit.services import audit_verify
from linli.core.notifications.models import Notification
from linli.geo.models import Department

from .conftest import INSIDE_A1

TZ = ZoneInfo("Asia/Shanghai")
# 2030 has no calendar rows in tests: plain Monday–Friday working days.
MON = dt.datetime(2030, 3, 4, tzinfo=TZ)  # Monday 00:00
DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)
_numbers = itertools.count(1)


def make_case(
    world,
    *,
    created,
    due,
    status=Status.DISPATCHED,
    category="01-10",
    owner=None,
    handler="owner",
    **extra,
):
    """A case built directly (the sweep is what is under test, not intake)."""
    owner = owner or world.chengguan
    case = Case.objects.create(
        tracking_no=f"T{next(_numbers):09d}",
        channel="web",
        category=Category.objects.get(code=category),
        description="测试",
        lat=INSIDE_A1["lat"],
        lon=INSIDE_A1["lon"],
        grid=world.grid_a1,
        community=world.community_a,
        owner_unit=owner,
        handler_unit=owner if handler == "owner" else handler,
        status=status,
        respond_due=created + DAY,
        close_due=due,
        **extra,
    )
    Case.objects.filter(pk=case.pk).update(created_at=created)
    case.refresh_from_db()
    return case


def kinds(case):
    return list(case.events.values_list("kind", flat=True))


def inbox(user):
    return list(Notification.objects.filter(recipient=user).values_list("title", flat=True))


def test_warn_when_a_quarter_of_the_window_is_left_once(cats):
    case = make_case(cats, created=MON, due=MON + 4 * DAY)  # window 4 days → warn after 3 days
    assert sweep_deadlines(now=MON + 2 * DAY) == SweepResult()
    assert sweep_deadlines(now=MON + 3 * DAY - HOUR).warned == 0
    result = sweep_deadlines(now=MON + 3 * DAY + HOUR)
    assert result == SweepResult(warned=1)
    case.refresh_from_db()
    assert case.warned_at == MON + 3 * DAY + HOUR and not case.overdue
    event = case.events.get(kind=EventKind.WARNED)
    assert event.public is False and event.unit == cats.chengguan and event.actor is None
    assert event.at == MON + 3 * DAY + HOUR
    assert event.from_status == event.to_status == Status.DISPATCHED
    assert inbox(cats["dept_officer"]) == [f"临期提醒:诉求 {case.tracking_no}即将超期"]
    [entry] = AuditEntry.objects.filter(action="case.warned")
    assert entry.data["cases"] == [case.pk] and entry.actor_label == "system"
    # Second run: nothing changes.
    assert sweep_deadlines(now=MON + 3 * DAY + 2 * HOUR) == SweepResult()
    assert kinds(case) == [EventKind.WARNED]
    assert len(inbox(cats["dept_officer"])) == 1
    assert audit_verify().ok


def test_warning_goes_to_the_handler_unit(cats):
    community_unit = Department.objects.get(name="甲社区居委会")
    make_case(cats, created=MON, due=MON + 4 * DAY, owner=cats.chengguan, handler=community_unit)
    sweep_deadlines(now=MON + 3 * DAY + HOUR)
    assert len(inbox(cats["community_worker"])) == 1 and len(inbox(cats["secretary"])) == 1
    assert inbox(cats["dept_officer"]) == []


def test_overdue_then_escalated_after_one_working_day_once(cats):
    # Due Tuesday 00:00: Monday was the last day on time; escalated once Tuesday has passed.
    case = make_case(cats, created=MON - 3 * DAY, due=MON + DAY)
    result = sweep_deadlines(now=MON + DAY + HOUR)
    assert (result.overdue, result.escalated) == (1, 0)
    case.refresh_from_db()
    assert case.overdue and case.escalated_at is None
    assert sweep_deadlines(now=MON + 2 * DAY - HOUR) == SweepResult()  # Tuesday 23:00
    result = sweep_deadlines(now=MON + 2 * DAY)  # Wednesday 00:00
    assert result == SweepResult(escalated=1)
    case.refresh_from_db()
    assert case.escalated_at == MON + 2 * DAY
    assert kinds(case) == [EventKind.OVERDUE, EventKind.ESCALATED]
    escalation = case.events.get(kind=EventKind.ESCALATED)
    # 城管 has no superior: the street office of the case's street is told.
    assert escalation.unit == cats.street_office and escalation.public is False
    assert inbox(cats["street_admin"]) == [f"升级督办:诉求 {case.tracking_no}超期未办结"]
    assert sweep_deadlines(now=MON + 5 * DAY) == SweepResult()
    assert case.events.count() == 2
    assert audit_verify().ok


def test_escalation_of_a_community_case_goes_to_its_superior(cats):
    community_unit = Department.objects.get(name="甲社区居委会")
    assert community_unit.parent == cats.street_office
    case = make_case(cats, created=MON - 3 * DAY, due=MON + DAY, owner=community_unit)
    sweep_deadlines(now=MON + 7 * DAY)
    case.refresh_from_db()
    assert case.overdue and case.escalated_at is not None
    assert case.events.get(kind=EventKind.ESCALATED).unit == cats.street_office
    assert len(inbox(cats["street_admin"])) == 1
    assert len(inbox(cats["community_worker"])) == 1  # the overdue notice, as handler


def test_weekend_does_not_count_towards_escalation(cats):
    # Due Saturday 00:00 (Friday the last day): the next working day is Monday.
    friday_end = MON + 5 * DAY
    case = make_case(cats, created=MON, due=friday_end)
    assert escalation_cutoff(now=MON + 7 * DAY + 12 * HOUR) < friday_end  # Monday noon
    sweep_deadlines(now=MON + 7 * DAY + 12 * HOUR)
    case.refresh_from_db()
    assert case.overdue and case.escalated_at is None
    sweep_deadlines(now=MON + 8 * DAY)  # Tuesday 00:00
    case.refresh_from_db()
    assert case.escalated_at is not None


def test_urgent_category_escalates_as_soon_as_it_is_overdue(cats):
    case = make_case(cats, created=MON, due=MON + 2 * HOUR, category="05-01")
    assert Category.objects.get(code="05-01").urgency == "urgent"
    result = sweep_deadlines(now=MON + 2 * HOUR + dt.timedelta(minutes=1))
    assert (result.overdue, result.escalated) == (1, 1)
    case.refresh_from_db()
    assert kinds(case) == [EventKind.OVERDUE, EventKind.ESCALATED]


def test_closed_and_future_cases_are_left_alone(cats):
    make_case(cats, created=MON, due=MON + DAY, status=Status.CLOSED)
    make_case(cats, created=MON, due=MON + DAY, status=Status.REJECTED)
    make_case(cats, created=MON, due=MON + 30 * DAY)
    assert sweep_deadlines(now=MON + 3 * DAY) == SweepResult()
    assert CaseEvent.objects.count() == 0


def test_approved_deferral_uses_the_new_deadline(submit, cats, login):
    no = submit()["tracking_no"]
    officer = cats["dept_officer"]
    case = Case.objects.get(tracking_no=no)
    workflow.case_register(actor=officer, case=case)
    workflow.case_dispatch(actor=officer, case=case, unit=cats.chengguan)
    workflow.case_accept(actor=officer, case=case)
    case.refresh_from_db()
    old_due = case.close_due
    workflow.case_request_deferral(
        actor=officer, case=case, until=old_due + 20 * DAY, reason="等待配件"
    )
    workflow.case_decide_deferral(actor=officer, case=case, approve=True)
    case.refresh_from_db()
    assert case.deferred
    assert sweep_deadlines(now=old_due + 2 * DAY).overdue == 0
    case.refresh_from_db()
    assert not case.overdue and case.escalated_at is None
    assert sweep_deadlines(now=old_due + 21 * DAY).overdue == 1


def test_pending_deferral_does_not_stop_the_clock(cats):
    case = make_case(cats, created=MON - 3 * DAY, due=MON + DAY)
    Case.objects.filter(pk=case.pk).update(deferral_until=MON + 20 * DAY, deferral_reason="等")
    assert sweep_deadlines(now=MON + DAY + HOUR).overdue == 1


def test_follow_up_task_when_no_rating_came_once(cats):
    case = make_case(
        cats, created=MON, due=MON + 3 * DAY, status=Status.CLOSED, follow_up_due=MON + 5 * DAY
    )
    rated = make_case(
        cats,
        created=MON,
        due=MON + 3 * DAY,
        status=Status.RATED,
        rating=5,
        follow_up_due=MON + 5 * DAY,
    )
    assert sweep_deadlines(now=MON + 4 * DAY) == SweepResult()
    assert sweep_deadlines(now=MON + 5 * DAY) == SweepResult(follow_ups=1)
    case.refresh_from_db()
    assert case.follow_up_due is None
    note = case.events.get()
    assert note.kind == EventKind.NOTE and note.note.startswith("回访任务") and not note.public
    assert inbox(cats["dept_officer"]) == [f"回访任务:诉求 {case.tracking_no}待回访"]
    assert sweep_deadlines(now=MON + 9 * DAY) == SweepResult()
    assert case.events.count() == 1 and rated.events.count() == 0


def test_closing_schedules_a_follow_up_the_sweep_picks_up(submit, cats):
    no = submit()["tracking_no"]
    case = Case.objects.get(tracking_no=no)
    Case.objects.filter(pk=case.pk).update(status=Status.VERIFIED, handler_unit=cats.chengguan)
    workflow.case_close(actor=cats["dept_officer"], case=case)
    case.refresh_from_db()
    assert case.follow_up_due is not None
    result = sweep_deadlines(now=case.follow_up_due + HOUR)
    assert result.follow_ups == 1


def test_sweep_over_2000_open_cases_is_set_based_and_idempotent(
    cats, django_assert_max_num_queries
):
    category = Category.objects.get(code="01-10")
    now = MON + 10 * DAY + 12 * HOUR  # a Thursday
    plans = [
        (MON + 9 * DAY, now + 6 * HOUR),  # warn
        (MON + 8 * DAY, now - HOUR),  # overdue, not yet escalated
        (MON, MON + 3 * DAY),  # overdue and escalated
        (MON + 10 * DAY, now + 10 * DAY),  # nothing
    ]
    rows = []
    for i in range(2000):
        created, due = plans[i % 4]
        rows.append(
            Case(
                tracking_no=f"B{i:09d}",
                channel="web",
                category=category,
                description="批量",
                lat=INSIDE_A1["lat"],
                lon=INSIDE_A1["lon"],
                grid=cats.grid_a1,
                community=cats.community_a,
                owner_unit=cats.chengguan,
                handler_unit=cats.chengguan,
                status=Status.HANDLING,
                respond_due=due,
                close_due=due,
            )
        )
    Case.objects.bulk_create(rows)
    for created, due in plans:
        Case.objects.filter(close_due=due).update(created_at=created)

    with django_assert_max_num_queries(80) as first:
        result = sweep_deadlines(now=now)
    assert result == SweepResult(warned=500, overdue=1000, escalated=500)
    assert len(first.captured_queries) >= 5
    assert CaseEvent.objects.count() == 2000
    # One message per person per step, not one per case.
    assert Notification.objects.filter(recipient=cats["dept_officer"]).count() == 2
    assert Notification.objects.filter(recipient=cats["street_admin"]).count() == 1

    with django_assert_max_num_queries(20):
        assert sweep_deadlines(now=now) == SweepResult()
    assert CaseEvent.objects.count() == 2000
    assert audit_verify().ok


def test_management_command_and_task_run_the_sweep(cats):
    make_case(cats, created=timezone.now() - 25 * DAY, due=timezone.now() - 20 * DAY)
    from io import StringIO

    out = StringIO()
    call_command("casework_sweep", stdout=out)
    assert "overdue=1" in out.getvalue() and "escalated=1" in out.getvalue()
    assert sweep_deadlines_task.call() == {
        "warned": 0,
        "overdue": 0,
        "escalated": 0,
        "follow_ups": 0,
        "whistle_calls": 0,
    }


@pytest.mark.parametrize("hours_before_midnight", [1, 5])
def test_cutoff_is_midnight_of_the_last_working_day_before_today(db, hours_before_midnight):
    tuesday = MON + 2 * DAY - hours_before_midnight * HOUR
    assert escalation_cutoff(now=tuesday) == MON  # last working day before Tuesday: Monday
    assert escalation_cutoff(now=MON + 7 * DAY) == MON + 4 * DAY  # Monday → Friday 00:00
