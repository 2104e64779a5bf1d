"""今日任务 on a hand-made grid (issue 21; §7.4): visit quotas by tier, the 24 h visit after a
major change (care: alert closed, hospital stay ended; a bereavement), cases near their
deadline (CASE-5), care maintenance (CARE-4), patrol suggestions; order and currency."""

import datetime as dt
import uuid

import pytest
from django.core.management import call_command
from django.utils import timezone

from linli.care.models import Alert, AlertStatus, AwayPeriod, Device, MaintenanceTask
from linli.fieldwork.choices import TaskKind
from linli.fieldwork.models import DayTask, TrackPoint, VisitQuota
from linli.fieldwork.selectors import today_list
from linli.fieldwork.services import visits
from linli.fieldwork.services.today import build_for_workers, walking_order
from linli.fieldwork.tests.helpers import case_at, field_world, visited

pytestmark = pytest.mark.clock("2026-06-10 09:00")


@pytest.fixture
def fw(world):
    return field_world(world)


def day_of(fw, worker=None):
    w = worker or fw["grid_worker"]
    build_for_workers([w], day=timezone.localdate(), now=timezone.now())
    return today_list(actor=w)


def visits_due(tasks, kind=TaskKind.VISIT):
    return {t.resident_id for t in tasks if t.kind == kind}


def test_quotas_weekly_monthly_quarterly(fw):
    visited(fw, fw.alone, 3)  # high, weekly: seen 3 days ago → not due
    visited(fw, fw.semi, 8)  # high: 8 days → due
    visited(fw, fw.dibao, 20)  # key, monthly: not due
    visited(fw, fw.elder, 91)  # other elderly, quarterly: due
    due = visits_due(day_of(fw))
    assert fw.semi.pk in due and fw.elder.pk in due
    assert fw.alone.pk not in due and fw.dibao.pk not in due
    assert fw.young.pk not in due  # 30 and untagged: not on the roster
    assert fw.a2_resident.pk not in due  # another grid's resident


def test_never_visited_counts_from_the_record_and_quotas_are_data(fw):
    # 200 days on file, never visited: everyone on the roster is due.
    due = visits_due(day_of(fw))
    assert {fw.alone.pk, fw.semi.pk, fw.dibao.pk, fw.elder.pk} <= due
    DayTask.objects.all().delete()
    visited(fw, fw.dibao, 20)
    VisitQuota.objects.filter(tier="key").update(interval_days=14)  # configurable
    assert fw.dibao.pk in visits_due(day_of(fw))


def _alert(fw, resident, **kw):
    now = timezone.now()
    return Alert.objects.create(
        household=resident.household,
        resident=resident,
        rule="no_water",
        detected_at=now - dt.timedelta(hours=5),
        opened_at=now - dt.timedelta(hours=5),
        due_at=now - dt.timedelta(hours=3),
        **kw,
    )


def test_visit_within_24h_after_an_alert_closed(fw):
    visited(fw, fw.alone, 1)  # routine visit done yesterday
    closed = timezone.now() - dt.timedelta(hours=2)
    _alert(fw, fw.alone, status=AlertStatus.CLOSED, closed_at=closed, outcome="safe")
    tasks = day_of(fw)
    change = [t for t in tasks if t.kind == TaskKind.CHANGE_VISIT]
    assert [t.resident_id for t in change] == [fw.alone.pk]
    assert change[0].due_at == closed + dt.timedelta(hours=24)
    assert tasks[0].kind == TaskKind.CHANGE_VISIT  # most urgent first
    # The visit at the door takes it off the list.
    visits.visit_record(
        actor=fw["grid_worker"],
        data=visits.VisitInput(uuid=str(uuid.uuid4()), resident_id=fw.alone.pk, outcome="seen"),
    )
    assert fw.alone.pk not in visits_due(today_list(actor=fw["grid_worker"]), TaskKind.CHANGE_VISIT)


def test_false_alarm_or_an_old_change_puts_nothing(fw):
    visited(fw, fw.alone, 1)
    _alert(
        fw,
        fw.alone,
        status=AlertStatus.CLOSED,
        closed_at=timezone.now() - dt.timedelta(hours=1),
        outcome="false_alarm",
    )
    other = _alert(
        fw,
        fw.semi,
        status=AlertStatus.CLOSED,
        outcome="safe",
        closed_at=timezone.now() - dt.timedelta(hours=30),
    )
    assert other.pk
    assert visits_due(day_of(fw), TaskKind.CHANGE_VISIT) == set()


