"""The demo city's care data (CARE-1..7): what a grid worker, the community and the family
see after `manage.py demo`. The demo is built once for the module (inside a transaction
rolled back at the end), as in linli/demo/tests."""

import datetime as dt
from collections.abc import Iterator

import pytest
from django.db.models import QuerySet
from django.test import Client
from django.utils import timezone

from linli.accounts.models import User
from linli.care.models import (
    ACTIVE_ALERT_STATUSES,
    WELFARE_RULES,
    Alert,
    AwayPeriod,
    CallPress,
    Device,
    DeviceKind,
    DeviceState,
    MaintenanceTask,
    Reading,
    Rule,
    TaskKind,
    TaskStatus,
)
from linli.care.scheduled import care_sweep
from linli.care.services.homecare import short_of_services
from linli.demo import names as catalog
from linli.demo.care import _Home, _readings, care_demo_top_up
from linli.demo.services import DemoSummary, demo_build
from linli.demo.testing import PASSWORD, demo_rolled_back
from linli.people.models import Resident
from linli.people.selectors import alone_elderly

# The demo's story depends on the hour it is built at (the broken sensor's last heartbeat can
# be 26 h old, the test allows 25 h): build and check it at one fixed, frozen instant.
pytestmark = pytest.mark.clock("2026-12-02 12:00", tick=False)


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker) -> Iterator[DemoSummary]:  # type: ignore[no-untyped-def]
    with demo_rolled_back(django_db_blocker) as summary:
        yield summary


def page(username: str, path: str) -> str:
    client = Client()
    client.force_login(User.objects.get(username=username))
    response = client.get(path)
    assert response.status_code == 200, (username, path, response.status_code)
    return response.content.decode()


def relative() -> Resident:
    return Resident.objects.select_related("household__building__grid__community").get(
        contacts__user__username="family"
    )


def current() -> QuerySet[Alert]:
    """The care demo's alerts of today (the year of history adds closed ones, marked)."""
    return Alert.objects.filter(evidence__history__isnull=True)


def no_water() -> Alert:
    return current().select_related("resident", "assigned_to").get(rule=Rule.NO_WATER)


@pytest.mark.django_db
def test_monitored_homes_in_the_family_community(demo: DemoSummary) -> None:
    community = relative().household.building.grid.community  # type: ignore[union-attr]
    homes = set(Device.objects.values_list("household_id", flat=True))
    assert 20 <= len(homes) <= 30
    assert not Device.objects.exclude(household__building__grid__community=community).exists()
    alone = set(
        alone_elderly(community_id=community.pk, on=timezone.localdate()).values_list(
            "pk", flat=True
        )
    )
    users = set(Device.objects.values_list("resident_id", flat=True))
    assert users <= alone
    for kind in (DeviceKind.WATER, DeviceKind.ELECTRICITY, DeviceKind.DOOR, DeviceKind.MOTION):
        assert Device.objects.filter(kind=kind).count() == len(homes)
    buttons = Device.objects.filter(kind=DeviceKind.BUTTON)
    assert len(homes) // 3 < buttons.count() < len(homes)
    assert buttons.filter(resident=relative()).exists()
    assert Reading.objects.filter(source="demo").count() > 10_000
    span = Reading.objects.order_by("at").values_list("at", flat=True)
    assert span.last() - span.first() >= dt.timedelta(days=2)  # type: ignore[operator]


@pytest.mark.django_db
def test_grid_worker_sees_the_silent_home(demo: DemoSummary) -> None:
    alert = no_water()
    assert alert.resident is not None and alert.resident != relative()
    assert alert.assigned_to is not None
    assert alert.detected_at - alert.since >= dt.timedelta(hours=12)  # type: ignore[operator]
    html = page(alert.assigned_to.username, "/care/")
    assert alert.resident.full_name in html and "12小时无用水" in html
    # The demo's grid worker login is that home's grid worker, and also sees the call.
    assert alert.assigned_to.username == "grid_worker"
    assert "一键呼叫" in html


@pytest.mark.django_db
def test_board_lists_devices_alerts_and_tasks(demo: DemoSummary) -> None:
    html = page("community_worker", "/care/board/")
    for alert in current().select_related("resident"):
        assert alert.resident is not None and alert.resident.full_name in html
    task = MaintenanceTask.objects.select_related("device").get()
    assert task.device.serial in html
    assert "水表" in html and "红外人体感应" in html and "离线" in html
    # The year of history closed visits in the last weeks: the precision table has figures.
    precision = html[html.index('data-testid="board-precision"') :]
    precision = precision[: precision.index("</table>")]
    assert 'data-testid="precision-none"' not in html and "%" in precision


@pytest.mark.django_db
def test_family_sees_their_relative_only(demo: DemoSummary) -> None:
    html = page("family", "/care/family/")
    mine = relative()
    assert mine.full_name in html
    for label in ("水表", "电表", "门磁", "红外人体感应", "一键呼叫"):
        assert label in html
    assert not Alert.objects.filter(household=mine.household).exists()
    other = no_water().resident
    assert other is not None and other.full_name not in html
    assert "12小时无用水" not in html
    assert '<strong data-testid="services-month">2</strong>' in html


