"""EVAL-4: staff assessment from the snapshots, by hand; each sees their own, supervisors
everyone in scope."""

import datetime as dt

import pytest

from linli.care.models.alerts import Alert, AlertStatus, Rule
from linli.casework.services.categories import categories_ensure_defaults
from linli.evaluation import services, staff
from linli.evaluation.tests.fixtures import MARCH, at, build_march
from linli.geo.models import Household

pytestmark = pytest.mark.clock("2026-04-15 10:00")


@pytest.fixture
def march(world):
    categories_ensure_defaults(actor=None)
    cases = build_march(world)
    opened = at(3, 4)
    Alert.objects.create(
        household=Household.objects.get(), rule=Rule.CALL, status=AlertStatus.CLOSED,
        detected_at=opened, opened_at=opened, due_at=opened + dt.timedelta(hours=2),
        acknowledged_at=opened + dt.timedelta(hours=1), assigned_to=world["grid_worker"],
    )  # fmt: skip
    services.snapshot_month(month=MARCH)
    return cases


def rows_of(actor):
    month, rows = staff.assessment(actor=actor)
    assert month == MARCH
    return {r.name: r for r in rows}


def test_grid_worker_and_officer_by_hand(march, world):
    rows = rows_of(world["supervisor"])
    assert set(rows) == {"grid_worker", "dept_officer"}
    gw = rows["grid_worker"]  # grid A1: 甲社区's cases
    # on time 2 of (6 − 1 deferred) = 40; satisfied 4 of 5 rated = 80; resolved 4 of 5 = 80
    assert gw.figures == {
        "on_time_close_rate": 40.0,
        "satisfaction_rate": 80.0,
        "resolution_rate": 80.0,
    }
    assert gw.alerts == 100.0
    assert (gw.score, gw.grade) == (64.0, "C")  # 0.4×40 + 0.3×80 + 0.3×80
    officer = rows["dept_officer"]  # 城管: every case but C2 (handled by the street office)
    assert officer.figures == {
        "on_time_close_rate": 60.0,
        "satisfaction_rate": 60.0,
        "resolution_rate": 80.0,
    }
    assert (officer.score, officer.grade) == (66.0, "C")


def test_each_sees_their_own_and_supervisors_their_scope(march, world, login):
    assert set(rows_of(world["grid_worker"])) == {"grid_worker"}
    assert set(rows_of(world["dept_officer"])) == {"dept_officer"}
    assert set(rows_of(world["community_worker"])) == {"grid_worker"}
    assert set(rows_of(world["street_admin"])) == {"grid_worker"}
    page = login("grid_worker").get("/evaluation/staff/").content.decode()
    assert "grid_worker" in page and "dept_officer" not in page
    assert login("resident").get("/evaluation/staff/").status_code == 403
