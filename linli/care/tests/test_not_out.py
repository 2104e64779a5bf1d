"""CARE-3 "3天未出门": someone active at home who has not gone out for days gets a concern
visit (issue 20), read from the door and motion sequence through the real ingest and sweep.

王秀英 (rules_helpers) lives alone with a water meter, a door and a motion sensor. Her days:
up at 7, moving about every hour, water at 8, 12, 18 and 21, heartbeats every 2 hours.
"""

import datetime as dt

import pytest
from django.test import Client

from linli.care.models import (
    AlertStatus,
    AwayPeriod,
    AwayReason,
    DeviceKind,
    HomeOuting,
    HomeService,
    Outcome,
    Rule,
    ServiceKind,
)
from linli.care.services.alerts import concern_due, precision_report
from linli.care.services.handling import alert_close
from linli.care.services.outings import departures
from linli.care.tests.rules_helpers import T0, active_alerts, at, inbox, make_home, sweep
from linli.testing.english import as_user, english, text

W, D, M = DeviceKind.WATER, DeviceKind.DOOR, DeviceKind.MOTION
H = dt.timedelta(hours=1)


class Life:
    """Feeds one home's readings day by day, up to the moment of the next sweep."""

    def __init__(self, home, *, outings=(), visitors=()):
        self.home = home
        self.outings = [(at(a), at(b)) for a, b in outings]  # hours from T0
        self.visitors = [at(v) for v in visitors]
        self.fed = T0

    def out(self, t: dt.datetime) -> bool:
        return any(a <= t < b for a, b in self.outings)

    def until(self, end: dt.datetime) -> None:
        home, start = self.home, self.fed
        items: list[tuple[str, dt.datetime, float]] = []
        t = start
        while t < end:
            local_hour = (t - T0).total_seconds() / 3600 % 24
            minute = round((t - T0).total_seconds() / 60) % 60
            if minute % 15 == 0 and W in home.devices:
                if local_hour in (8, 12, 18, 21) and not self.out(t):
                    home.water_register += 0.02
                items.append((W, t, round(home.water_register, 4)))
            if minute == 0 and int(local_hour) % 2 == 0:  # heartbeats
                items += [(k, t, 0.0) for k in (D, M) if k in home.devices]
            if minute == 30 and 7 <= local_hour < 22 and not self.out(t) and M in home.devices:
                items.append((M, t, 1.0))
            t += dt.timedelta(minutes=15)
        for a, b in self.outings:  # the door going out and coming back, then moving about
            items += [(D, x, 1.0) for x in (a, b) if start <= x < end and D in home.devices]
            back = b + dt.timedelta(minutes=5)
            if start <= back < end and M in home.devices:
                items.append((M, back, 1.0))
        for v in self.visitors:
            if start <= v < end:
                items += [(D, v, 1.0), (M, v + dt.timedelta(minutes=5), 1.0)]
        if items:
            home.send(*sorted(items, key=lambda i: i[1]), now=end)
        self.fed = end


@pytest.fixture
def home(world):
    return make_home(world, kinds=(W, D, M))


def not_out(home):
    return active_alerts(home, Rule.NOT_OUT)


def run(life, *moments):
    """Feed and sweep at each moment (hours from Monday 00:00)."""
    for hours in moments:
        life.until(at(hours))
        sweep(at(hours, minutes=3))


MONDAY_OUT = [(9, 10.5)]  # to the market on Monday morning, then home for days


def test_door_shut_for_three_and_a_half_days_with_indoor_activity_opens_one_concern_visit(
    home, world
):
    life = Life(home, outings=MONDAY_OUT)
    run(life, 12, 36, 60)  # Monday noon, Tuesday noon, Wednesday noon: not yet
    assert not_out(home) == []
    assert HomeOuting.objects.get(household=home.household).last_out_at == at(9)
    run(life, 84)  # Thursday noon: 3 days and 3 hours since she went out
    (alert,) = not_out(home)
    assert alert.status == AlertStatus.OPEN and alert.since == at(9)
    assert alert.assigned_to == world["grid_worker"]
    # A concern visit: by the end of the working day, not within 2 hours.
    assert alert.due_at == at(3 * 24 + 18)
    assert alert.evidence["last_out"] == at(9).isoformat()
    assert inbox(world["grid_worker"]) == ["看护提醒:1幢1单元101 多日未出门"]
    # She is active at home: no emergency alert, and later sweeps keep the one visit.
    run(life, 86, 88)
    assert [a.rule for a in active_alerts(home)] == [Rule.NOT_OUT]


def test_daily_outings_raise_nothing(home):
    life = Life(home, outings=[(d * 24 + 9, d * 24 + 10.5) for d in range(5)])
    run(life, 36, 60, 84, 108, 114)
    assert active_alerts(home) == []
    assert HomeOuting.objects.get(household=home.household).last_out_at == at(4 * 24 + 9)


def test_an_away_period_suppresses_the_concern(home):
    AwayPeriod.objects.create(
        household=home.household, starts=at(60), ends=at(100), reason=AwayReason.VISITING
    )
    life = Life(home, outings=MONDAY_OUT)
    run(life, 60, 84, 96)
    assert not_out(home) == []


def test_a_visitors_door_events_do_not_count_as_going_out(home):
    # Neighbours at the door on Tuesday and Wednesday afternoons, and she stays in.
    life = Life(home, outings=MONDAY_OUT, visitors=[24 + 15.25, 48 + 15.25])
    run(life, 60, 84)
    (alert,) = not_out(home)
    assert alert.since == at(9)
    assert HomeOuting.objects.get(household=home.household).last_out_at == at(9)


def test_a_home_without_a_door_sensor_never_gets_the_rule(world):
    home = make_home(world, kinds=(W, M))
    life = Life(home)
    run(life, 36, 60, 84, 108)
    assert active_alerts(home) == []


def test_a_home_service_counts_as_contact(home, world):
    HomeService.objects.create(
        resident=home.resident,
        kind=ServiceKind.COMPANY,
        provided_at=at(48 + 10),
        provider_name="社区志愿者",
        recorded_by=world["grid_worker"],
    )
    life = Life(home, outings=MONDAY_OUT)
    run(life, 60, 84)
    assert not_out(home) == []  # 2 days since Wednesday's visit
    run(life, 48 + 10 + 72 + 3)  # 3 days after the service
    (alert,) = not_out(home)
    assert alert.since == at(48 + 10)


def test_going_out_resolves_the_concern_and_a_closed_visit_restarts_the_count(home, world, clock):
    life = Life(home, outings=[*MONDAY_OUT, (84 + 2.25, 84 + 3.25)])  # Thursday 14:15–15:15
    run(life, 84)
    (alert,) = not_out(home)
    run(life, 84 + 6)  # two hours after she came back, her outing is sorted
    alert.refresh_from_db()
    assert alert.status == AlertStatus.RESOLVED_AUTO and alert.note == "之后已出门"
    # A visit that found her at home restarts the count from the visit.
    life2 = Life(home)
    life2.fed = life.fed
    run(life2, 7 * 24 + 12)  # the next Monday noon: out last Thursday
    (again,) = not_out(home)
    assert again.since == at(84 + 2.25)
    clock.move_to(at(7 * 24 + 13))  # the grid worker visits at 13:00
    closed = alert_close(
        actor=world["grid_worker"], alert_id=again.pk, outcome=Outcome.SAFE, note="老人腿脚不便"
    )
    assert closed.status == AlertStatus.CLOSED
    run(life2, 7 * 24 + 14, 9 * 24 + 12)
    assert not_out(home) == []  # two days after the visit
    # The rule's own line in the precision figures: one confirmed, one resolved by itself.
    rows = {r.rule: r for r in precision_report(since=at(0), until=at(30 * 24))}
    mine = rows[Rule.NOT_OUT]
    assert (mine.label, mine.counted, mine.safe, mine.resolved_auto) == ("多日未出门", 2, 1, 1)


def test_a_silent_home_is_left_to_the_emergency_rules(home):
    life = Life(home, outings=MONDAY_OUT)
    run(life, 24)
    # From Tuesday she is not seen at all: no motion, no water (heartbeats only).
    home.water(at(24, minutes=15), at(108))
    home.beats(D, at(26), at(108))
    home.beats(M, at(26), at(108))
    sweep(at(108, minutes=3))  # Friday noon: 4 days since she went out, 3½ days unseen
    rules = {a.rule for a in active_alerts(home)}
    assert Rule.NOT_OUT not in rules and Rule.NO_WATER in rules


@pytest.mark.parametrize(
    ("found", "due"),
    [
        (at(3 * 24 + 10), at(3 * 24 + 18)),  # Thursday morning: Thursday evening
        (at(3 * 24 + 17), at(4 * 24 + 18)),  # Thursday 17:00: Friday evening
        (at(4 * 24 + 17), at(7 * 24 + 18)),  # Friday 17:00: Monday evening
        (at(5 * 24 + 10), at(7 * 24 + 18)),  # Saturday: Monday evening
    ],
)
def test_a_concern_is_due_by_the_end_of_a_working_day(db, found, due):
    assert concern_due(found) == due


