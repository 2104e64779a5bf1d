"""有效上报率, 主动发现占比 and 漏报 on fixtures (definitions in linli.fieldwork.selectors);
the 未诉先办 season calendar and 乱点; patrol tracks opt-in, in working time only, never
shown to residents."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from linli.casework.choices import Status
from linli.casework.models import Case
from linli.fieldwork import calendar as season
from linli.fieldwork.choices import TaskKind
from linli.fieldwork.models import PatrolReport, TrackPoint
from linli.fieldwork.selectors import measures_for_grids, metres, today_list
from linli.fieldwork.services import reports, tracks
from linli.fieldwork.services.today import build_for_workers
from linli.fieldwork.tests.helpers import case_at, field_world, visited

pytestmark = pytest.mark.clock("2026-06-10 09:00")


@pytest.fixture
def fw(world):
    return field_world(world)


def file_report(fw, lat, lon, code="01-10"):
    r, _ = reports.report_file(
        actor=fw["grid_worker"],
        data=reports.ReportInput(
            uuid=str(uuid.uuid4()), category_code=code, description="巡查发现", lat=lat, lon=lon
        ),
    )
    return r


def shift(case, **delta):
    Case.objects.filter(pk=case.pk).update(created_at=timezone.now() - dt.timedelta(**delta))


def measures(fw):
    now = timezone.now()
    rows = measures_for_grids(
        [fw.world.grid_a1.pk, fw.world.grid_a2.pk],
        since=now - dt.timedelta(days=30),
        until=now + dt.timedelta(seconds=1),
    )
    return {m.grid_id: m for m in rows}


def test_valid_report_rate_and_proactive_share(fw):
    a = file_report(fw, 30.2712, 120.1212)
    b = file_report(fw, 30.2722, 120.1222)
    c = file_report(fw, 30.2732, 120.1232)
    Case.objects.filter(pk=a.case_id).update(status=Status.REGISTERED)
    Case.objects.filter(pk=b.case_id).update(status=Status.CLOSED)
    Case.objects.filter(pk=c.case_id).update(status=Status.REJECTED)
    case_at(
        fw["resident"], 30.2712, 120.1240, code="04-09"
    )  # a complaint (parking: not walkable cat.)
    m = measures(fw)[fw.world.grid_a1.pk]
    assert (m.reports, m.registered) == (3, 2)
    assert m.valid_rate == pytest.approx(2 / 3)
    assert (m.proactive, m.complaints) == (3, 1) and m.proactive_share == pytest.approx(0.75)
    empty = measures(fw)[fw.world.grid_a2.pk]
    assert empty.valid_rate is None and empty.proactive_share is None


def test_missed_report_by_category_distance_and_time(fw):
    # The worker visited 3幢 (30.2710, 120.1210) two days ago.
    visited(fw, fw.dibao, 2)
    near = case_at(fw["resident"], 30.2713, 120.1212)  # ~40 m away, 01-10: missed
    far = case_at(fw["resident"], 30.2745, 120.1245)  # ~500 m: not passed
    other_cat = case_at(fw["resident"], 30.2712, 120.1211, code="04-09")  # not walkable
    late = case_at(fw["resident"], 30.2711, 120.1211)
    shift(late, days=0)  # created now; the visit 2 days ago is within 7 days → counts too
    assert metres(30.2713, 120.1212, 30.2710, 120.1210) < 100
    missed = {x.case_id for x in measures(fw)[fw.world.grid_a1.pk].missed}
    assert near.pk in missed and late.pk in missed
    assert far.pk not in missed and other_cat.pk not in missed


def test_a_proactive_report_of_the_same_kind_is_not_missed(fw):
    visited(fw, fw.dibao, 3)
    file_report(fw, 30.2711, 120.1211)  # the worker reported it
    complaint = case_at(fw["resident"], 30.2712, 120.1212)
    assert complaint.pk not in {x.case_id for x in measures(fw)[fw.world.grid_a1.pk].missed}


def test_passing_too_long_ago_is_not_a_missed_report(fw):
    visited(fw, fw.dibao, 9)  # more than 7 days before the complaint
    complaint = case_at(fw["resident"], 30.2712, 120.1212)
    assert complaint.pk not in {x.case_id for x in measures(fw)[fw.world.grid_a1.pk].missed}


def test_season_calendar_puts_last_years_problems_on_the_list(fw):
    # June last year: three drain problems in grid A1 → on June's calendar and today's list.
    for _ in range(3):
        c = case_at(fw["resident"], 30.2712, 120.1212, code="01-03")
        Case.objects.filter(pk=c.pk).update(created_at=timezone.now() - dt.timedelta(days=365))
    once = case_at(fw["resident"], 30.2712, 120.1212, code="01-06")  # once: below the bar
    Case.objects.filter(pk=once.pk).update(created_at=timezone.now() - dt.timedelta(days=365))
    entries = season.season_calendar(fw.world.community_a.pk, year=2026, month=6)
    assert [(e.category_code, e.count) for e in entries] == [("01-03", 3)]
    assert season.season_calendar(fw.world.community_a.pk, year=2026, month=7) == []
    build_for_workers([fw["grid_worker"]], day=timezone.localdate(), now=timezone.now())
    items = [t for t in today_list(actor=fw["grid_worker"]) if t.kind == TaskKind.SEASON]
    assert [t.key for t in items] == ["season:01-03"]
    assert not [t for t in today_list(actor=fw.worker2) if t.kind == TaskKind.SEASON]


def test_hotspot_two_weeks_running(fw):
    a = case_at(fw["resident"], 30.2712, 120.1212)
    b = case_at(fw["resident"], 30.2713, 120.1213)
    c = case_at(fw["resident"], 30.2740, 120.1240)  # elsewhere, one week only
    shift(a, days=3)
    shift(b, days=10)
    shift(c, days=3)
    spots = season.hotspots(grid_ids=[fw.world.grid_a1.pk], day=timezone.localdate())
    assert len(spots) == 1 and spots[0].weeks == (1, 1) and spots[0].category_code == "01-10"


def test_tracks_opt_in_working_hours_and_never_for_residents(fw, login):
    w = fw["grid_worker"]
    point = tracks.PointInput(uuid=str(uuid.uuid4()), at=timezone.now(), lat=30.2712, lon=120.1212)
    with pytest.raises(Exception) as off:
        tracks.points_record(actor=w, points=[point])
    assert getattr(off.value, "code", "") == "tracks_off"
    tracks.consent_set(actor=w, enabled=True, work_start=dt.time(8, 30), work_end=dt.time(17, 30))
    night = tracks.PointInput(
        uuid=str(uuid.uuid4()),
        at=timezone.now() - dt.timedelta(hours=12),
        lat=30.2712,
        lon=120.1212,
    )
    outside = tracks.PointInput(
        uuid=str(uuid.uuid4()), at=timezone.now(), lat=30.2712, lon=120.1312
    )
    assert tracks.points_record(actor=w, points=[point, point, night, outside]) == 1
    assert TrackPoint.objects.count() == 1
    url = f"/api/fieldwork/tracks/{w.pk}"
    assert len(login("grid_worker").get(url).json()) == 1
    assert len(login("community_worker").get(url).json()) == 1
    for role in ("resident", "family", "volunteer"):
        assert login(role).get(url).status_code == 403
    other = field_worker2_client(fw)
    assert other.get(url).status_code == 404
    assert login("resident").get("/fieldwork/tracks/").status_code == 403


def field_worker2_client(fw):
    from django.test import Client

    c = Client()
    c.force_login(fw.worker2)
    return c


def test_patrol_report_counted_for_its_grid(fw):
    r = file_report(fw, 30.2712, 120.1212)
    assert PatrolReport.objects.get(pk=r.pk).grid_id == fw.world.grid_a1.pk


def test_calendar_page_shows_the_coming_twelve_months(fw, login):
    for _ in range(2):
        c = case_at(fw["resident"], 30.2712, 120.1212, code="01-03")
        Case.objects.filter(pk=c.pk).update(created_at=timezone.now() - dt.timedelta(days=330))
    months = season.year_calendar(fw.world.community_a.pk, start=timezone.localdate())
    assert [(y, m) for y, m, _e in months][:2] == [(2026, 6), (2026, 7)]
    assert [(y, m) for y, m, e in months if e] == [(2026, 7)]  # last July's two cases
    html = login("secretary").get("/fieldwork/calendar/").content.decode()
    assert "2026 年 7 月" in html and "道路不洁" in html
