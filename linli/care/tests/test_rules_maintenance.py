"""CARE-4: a silent device is not a silent person — offline devices, stuck sensors and flat
batteries become maintenance tasks (never welfare alerts), resolve themselves when the
device works again, and are closed by community workers once the installer has been."""

import pytest

from linli.care.models import WELFARE_RULES, DeviceKind, MaintenanceTask, TaskKind, TaskStatus
from linli.care.services.maintenance import maintenance_task_close
from linli.care.tests.rules_helpers import active_alerts, at, inbox, make_home, sweep
from linli.core.errors import NotFound, ValidationFailed

W, D, M = DeviceKind.WATER, DeviceKind.DOOR, DeviceKind.MOTION


@pytest.fixture
def home(world):
    return make_home(world, kinds=(W, D, M))


def days_of_life(home, days: int, *, water_use: bool, motion: bool = True) -> None:
    """Hourly meter readings, movements every waking hour, door heartbeats."""
    home.water(
        at(0),
        at(days * 24),
        every=60,
        uses={at(d * 24 + h): 0.02 for d in range(days) for h in (8, 12, 17, 21)}
        if water_use
        else {},
    )
    home.beats(M, at(0), at(days * 24))
    home.beats(D, at(0), at(days * 24))
    if motion:
        home.events(M, *[at(d * 24 + h, minutes=30) for d in range(days) for h in range(7, 22)])


def test_a_meter_that_stops_moving_while_she_moves_about_is_stuck_not_silent(home, world):
    days_of_life(home, 4, water_use=False)
    for day in range(4):
        sweep(at(day * 24 + 23, minutes=3))
    # Never a welfare alert (she never opened the door in 4 days: that is a concern visit).
    assert [a.rule for a in active_alerts(home) if a.rule in WELFARE_RULES] == []
    task = MaintenanceTask.objects.get(kind=TaskKind.STUCK)
    assert task.device == home.devices[W]
    assert task.opened_at == at(3 * 24 + 23, minutes=3)  # three days after monitoring began
    assert inbox(world["community_worker"]) == ["设备维护:1 台看护设备需要检修"]
    # Mended: the register moves again and the task resolves itself.
    home.water(at(97), at(98), every=60, uses={at(97.5): 0.02})
    sweep(at(98, minutes=3))
    task.refresh_from_db()
    assert task.status == TaskStatus.RESOLVED_AUTO


def test_a_motion_sensor_that_sees_nothing_while_water_is_used_is_stuck(home):
    days_of_life(home, 4, water_use=True, motion=False)
    sweep(at(4 * 24, minutes=3))
    assert set(MaintenanceTask.objects.values_list("kind", "device__kind")) == {(TaskKind.STUCK, M)}
    assert [a.rule for a in active_alerts(home) if a.rule in WELFARE_RULES] == []


def test_a_low_battery_is_a_task_until_it_is_replaced(home):
    home.send((D, at(1), 0.0), battery=9)
    sweep(at(1, minutes=3))
    task = MaintenanceTask.objects.get(kind=TaskKind.BATTERY)
    assert task.device == home.devices[D]
    home.send((D, at(2), 0.0), battery=100)
    sweep(at(2, minutes=3))
    task.refresh_from_db()
    assert task.status == TaskStatus.RESOLVED_AUTO


def test_a_device_that_never_reported_is_offline_a_day_after_installation(home):
    sweep(at(0, minutes=3))  # installed on 1 February, never heard of since
    assert MaintenanceTask.objects.filter(kind=TaskKind.OFFLINE).count() == 3


def test_community_worker_closes_a_task_and_it_is_not_reopened_at_once(home, world):
    home.send((D, at(1), 0.0), battery=9)
    sweep(at(1, minutes=3))
    task = MaintenanceTask.objects.get(kind=TaskKind.BATTERY)
    closed = maintenance_task_close(
        actor=world["community_worker"], task_id=task.pk, note="已换电池"
    )
    assert (closed.status, closed.closed_by, closed.note) == (
        "closed",
        world["community_worker"],
        "已换电池",
    )
    sweep(at(2, minutes=3))  # the new battery has not reported yet
    assert not MaintenanceTask.objects.filter(kind=TaskKind.BATTERY, status="open").exists()
    with pytest.raises(ValidationFailed):
        maintenance_task_close(actor=world["community_worker"], task_id=task.pk)


@pytest.mark.parametrize("role", ["grid_worker", "resident", "family", "dept_officer"])
def test_others_cannot_close_a_task(home, world, role):
    home.send((D, at(1), 0.0), battery=9)
    sweep(at(1, minutes=3))
    task = MaintenanceTask.objects.get(kind=TaskKind.BATTERY)
    with pytest.raises(NotFound):
        maintenance_task_close(actor=world[role], task_id=task.pk)
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN
