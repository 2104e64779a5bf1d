"""EVAL-3: every metric against the hand-computed month in fixtures.py."""

import datetime as dt

import pytest

from linli.care.models.alerts import Alert, AlertStatus, Outcome, Rule
from linli.casework.models import Whistle, WhistleCall
from linli.casework.services.categories import categories_ensure_defaults
from linli.core.calendar.selectors import WorkingCalendar
from linli.evaluation import metrics
from linli.evaluation.metrics import Figure, Period, percentile, working_hours
from linli.evaluation.tests.fixtures import MARCH, at, build_march
from linli.geo.models import Household
from linli.mediation.choices import Outcome as DisputeOutcome
from linli.mediation.models import Dispute

pytestmark = pytest.mark.clock("2026-04-15 10:00")


@pytest.fixture
def march(world):
    categories_ensure_defaults(actor=None)
    return build_march(world)


def value(key: str, by: str = "all", group: str = "all", period: Period | None = None):
    figs = metrics.compute(key, MARCH, by, period)
    return figs.get(group)


def test_close_rates_on_hand_computed_month(march):
    assert value("due") == Figure(7, None, 7)
    assert value("close_rate") == Figure(5, 7, 71.43)
    # 按期结案率: the deferred case (on time or not) leaves numerator and denominator.
    assert value("on_time_close_rate") == Figure(3, 6, 50.0)
    assert value("handle_rate") == Figure(5, 7, 71.43)
    assert value("on_time_handle_rate") == Figure(4, 7, 57.14)
    assert value("rework_rate") == Figure(1, 7, 14.29)
    assert value("overdue") == Figure(3, None, 3)


def test_due_in_march_closed_in_april_counts_as_closed_in_april_only(march):
    april = dt.date(2026, 4, 1)
    # March: C4 is due and not closed by 03-31 (see test above). April: only C10 is due
    # (open: 0 %), and C4 is one of April's closed cases (not rated: 参评率 0 of 1).
    assert metrics.compute("close_rate", april, "all")["all"] == Figure(0, 1, 0.0)
    assert metrics.compute("rating_participation", april, "all")["all"] == Figure(0, 1, 0.0)
    assert metrics.compute("handle_rate", april, "all")["all"] == Figure(0, 1, 0.0)


def test_satisfaction_resolution_participation_levels(march):
    assert value("satisfaction_rate") == Figure(4, 6, 66.67)
    assert value("resolution_rate") == Figure(5, 6, 83.33)
    assert value("rating_participation") == Figure(5, 6, 83.33)
    assert value("settled_in_grid") == Figure(3, 6, 50.0)
    assert value("settled_in_community") == Figure(5, 6, 83.33)


def test_response_time_median_and_p90_in_working_hours(march):
    assert value("response_median") == Figure(4, None, 2.5)
    assert value("response_p90") == Figure(4, None, 24.0)


def test_by_community_grid_department_category_pilot(march, world):
    a, b = str(world.community_a.pk), str(world.community_b.pk)
    assert value("close_rate", "community", a) == Figure(4, 6, 66.67)
    assert value("close_rate", "community", b) == Figure(1, 1, 100.0)
    assert value("close_rate", "grid", str(world.grid_b1.pk)) == Figure(1, 1, 100.0)
    assert value("close_rate", "grid", str(world.grid_a2.pk)) is None  # no cases: no figure
    # Department: the handler, else the owner. 街道办 handled C2 (late).
    assert value("on_time_close_rate", "department", str(world.street_office.pk)) == Figure(
        0, 1, 0.0
    )
    assert value("on_time_close_rate", "department", str(world.chengguan.pk)) == Figure(3, 5, 60.0)
    assert value("due", "category", "01") == Figure(7, None, 7)
    # 甲社区 is the pilot.
    assert value("due", "pilot", "1") == Figure(6, None, 6)
    assert value("due", "pilot", "0") == Figure(1, None, 1)
    assert value("due", "street", str(world.street.pk)) == Figure(7, None, 7)


def test_no_cases_is_no_figure_not_zero(db, world):
    categories_ensure_defaults(actor=None)
    assert metrics.compute("close_rate", MARCH, "all") == {}
    assert metrics.ratio(0, 0) == Figure(0, 0, None)