@pytest.mark.parametrize(
    ("events", "has_motion", "expected"),
    [
        # Out at 9:00 (open and close), back at 10:30 and moving about: one outing.
        ([("9:00", D), ("9:01", D), ("10:30", D), ("10:35", M)], True, ["9:01"]),
        # A visitor: the door, then someone moves inside.
        ([("15:00", D), ("15:05", M), ("15:40", M)], True, []),
        # Motion right as she steps out (within the grace) does not hide the outing.
        ([("9:00", D), ("9:01", M), ("11:00", D), ("11:10", M)], True, ["9:00"]),
        # Out for 20 minutes with the rubbish: the door again before any motion.
        ([("16:00", D), ("16:20", D), ("16:25", M)], True, ["16:00"]),
        # A neighbour at 21:30, then she sleeps and is up at 6:40: she never left.
        ([("21:30", D), ("30:40", M), ("33:00", D), ("33:05", M)], True, []),
        # No motion sensor: every use of the door counts as going out.
        ([("15:00", D), ("18:00", D)], False, ["15:00", "18:00"]),
    ],
)
def test_departures_read_the_door_and_motion_sequence(events, has_motion, expected):
    seen = [(_moment(t), kind) for t, kind in events]
    way = departures(seen, has_motion=has_motion)
    assert way.left == [_moment(t) for t in expected]


def _moment(hm: str) -> dt.datetime:
    h, m = hm.split(":")
    return at(int(h), minutes=int(m))


def test_departures_continue_from_where_the_last_sweep_stood():
    # The last sweep saw the door at 9:00 and nobody since; this one sees her come back.
    way = departures(
        [(_moment("11:00"), D), (_moment("11:06"), M)],
        has_motion=True,
        last_door=_moment("9:00"),
        still=True,
    )
    assert (way.left, way.last_door, way.still) == ([_moment("9:00")], _moment("11:00"), False)
    # The last sweep saw the door and then motion: the next use of the door is no outing.
    way = departures([(_moment("11:00"), D)], has_motion=True, last_door=_moment("9:00"))
    assert (way.left, way.still) == ([], True)


def test_the_visit_page_explains_the_concern_and_leads_to_help(home, world, clock):
    life = Life(home, outings=MONDAY_OUT)
    run(life, 84)
    (alert,) = not_out(home)
    clock.move_to(at(84 + 1))
    worker = Client()
    worker.force_login(world["grid_worker"])
    page = worker.get(f"/care/alerts/{alert.pk}/").content.decode()
    assert "多日未出门" in page and 'data-testid="not-out-note"' in page
    assert "不是紧急情况" in page and 'data-testid="not-out-help"' not in page
    r = worker.post(
        f"/care/alerts/{alert.pk}/close/",
        {"outcome": Outcome.NEEDED_HELP, "note": "腿疼下不了楼,想请人代买菜"},
        follow=True,
    )
    assert r.status_code == 200
    alert.refresh_from_db()
    assert (alert.status, alert.outcome) == (AlertStatus.CLOSED, Outcome.NEEDED_HELP)
    page = worker.get(f"/care/alerts/{alert.pk}/").content.decode()
    help_links = page.split('data-testid="not-out-help"')[1]
    assert f"/care/services/new/?resident={home.resident.pk}" in help_links
    assert "/cases/window/" in help_links


def test_the_concern_reads_in_english(home, world, clock):
    life = Life(home, outings=MONDAY_OUT)
    run(life, 84)
    (alert,) = not_out(home)
    clock.move_to(at(84 + 1))
    gw = as_user(world["grid_worker"])
    data = ("王秀英", "甲社区", "1幢", "1单元")
    page = english(text(gw.get("/care/")), data)
    assert "Not out for days" in page and "Not out since" in page
    assert "A caring visit, not an emergency" in page
    page = english(text(gw.get(f"/care/alerts/{alert.pk}/")), data)
    assert "This is a caring visit, not an emergency" in page


def test_no_concern_while_she_may_be_out_right_now(home):
    # Thursday 9:00 she goes out, three days after Monday's outing; at 11:48 the door use is
    # read (two hours back) but she is not back yet, so the outing is not known.
    life = Life(home, outings=[*MONDAY_OUT, (3 * 24 + 9, 3 * 24 + 13)])
    run(life, 3 * 24 + 11.75)
    assert HomeOuting.objects.get(household=home.household).still
    assert not_out(home) == []  # the door was the last thing: she may be out
    run(life, 3 * 24 + 16)  # back at 13:00: the outing is known, nothing to visit
    assert not_out(home) == []
    assert HomeOuting.objects.get(household=home.household).last_out_at == at(3 * 24 + 9)
