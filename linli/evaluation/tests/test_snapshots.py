"""EVAL-3: snapshots frozen at month end (a published figure does not change after later
edits; a recompute is a new revision), weights that must add up to 100%, grades."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from linli.casework.models import Case
from linli.casework.services.categories import categories_ensure_defaults
from linli.core.errors import Conflict, PermissionDenied, ValidationFailed
from linli.evaluation import selectors, services
from linli.evaluation.models import Snapshot, SnapshotFigure, WeightSet
from linli.evaluation.selectors import grade
from linli.evaluation.tests.fixtures import MARCH, at, build_march

pytestmark = pytest.mark.clock("2026-04-15 10:00")


@pytest.fixture
def march(world):
    categories_ensure_defaults(actor=None)
    return build_march(world)


def figure(snap: Snapshot, metric: str, dimension: str = "all", key: str = "all") -> SnapshotFigure:
    return SnapshotFigure.objects.get(snapshot=snap, metric=metric, dimension=dimension, key=key)


def test_snapshot_unchanged_after_later_edits_and_recompute_is_a_new_revision(march, world):
    snap = services.snapshot_month(month=MARCH)
    fig = figure(snap, "close_rate")
    assert (fig.numerator, fig.denominator, fig.value, fig.version) == (5, 7, 71.43, 1)
    # Later: the open case C6 is closed backdated into March (a data correction).
    Case.objects.filter(pk=march["C6"].pk).update(closed_at=at(3, 29), status="closed")
    _snaps, rows = selectors.figures(actor=world["sysadmin"], metric="close_rate", dimension="all")
    assert [(r.month, r.value) for r in rows] == [(MARCH, 71.43)]  # published: unchanged
    with pytest.raises(Conflict):
        services.snapshot_month(month=MARCH)  # never recomputed silently
    with pytest.raises(ValidationFailed):
        services.snapshot_month(month=MARCH, recompute=True, reason=" ")
    with pytest.raises(PermissionDenied):
        services.snapshot_month(
            month=MARCH, recompute=True, reason="更正", actor=world["community_worker"]
        )
    again = services.snapshot_month(
        month=MARCH, recompute=True, reason="补录结案", actor=world["sysadmin"]
    )
    assert again.revision == 2
    assert figure(again, "close_rate").value == 85.71  # 6 ÷ 7
    assert figure(snap, "close_rate").value == 71.43  # the first revision is kept
    _snaps, rows = selectors.figures(actor=world["sysadmin"], metric="close_rate", dimension="all")
    assert [r.value for r in rows] == [85.71]  # the dashboard shows the newest revision


def test_a_month_not_ended_is_refused(march):
    with pytest.raises(ValidationFailed):
        services.snapshot_month(month=dt.date(2026, 4, 1))
    assert not Snapshot.objects.exists()


def test_scheduled_run_freezes_each_ended_month_once(march):
    made = services.snapshot_due(months_back=3)
    assert [s.month for s in made] == [
        dt.date(2026, 3, 1),
        dt.date(2026, 2, 1),
        dt.date(2026, 1, 1),
    ]
    assert services.snapshot_due(months_back=3) == []
    assert Snapshot.objects.count() == 3


def test_command(march):
    out = StringIO()
    call_command("evaluation_snapshot", "--month", "2026-03", stdout=out)
    assert "2026-03 revision 1" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("evaluation_snapshot", "--month", "2026-03", stdout=out)
    with pytest.raises(CommandError):
        call_command("evaluation_snapshot", "--month", "March", stdout=out)
    call_command(
        "evaluation_snapshot", "--month", "2026-03", "--recompute", "--reason", "x", stdout=out
    )
    assert "revision 2" in out.getvalue()


WEIGHTS_OK = {"on_time_close_rate": 40, "satisfaction_rate": 35, "rework_rate": 25}


@pytest.mark.parametrize(
    "weights",
    [
        {"on_time_close_rate": 40, "satisfaction_rate": 35, "rework_rate": 20},  # 95
        {"on_time_close_rate": 60, "satisfaction_rate": 35, "rework_rate": 25},  # 120
        {"on_time_close_rate": 100, "no_such_metric": 0},
        {"due": 100},  # a count cannot be scored
        {"on_time_close_rate": 50.5, "satisfaction_rate": 49.5},
        {"on_time_close_rate": True, "satisfaction_rate": 99},
        {},
    ],
)
def test_weights_not_adding_up_to_100_are_refused(db, world, weights):
    with pytest.raises(ValidationFailed):
        services.weights_publish(actor=world["sysadmin"], kind="area", weights=weights)
    assert not WeightSet.objects.exists()


def test_weights_are_versioned_and_only_the_administrator_sets_them(db, world):
    with pytest.raises(PermissionDenied):
        services.weights_publish(actor=world["supervisor"], kind="area", weights=WEIGHTS_OK)
    assert services.weights_current("area")[0] == 0  # built-in defaults
    assert sum(services.weights_current("area")[1].values()) == 100
    first = services.weights_publish(actor=world["sysadmin"], kind="area", weights=WEIGHTS_OK)
    second = services.weights_publish(
        actor=world["sysadmin"], kind="area", weights={"close_rate": 100}
    )
    assert (first.version, second.version) == (1, 2)
    assert services.weights_current("area") == (2, {"close_rate": 100})


def test_builtin_weights_add_up_to_100():
    for weights in services.DEFAULT_WEIGHTS.values():
        assert sum(weights.values()) == 100


@pytest.mark.parametrize(
    ("score", "letter"),
    [(100, "A"), (90, "A"), (89.9, "B"), (75, "B"), (60, "C"), (59.99, "D"), (40, "D"),
     (39.9, "E"), (0, "E"), (None, "")],
)  # fmt: skip
def test_grades(score, letter):
    assert grade(score) == letter


def test_composite_score_by_hand(march, world):
    services.weights_publish(actor=world["sysadmin"], kind="area", weights=WEIGHTS_OK)
    services.snapshot_month(month=MARCH)
    version, _w, rows = selectors.composite(actor=world["sysadmin"], kind="area", month=MARCH)
    assert version == 1
    scores = {r.key: (r.score, r.grade) for r in rows}
    a, b = str(world.community_a.pk), str(world.community_b.pk)
    # 甲: on time 2 of 5 = 40 (C1 C5; C3 deferred out); satisfaction 4 of 5 rated = 80
    # (C1 5, C2 4, C5 4, C9 5, C10 1); rework 1 of 6 due = 16.67 → 83.33 points.
    # (40×40 + 35×80 + 25×83.33) ÷ 100 = 64.83 → C
    assert scores[a] == (64.8, "C")
    # 乙: on time 1 of 1 = 100; satisfaction 0 of 1 (rated 3) = 0; rework 0 → 100 points.
    # (40×100 + 35×0 + 25×100) ÷ 100 = 65.0 → C
    assert scores[b] == (65.0, "C")