@pytest.mark.django_db
def test_call_has_an_alert_and_a_case(demo: DemoSummary) -> None:
    press = CallPress.objects.select_related("alert", "case__category", "device").get()
    assert press.case is not None and press.case.category.code == "21-03"
    assert press.alert is not None and press.alert.rule == Rule.CALL
    ago = press.received_at - press.at
    assert dt.timedelta(minutes=35) <= ago <= dt.timedelta(minutes=45)
    assert press.device.resident != relative()


@pytest.mark.django_db
def test_offline_device_has_a_task_and_no_welfare_alert(demo: DemoSummary) -> None:
    task = MaintenanceTask.objects.select_related("device").get()
    assert task.kind == TaskKind.OFFLINE and task.status == TaskStatus.OPEN
    assert task.device.last_seen_at is not None
    silent = task.opened_at - task.device.last_seen_at
    assert dt.timedelta(hours=23) <= silent <= dt.timedelta(hours=25)
    assert not Alert.objects.filter(household_id=task.household_id).exists()


@pytest.mark.django_db
def test_away_in_hospital_raises_no_alert(demo: DemoSummary) -> None:
    # The one stay going on now (the year of history and the grid worker's day add ended ones).
    now = timezone.now()
    away = AwayPeriod.objects.get(starts__lt=now, ends__gt=now)
    assert away.reason == "hospital"
    assert not Alert.objects.filter(household_id=away.household_id).exists()
    still = Device.objects.get(household_id=away.household_id, kind=DeviceKind.WATER)
    # No water since the day she went in (the meter reports every 15 minutes).
    last_use = still.state.use_mark_at
    assert last_use is not None and last_use <= away.starts + dt.timedelta(minutes=15)


@pytest.mark.django_db
def test_short_of_services_lists_a_few(demo: DemoSummary) -> None:
    mine = relative()
    community = mine.household.building.grid.community  # type: ignore[union-attr]
    month = timezone.localdate()
    short = short_of_services(community=community, month=month)
    alone = alone_elderly(community_id=community.pk, on=month).count()
    assert 0 < len(short) < alone // 3
    assert mine.pk not in {s.resident_id for s in short}
    assert mine.home_services.count() == 2


@pytest.mark.django_db
def test_sweep_again_at_the_same_moment_opens_nothing(demo: DemoSummary) -> None:
    now = no_water().detected_at
    alerts, tasks = Alert.objects.count(), MaintenanceTask.objects.count()
    again = care_sweep(now=now)
    assert again.homes_judged > 0
    assert (again.opened, again.deferred, again.tasks_opened) == (0, 0, 0)
    assert (Alert.objects.count(), MaintenanceTask.objects.count()) == (alerts, tasks)


def test_readings_are_deterministic() -> None:
    devices: dict[str, Device] = {
        kind: Device(serial=f"T-{kind}", kind=kind)
        for kind in (DeviceKind.WATER, DeviceKind.DOOR, DeviceKind.MOTION)
    }
    end = timezone.make_aware(dt.datetime(2026, 3, 2, 10, 0))
    start = end - dt.timedelta(hours=30)

    def make(seed: int) -> list[tuple[str, dt.datetime, float]]:
        home = _Home(index=3, resident=Resident(full_name="测试"), devices=devices)
        return [(r.serial, r.at, r.value) for r in _readings(home, start, end, seed)]

    first = make(7)
    assert first == make(7) and first != make(8)
    water = [v for s, _, v in first if s == "T-water"]
    assert water == sorted(water) and len(water) == 120


@pytest.mark.django_db
def test_demo_rerun_adds_no_devices(demo: DemoSummary) -> None:
    before = (Device.objects.count(), Alert.objects.count())
    readings = Reading.objects.count()
    assert not demo_build(seed=catalog.DEFAULT_SEED, password=PASSWORD).created
    assert (Device.objects.count(), Alert.objects.count()) == before
    # Only the readings since the build (none, unless a quarter hour has passed).
    assert Reading.objects.count() >= readings


@pytest.mark.django_db
def test_a_day_later_the_demo_goes_on(demo: DemoSummary) -> None:
    """Runs last: it moves the demo on a day."""
    later = timezone.now() + dt.timedelta(days=1)
    silent, offline = no_water(), MaintenanceTask.objects.get(kind=TaskKind.OFFLINE)
    devices = Device.objects.count()
    assert care_demo_top_up(now=later) > 0
    assert Device.objects.count() == devices
    # Every device but the broken one reported up to the last quarter hour.
    quarter = later.replace(second=0, microsecond=0) - dt.timedelta(minutes=later.minute % 15)
    meters = DeviceState.objects.filter(kind__in=[DeviceKind.WATER, DeviceKind.ELECTRICITY])
    assert meters.count() > 40 and not meters.filter(last_at__lt=quarter).exists()
    assert not MaintenanceTask.objects.filter(status=TaskStatus.OPEN).exclude(pk=offline.pk)
    assert MaintenanceTask.objects.get(pk=offline.pk).status == TaskStatus.OPEN
    # The silent home is still silent, and nobody else became an alert.
    active = Alert.objects.filter(status__in=ACTIVE_ALERT_STATUSES, rule__in=WELFARE_RULES)
    assert list(active.values_list("pk", flat=True)) == [silent.pk]
    assert care_demo_top_up(now=later) == 0