def test_working_hours_skip_weekends_and_holidays(db):
    cal = WorkingCalendar()
    # Friday 16:00 → Monday 10:00: 8 h Friday + 10 h Monday.
    assert working_hours(at(3, 6, 16), at(3, 9, 10), cal) == 18.0
    assert working_hours(at(3, 7, 9), at(3, 8, 20), cal) == 0.0  # a weekend
    assert working_hours(at(3, 9, 10), at(3, 9, 9), cal) == 0.0  # backwards
    assert percentile([5.0], 90) == 5.0
    assert percentile([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0], 90) == 9.0


def test_whistle_calls_on_time(march, world):
    whistle = Whistle.objects.create(
        case=march["C6"], called_by=world["community_worker"], reason="x"
    )
    WhistleCall.objects.create(
        whistle=whistle, department=world.chengguan, due=at(3, 12), reported_at=at(3, 11)
    )
    WhistleCall.objects.create(
        whistle=whistle, department=world.street_office, due=at(3, 12), reported_at=at(3, 13)
    )
    assert value("whistle_on_time") == Figure(1, 2, 50.0)
    assert value("whistle_on_time", "department", str(world.chengguan.pk)) == Figure(1, 1, 100.0)
    assert value("whistle_on_time", "community", str(world.community_a.pk)) == Figure(1, 2, 50.0)


def test_alerts_answered_in_two_hours_and_precision(db, world):
    household = Household.objects.get()

    def alert(rule: str, opened: dt.datetime, ack_after: float | None, **extra):
        ack = opened + dt.timedelta(hours=ack_after) if ack_after is not None else None
        return Alert.objects.create(
            household=household, rule=rule, detected_at=opened, opened_at=opened,
            due_at=opened + dt.timedelta(hours=2), acknowledged_at=ack, **extra,
        )  # fmt: skip

    closed = {"status": AlertStatus.CLOSED}
    alert(Rule.NO_WATER, at(3, 2), 1.5, outcome=Outcome.SAFE, **closed)
    alert(Rule.CALL, at(3, 3), 2.0, outcome=Outcome.NEEDED_HELP, **closed)  # exactly 2 h: in
    alert(Rule.NO_MOVEMENT, at(3, 4), 3.0, outcome=Outcome.FALSE_ALARM, **closed)
    alert(Rule.ELECTRICITY, at(3, 5), None)  # open, never acknowledged
    alert(Rule.NOT_OUT, at(3, 6), 0.5)  # a concern, not a welfare alert: not counted
    alert(Rule.NO_WATER, at(2, 27), 0.5, outcome=Outcome.SAFE, **closed)  # February
    assert value("alerts_answered_2h") == Figure(2, 4, 50.0)
    assert value("alert_precision") == Figure(2, 3, 66.67)
    assert value("alerts_answered_2h", "grid", str(world.grid_a1.pk)) == Figure(2, 4, 50.0)
    assert value("alerts_answered_2h", "department") is None  # not a dimension of alerts


def test_mediation_success(db, world):
    def dispute(n: int, outcome: str, concluded: dt.datetime, community=None):
        Dispute.objects.create(
            number=f"M{n}", community=community or world.community_a, type="neighbours",
            source="walk_in", description="x", outcome=outcome, accept_due=concluded,
            concluded_at=concluded, extension_reason="", close_reason="",
        )  # fmt: skip

    dispute(1, DisputeOutcome.AGREEMENT, at(3, 2))
    dispute(2, DisputeOutcome.AGREEMENT, at(3, 3))
    dispute(3, DisputeOutcome.FAILURE, at(3, 4))
    dispute(4, DisputeOutcome.WITHDRAWN, at(3, 5))  # not in the base
    dispute(5, DisputeOutcome.FAILURE, at(4, 1, 0))  # April
    dispute(6, DisputeOutcome.AGREEMENT, at(3, 9), world.community_b)
    assert value("mediation_success") == Figure(3, 4, 75.0)
    assert value("mediation_success", "community", str(world.community_a.pk)) == Figure(2, 3, 66.67)


def test_every_metric_is_declared_completely():
    for m in metrics.METRICS:
        assert m.name and m.numerator and m.denominator and m.exclusions, m.key
        assert m.unit in ("%", "件", "小时", "分"), m.key
        assert m.version >= 1
        assert set(m.dimensions) <= set(metrics.DIMENSIONS)