def test_hospital_stay_ended_and_bereavement(fw):
    now = timezone.now()
    AwayPeriod.objects.create(
        household=fw.semi.household,
        starts=now - dt.timedelta(days=6),
        ends=now - dt.timedelta(hours=3),
        reason="hospital",
    )
    AwayPeriod.objects.create(  # a trip is not a major change
        household=fw.alone.household,
        starts=now - dt.timedelta(days=6),
        ends=now - dt.timedelta(hours=3),
        reason="travel",
    )
    visits.life_event_record(actor=fw["community_worker"], resident_id=fw.young.pk)
    change = visits_due(day_of(fw), TaskKind.CHANGE_VISIT)
    # Everyone of the hospital household (the young resident lives there too), the bereaved.
    assert change == {fw.semi.pk, fw.young.pk}


def test_cases_near_deadline_and_maintenance(fw):
    a1 = fw.world.grid_a1
    near = case_at(fw["resident"], 30.2722, 120.1222)
    far = case_at(fw["resident"], 30.2722, 120.1222)
    other_grid = case_at(fw["resident"], 30.2722, 120.1272)
    now = timezone.now()
    type(near).objects.filter(pk=near.pk).update(close_due=now + dt.timedelta(hours=20))
    type(far).objects.filter(pk=far.pk).update(close_due=now + dt.timedelta(days=6))
    type(other_grid).objects.filter(pk=other_grid.pk).update(close_due=now + dt.timedelta(hours=5))
    device = Device.objects.create(
        serial="W-1", kind="water", household=fw.alone.household, installed_on=dt.date(2026, 1, 1)
    )
    MaintenanceTask.objects.create(
        device=device, household=fw.alone.household, kind="offline", opened_at=now
    )
    tasks = day_of(fw)
    assert {t.case_id for t in tasks if t.kind == TaskKind.CASE_DUE} == {near.pk}
    assert [t.kind for t in tasks if t.kind == TaskKind.MAINTENANCE] == [TaskKind.MAINTENANCE]
    assert all(t.grid_id == a1.pk for t in tasks)
    # urgency classes in order
    ranks = [t.rank for t in tasks]
    assert ranks == sorted(ranks)


def test_patrol_suggestions_for_buildings_not_walked(fw):
    names = {t.building.name for t in day_of(fw) if t.kind == TaskKind.PATROL}
    assert names == {"1幢", "2幢", "3幢"}
    DayTask.objects.all().delete()
    TrackPoint.objects.create(
        uuid=uuid.uuid4(),
        worker=fw["grid_worker"],
        grid=fw.world.grid_a1,
        at=timezone.now() - dt.timedelta(days=1),
        lat=30.2735,
        lon=120.1231,
    )
    visited(fw, fw.dibao, 2)  # 3幢
    names = {t.building.name for t in day_of(fw) if t.kind == TaskKind.PATROL}
    assert names == {"1幢"}


def test_walking_order_is_a_nearest_neighbour_walk():
    order = walking_order([(1, 30.0, 120.0), (2, 30.01, 120.01), (3, 30.001, 120.001)])
    assert order == {1: 0, 3: 1, 2: 2}


def test_sweep_writes_every_worker_and_keeps_done_items(fw):
    call_command("fieldwork_sweep")
    mine = DayTask.objects.filter(worker=fw["grid_worker"])
    theirs = DayTask.objects.filter(worker=fw.worker2)
    assert (
        mine.filter(resident=fw.alone).exists() and theirs.filter(resident=fw.a2_resident).exists()
    )
    assert not mine.filter(resident=fw.a2_resident).exists()
    visits.visit_record(
        actor=fw["grid_worker"],
        data=visits.VisitInput(uuid=str(uuid.uuid4()), resident_id=fw.alone.pk, outcome="not_home"),
    )
    call_command("fieldwork_sweep")  # again: the done item stays done, once
    rows = DayTask.objects.filter(worker=fw["grid_worker"], resident=fw.alone, kind=TaskKind.VISIT)
    assert rows.count() == 1 and rows.get().done_at is not None


def test_not_home_is_an_attempt_not_a_visit(fw):
    visited(fw, fw.semi, 8)
    v = visited(fw, fw.semi, 1)
    type(v).objects.filter(pk=v.pk).update(outcome="not_home")
    assert fw.semi.pk in visits_due(day_of(fw))  # still due tomorrow and after


def test_routine_visits_capped_most_overdue_first(fw):
    from linli.fieldwork.models import MetricSettings

    MetricSettings.objects.update_or_create(pk=1, defaults={"daily_visits": 2})
    visited(fw, fw.semi, 30)  # 23 days overdue
    visited(fw, fw.alone, 9)  # 2 days overdue
    visited(fw, fw.dibao, 40)  # 10 days overdue
    visited(fw, fw.elder, 95)  # 5 days overdue
    assert visits_due(day_of(fw)) == {fw.semi.pk, fw.dibao.pk}
