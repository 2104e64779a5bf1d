"""The care pages through Django's test client: the grid worker's phone view, the community
board, the family view, away periods, device registration and service recording."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from linli.care.models import (
    Alert,
    AlertStatus,
    AwayPeriod,
    Device,
    DeviceKind,
    HomeService,
    MaintenanceTask,
    Outcome,
    Rule,
    TaskKind,
)
from linli.care.services.calls import button_pressed
from linli.care.services.devices import device_register
from linli.care.services.handling import alert_close
from linli.care.tests.care_helpers import grid_worker_a2, make_care, open_alert
from linli.geo.models import Household
from linli.people.choices import Audience
from linli.people.models import Resident


@pytest.fixture
def care(world):
    return make_care(world)


def as_user(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def text(response) -> str:
    return response.content.decode()


# The grid worker's phone view ---------------------------------------------------------------


def test_worker_sees_open_alerts_takes_and_closes_one(care, world, login):
    alert = open_alert(care)
    gw = login("grid_worker")
    page = text(gw.get("/care/"))
    assert "12小时无用水" in page and "王秀英" in page and "1幢1单元101" in page
    assert 'data-testid="open-count">1<' in page
    assert f'action="/care/alerts/{alert.pk}/ack/"' in page
    r = gw.post(f"/care/alerts/{alert.pk}/ack/", follow=True)
    assert "已接单" in text(r) and Alert.objects.get(pk=alert.pk).status == "acknowledged"
    r = gw.post(f"/care/alerts/{alert.pk}/close/", {"outcome": "safe", "note": "在家看电视"})
    assert r.status_code == 302 and r["Location"] == "/care/"
    fresh = Alert.objects.get(pk=alert.pk)
    assert fresh.status == AlertStatus.CLOSED and fresh.outcome == Outcome.SAFE
    page = text(gw.get("/care/"))
    assert "没有待接单的提醒" in page and "平安" in page


def test_worker_page_query_count_does_not_grow_with_alerts(
    care, login, django_assert_max_num_queries
):
    gw = login("grid_worker")
    _more_homes(care, 2, floor=1)
    for h in Household.objects.filter(unit="3单元"):
        open_alert(care, household=h)
    with django_assert_max_num_queries(40) as few:
        gw.get("/care/")
    _more_homes(care, 10, floor=2)
    for h in Household.objects.filter(unit="3单元", room__startswith="2"):
        open_alert(care, household=h)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = text(gw.get("/care/"))
    assert 'data-testid="open-count">12<' in page


def test_close_without_outcome_shows_the_error_and_changes_nothing(care, login):
    alert = open_alert(care)
    r = login("grid_worker").post(f"/care/alerts/{alert.pk}/close/", {"note": "x"})
    assert r.status_code == 400 and "请选择上门查看的结果" in text(r)
    r = login("grid_worker").post(
        f"/care/alerts/{alert.pk}/close/", {"outcome": "needed_help", "note": ""}
    )
    assert r.status_code == 400 and "需要什么帮助" in text(r)
    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.OPEN


def test_call_detail_shows_location_case_and_presses(
    care, world, login, django_capture_on_commit_callbacks
):
    at = timezone.now().replace(microsecond=0)
    with django_capture_on_commit_callbacks(execute=True):
        p = button_pressed(device_id=care.button.pk, at=at)
        button_pressed(device_id=care.button.pk, at=at + dt.timedelta(minutes=1))
    page = text(login("grid_worker").get(f"/care/alerts/{p.alert.pk}/"))
    assert "一键呼叫" in page and "30.27250, 120.12250" in page
    assert p.case.tracking_no in page and 'data-testid="presses">2<' in page
    worker = text(login("grid_worker").get("/care/"))
    assert "care-card call" in worker


def test_other_grid_worker_does_not_see_or_touch_it(care, world):
    alert = open_alert(care)
    other = as_user(grid_worker_a2(world))
    assert "王秀英" not in text(other.get("/care/"))
    assert other.get(f"/care/alerts/{alert.pk}/").status_code == 404
    assert other.post(f"/care/alerts/{alert.pk}/ack/").status_code == 404
    r = other.post(f"/care/alerts/{alert.pk}/close/", {"outcome": "safe"})
    assert r.status_code == 404
    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.OPEN


def test_community_worker_sees_but_may_not_take_before_escalation(care, login):
    alert = open_alert(care)
    cw = login("community_worker")
    page = text(cw.get("/care/"))
    assert "王秀英" in page and f"/care/alerts/{alert.pk}/ack/" not in page
    r = cw.post(f"/care/alerts/{alert.pk}/ack/")
    assert r.status_code == 403 and "上报到社区后" in text(r)
    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.OPEN


def test_deferred_alerts_are_not_shown(care, login):
    alert = open_alert(care)
    Alert.objects.filter(pk=alert.pk).update(status=AlertStatus.DEFERRED)
    assert f'data-testid="alert-{alert.pk}"' not in text(login("grid_worker").get("/care/"))
    assert login("grid_worker").get(f"/care/alerts/{alert.pk}/").status_code == 404


def test_worker_page_lists_people_short_of_services(care, login):
    page = text(login("grid_worker").get("/care/"))
    assert 'data-testid="short-list"' in page and "还差 2 次" in page
    assert f"/care/services/new/?resident={care.resident.pk}" in page


# The community board ------------------------------------------------------------------------


def _more_homes(care, n: int, floor: int) -> None:
    building = care.household.building
    for i in range(n):
        h = Household.objects.create(building=building, unit="3单元", room=f"{floor}{i:02d}")
        r = Resident.objects.create(household=h, full_name=f"住户{i}", sex="M", birth_year=1945)
        for kind in (DeviceKind.WATER, DeviceKind.DOOR):
            device_register(
                actor=None,
                serial=f"X{floor}{i}-{kind}",
                kind=kind,
                household=h,
                resident=r,
                installed_on=timezone.localdate(),
            )


def test_board_shows_households_devices_alerts_tasks_services(care, world, login):
    done = open_alert(care, Rule.NO_MOVEMENT)
    alert_close(actor=world["grid_worker"], alert_id=done.pk, outcome=Outcome.FALSE_ALARM)
    alert = open_alert(care)
    Device.objects.filter(serial="W-1").update(last_seen_at=timezone.now(), battery=80)
    water = Device.objects.get(serial="W-1")
    MaintenanceTask.objects.create(
        device=care.devices[DeviceKind.DOOR],
        household=care.household,
        kind=TaskKind.OFFLINE,
        opened_at=timezone.now(),
    )
    HomeService.objects.create(
        resident=care.resident,
        kind="bathing",
        provided_at=timezone.now(),
        provider_name="助浴队",
        recorded_by=world["grid_worker"],
    )
    page = text(login("community_worker").get("/care/board/"))
    assert "甲社区" in page and "乙社区" not in page
    assert 'data-testid="stat-households">1<' in page
    assert 'data-testid="stat-devices">3<' in page
    assert 'data-testid="stat-offline">2<' in page  # door and button never reported
    assert 'data-testid="stat-alerts">1<' in page and 'data-testid="stat-tasks">1<' in page
    assert 'data-testid="stat-services">1<' in page
    assert f"/care/alerts/{alert.pk}/" in page and "设备离线" in page
    assert (
        "上门助浴" in page and "正常" in page and water.serial not in page.split("board-homes")[0]
    )
    # Precision per rule: the false alarm counts against 多日无活动 (no activity at all; not
    # going out is its own rule, 多日未出门).
    precision = page.split('data-testid="board-precision"')[1]
    assert "多日无活动" in precision and "0%" in precision and "多日未出门" in precision
    assert 'data-testid="stat-no-door">0<' in page and 'data-testid="no-door"' not in page
    assert 'data-testid="precision-none"' not in page
    # 王秀英 has one service this month: still short by one.
    short = page.split('data-testid="board-short"')[1]
    assert "王秀英" in short


def test_board_says_which_homes_have_no_door_sensor(care, login):
    h = Household.objects.create(building=care.household.building, unit="3单元", room="901")
    device_register(
        actor=None,
        serial="NODOOR-W",
        kind=DeviceKind.WATER,
        household=h,
        resident=None,
        installed_on=timezone.localdate(),
    )
    page = text(login("community_worker").get("/care/board/"))
    assert 'data-testid="stat-households">2<' in page and 'data-testid="stat-no-door">1<' in page
    assert "无法判断老人是否“多日未出门”" in page
    homes = page.split('data-testid="board-homes"')[1]
    assert homes.count('data-testid="no-door"') == 1 and "无门磁" in homes


def test_board_query_count_does_not_grow_with_households(
    care, login, django_assert_max_num_queries
):
    cw = login("community_worker")
    cw.get("/care/board/")
    _more_homes(care, 3, floor=1)
    with django_assert_max_num_queries(40) as few:
        cw.get("/care/board/")
    _more_homes(care, 20, floor=2)
    with django_assert_max_num_queries(len(few.captured_queries)):
        r = cw.get("/care/board/")
    assert text(r).count("住户1") >= 1


def test_street_admin_picks_a_community(care, login):
    sa = login("street_admin")
    assert "甲社区" in text(sa.get("/care/board/"))
    page = text(sa.get(f"/care/board/?community={care.world.community_b.pk}"))
    assert "智慧养老看板 · 乙社区" in page
    assert (
        login("community_worker")
        .get(f"/care/board/?community={care.world.community_b.pk}")
        .status_code
        == 404
    )


# Family ---------------------------------------------------------------------------------


def test_family_sees_devices_alerts_and_registers_an_away_period(care, world):
    open_alert(care)
    Device.objects.filter(serial="W-1").update(last_seen_at=timezone.now())
    fam = as_user(care.family)
    page = text(fam.get("/care/family/"))
    assert "王秀英" in page and "水表" in page and "正常" in page and "未上报" in page
    assert 'data-testid="open-alerts"' in page and "12小时无用水" in page
    today = timezone.localdate()
    r = fam.post(
        f"/care/away/{care.household.pk}/",
        {"reason": "hospital", "starts": today, "ends": today + dt.timedelta(days=5)},
    )
    assert r.status_code == 302 and r["Location"] == "/care/family/"
    away = AwayPeriod.objects.get()
    assert away.set_by == care.family and away.reason == "hospital"
    assert timezone.localtime(away.ends).date() == today + dt.timedelta(days=6)
    page = text(fam.get("/care/family/"))
    assert "住院" in page and "已经回家了" in page
    r = fam.post(f"/care/away/{away.pk}/end/")
    assert r.status_code == 302 and AwayPeriod.objects.get().ends <= timezone.now()


def test_family_does_not_see_alerts_the_person_keeps_private(world):
    care = make_care(world, audience=Audience.GRID)
    open_alert(care)
    page = text(as_user(care.family).get("/care/family/"))
    assert 'data-testid="alerts-private"' in page and "12小时无用水" not in page
    assert "水表" in page  # devices' last seen are still shown


def test_bad_away_dates_are_shown_in_chinese(care):
    today = timezone.localdate()
    r = as_user(care.family).post(
        f"/care/away/{care.household.pk}/",
        {"reason": "hospital", "starts": today, "ends": today - dt.timedelta(days=3)},
    )
    assert r.status_code == 400 and "结束时间要晚于开始时间" in text(r)
    r = as_user(care.family).post(f"/care/away/{care.household.pk}/", {"starts": today})
    assert r.status_code == 400 and "请选择外出原因" in text(r)
    assert not AwayPeriod.objects.exists()


def test_family_cannot_open_another_home(care, login):
    assert as_user(care.family).get(f"/care/away/{care.other_household.pk}/").status_code == 404
    page = text(login("family").get("/care/family/"))  # same account: only her mother
    assert "赵大爷" not in page


def test_family_without_relatives_gets_a_plain_explanation(world):
    page = text(as_user(world["family"]).get("/care/family/"))
    assert "还没有关联家人" in page


# Device registration and service recording --------------------------------------------------


def test_community_worker_registers_a_device(care, world, login):
    cw = login("community_worker")
    form = text(cw.get("/care/devices/new/"))
    assert "1幢" in form and "9幢" not in form  # only 甲社区's buildings
    data = {
        "serial": "E-77",
        "kind": "electricity",
        "building": care.household.building.pk,
        "unit": "1单元",
        "room": "101",
        "resident_name": "王秀英",
        "installed_on": timezone.localdate().isoformat(),
        "register_max": "99999",
        "place": "厨房",
    }
    r = cw.post("/care/devices/new/", data, follow=True)
    assert "已登记 电表 E-77" in text(r)
    d = Device.objects.get(serial="E-77")
    assert d.household == care.household and d.resident == care.resident
    assert d.register_max == 99999 and d.place == "厨房"
    again = cw.post("/care/devices/new/", data)
    assert again.status_code == 400 and "已登记" in text(again)
    wrong = cw.post("/care/devices/new/", {**data, "serial": "E-78", "room": "999"})
    assert wrong.status_code == 400 and "没有找到这一户" in text(wrong)
    assert Device.objects.filter(serial__startswith="E-").count() == 1


def test_grid_worker_records_a_service_with_the_tier_suggested(care, world, login):
    gw = login("grid_worker")
    page = text(gw.get(f"/care/services/new/?resident={care.resident.pk}"))
    assert 'data-testid="suggested">上门助浴<' in page
    at = timezone.localtime().replace(second=0, microsecond=0) - dt.timedelta(hours=1)
    r = gw.post(
        "/care/services/new/",
        {
            "resident": care.resident.pk,
            "kind": "bathing",
            "provided_at": at.strftime("%Y-%m-%dT%H:%M"),
            "provider": "幸福里助浴队",
        },
    )
    assert r.status_code == 302 and r["Location"] == "/care/"
    assert HomeService.objects.get().provided_at == at
    r = gw.post(
        "/care/services/new/",
        {
            "resident": care.resident.pk,
            "kind": "bathing",
            "provided_at": at.strftime("%Y-%m-%dT%H:%M"),
            "provider": "幸福里助浴队",
        },
    )
    assert r.status_code == 400 and "已经登记过" in text(r)
    assert HomeService.objects.count() == 1


def test_service_page_for_someone_elsewhere_is_not_found(care, world):
    other = as_user(grid_worker_a2(world))
    assert other.get(f"/care/services/new/?resident={care.resident.pk}").status_code == 404
    page = text(other.get("/care/services/new/"))
    assert "王秀英" not in page


def test_home_page_tiles_lead_to_the_care_pages(care, login):
    assert "/care/" in text(login("grid_worker").get("/"))
    board = text(login("secretary").get("/"))
    assert "/care/board/" in board and "智慧养老看板" in board
    assert "/care/family/" in text(as_user(care.family).get("/"))
    assert "/care/" not in text(login("resident").get("/"))
