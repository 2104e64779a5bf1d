"""The care pages in English (issue 5): with the language cookie set to "en" the grid
worker's list, an alert, the board, the family page and the three forms read in English, and
no Chinese is left but the data (names, addresses, community names); without the cookie the
pages are the same Chinese as before."""

import datetime as dt
import re

import pytest
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
from linli.care.services.handling import alert_acknowledge, alert_close
from linli.care.tests.care_helpers import make_care, open_alert
from linli.geo.models import Household
from linli.people.models import Resident
from linli.testing import english as en
from linli.testing.english import as_user, text

HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# The data of the test world and of the scene below: names, addresses, communities, grids.
DATA = (
    "甲社区1号网格",
    "甲社区2号网格",
    "甲社区",
    "乙社区",
    "王秀英",
    "张桂兰",
    "刘大妈",
    "陈阿婆",
    "赵大爷",
    "李红",
    "女儿",  # the contact's relation, as recorded
    "1幢",
    "9幢",
    "1单元",
    "在家看电视",
    "幸福里助浴队",
)


def _home(care, room: str, name: str) -> Household:
    home = Household.objects.create(building=care.household.building, unit="1单元", room=room)
    resident = Resident.objects.create(household=home, full_name=name, sex="F", birth_year=1941)
    device_register(
        actor=None,
        serial=f"W-{room}",
        kind=DeviceKind.WATER,
        household=home,
        resident=resident,
        installed_on=timezone.localdate(),
    )
    return home


@pytest.fixture
def scene(world, django_capture_on_commit_callbacks):
    """Something on every part of the pages: an open alert taken up to the community, a
    one-key call, an alert being visited, one closed, one held back in quiet hours, an away
    period, a maintenance task, a home service, a device with battery."""
    care = make_care(world)
    now = timezone.now()
    water = open_alert(care)
    Alert.objects.filter(pk=water.pk).update(escalation_level=1)
    with django_capture_on_commit_callbacks(execute=True):
        press = button_pressed(device_id=care.button.pk, at=now.replace(microsecond=0))
    assert press is not None
    visit = open_alert(care, Rule.NO_MOVEMENT, household=_home(care, "102", "张桂兰"))
    alert_acknowledge(actor=world["grid_worker"], alert_id=visit.pk)
    done = open_alert(care, Rule.ELECTRICITY, household=_home(care, "103", "刘大妈"))
    alert_close(
        actor=world["grid_worker"], alert_id=done.pk, outcome=Outcome.SAFE, note="在家看电视"
    )
    held = open_alert(care, household=_home(care, "104", "陈阿婆"))
    Alert.objects.filter(pk=held.pk).update(status=AlertStatus.DEFERRED)
    Device.objects.filter(serial="W-1").update(last_seen_at=now, battery=80)
    Device.objects.filter(serial="D-1").update(last_seen_at=now - dt.timedelta(days=5))
    MaintenanceTask.objects.create(
        device=care.devices[DeviceKind.DOOR],
        household=care.household,
        kind=TaskKind.OFFLINE,
        opened_at=now,
    )
    HomeService.objects.create(
        resident=care.resident,
        kind="bathing",
        provided_at=now - dt.timedelta(hours=2),
        provider_name="幸福里助浴队",
        recorded_by=world["grid_worker"],
    )
    AwayPeriod.objects.create(
        household=care.household,
        starts=now + dt.timedelta(days=2),
        ends=now + dt.timedelta(days=4),
        reason="visiting",
        set_by=care.family,
    )
    care.call = press.alert  # type: ignore[attr-defined]
    care.water = water  # type: ignore[attr-defined]
    care.visit = visit  # type: ignore[attr-defined]
    return care


def english(html: str) -> str:
    return en.english(html, DATA)


# English ------------------------------------------------------------------------------------


def test_worker_page_in_english(scene, world):
    html = english(text(as_user(world["grid_worker"]).get("/care/")))
    assert "<h1>Care alerts</h1>" in html
    assert "To take" in html and "To visit" in html and ">Take it</button>" in html
    assert "Visit due" in html and "left" in html
    assert "Elderly people living alone with fewer than 2 home services this month" in html
    assert "Record a service" in html and "Closed in the last 7 days" in html
    assert "No water for 12 hours" in html and "One-key call" in html


def test_alert_pages_in_english(scene, world):
    gw = as_user(world["grid_worker"])
    html = english(text(gw.get(f"/care/alerts/{scene.call.pk}/")))
    assert "← Back to care alerts" in html and "<dt>Address</dt>" in html
    assert "<dt>Button presses</dt>" in html and "<dt>Case number</dt>" in html
    assert "Result of the home visit" in html and ">Close it</button>" in html
    assert "Record time away (hospital, visiting family)" in html
    assert "Urgent" in html and "Away registered:" in html
    html = english(text(gw.get(f"/care/alerts/{scene.visit.pk}/")))
    assert "<dt>Taken by</dt><dd>grid_worker, " in html
    # A community worker before the alert is taken up to the community.
    cw = as_user(world["community_worker"])
    html = english(text(cw.get(f"/care/alerts/{scene.visit.pk}/")))
    assert "The grid worker visits for this alert" in html


def test_closing_without_an_outcome_says_so_in_english(scene, world):
    r = as_user(world["grid_worker"]).post(f"/care/alerts/{scene.visit.pk}/close/", {"note": "x"})
    assert r.status_code == 400
    assert "Please choose the result of the visit." in english(text(r))


def test_taking_an_alert_is_confirmed_in_english(scene, world):
    r = as_user(world["grid_worker"]).post(f"/care/alerts/{scene.water.pk}/ack/", follow=True)
    html = english(text(r))
    assert "Taken: please visit before" in html


def test_board_in_english(scene, world):
    html = english(text(as_user(world["community_worker"]).get("/care/board/")))
    assert "Elderly care board · 甲社区" in html
    assert "Register a device" in html and "Record a home service" in html
    assert "Households with devices" in html and "Open care alerts" in html
    assert "Device maintenance task" in html and "Alert precision (last 90 days)" in html
    assert "Households and devices" in html and "Page 1 / 1" in html
    assert "Alerts held back by the person's quiet hours (sent when they end): 1" in html
    # The month reads in English ("March 2026"), not 2026年3月.
    assert timezone.localdate().strftime("%B %Y") in html
    html = english(text(as_user(world["street_admin"]).get("/care/board/")))
    assert ">Switch</button>" in html


def test_board_with_nothing_yet_in_english(world):
    make_care(world)
    html = english(text(as_user(world["community_worker"]).get("/care/board/")))
    assert "No open alerts." in html and 'data-testid="precision-none"' in html


@pytest.mark.clock("12:00")  # the month's services: a month must not end mid-test
def test_family_page_in_english(scene):
    Alert.objects.filter(pk=scene.water.pk).update(
        status=AlertStatus.CLOSED, outcome=Outcome.SAFE, closed_at=timezone.now()
    )
    html = english(text(as_user(scene.family).get("/care/family/")))
    assert "Recent: No water for 12 hours (" in html and ", Safe)" in html
    assert '<strong data-testid="services-month">1</strong>' in html
    assert "<h1>My relative&#x27;s care</h1>" in html or "<h1>My relative's care</h1>" in html
    assert "Devices at home" in html and "Battery 80%" in html and "Not reported yet" in html
    assert "Care alerts" in html and "Record time away" in html and "Cancel" in html


def test_family_without_relatives_in_english(world):
    html = english(text(as_user(world["family"]).get("/care/family/")))
    assert "not linked to a relative" in html


def test_away_form_in_english(scene):
    fam = as_user(scene.family)
    html = english(text(fam.get(f"/care/away/{scene.household.pk}/")))
    assert "<h1>Record time away</h1>" in html and "Reason for being away" in html
    assert "Leaving on" in html and "Back home on" in html and ">Register</button>" in html
    r = fam.post(f"/care/away/{scene.household.pk}/", {"starts": timezone.localdate()})
    assert "Please choose why and fill in the dates." in english(text(r))


def test_device_form_in_english(scene, world):
    cw = as_user(world["community_worker"])
    html = english(text(cw.get("/care/devices/new/")))
    assert "<h1>Register a care device</h1>" in html and "← Back to the board" in html
    assert "Serial number" in html and "Room number" in html and "No gateway" in html
    r = cw.post("/care/devices/new/", {"serial": "E-1"})
    assert "Please check the fields below." in english(text(r))


@pytest.mark.clock("12:00")  # the month's services: a month must not end mid-test
def test_service_form_in_english(scene, world):
    gw = as_user(world["grid_worker"])
    html = english(text(gw.get("/care/services/new/")))
    assert "<h1>Record a home service</h1>" in html and ">Next</button>" in html
    html = english(text(gw.get(f"/care/services/new/?resident={scene.resident.pk}")))
    assert "Ability level:" in html and "Due for this level:" in html
    assert "1 recorded this month: Bathing at home (" in html and "Bathing at home" in html
    r = gw.post("/care/services/new/", {"resident": scene.resident.pk})
    assert "Please choose the service" in english(text(r))


# Chinese stays as it was ---------------------------------------------------------------------


def test_default_pages_are_still_chinese(scene, world):
    html = text(as_user(world["grid_worker"], lang=None).get("/care/"))
    assert '<html lang="zh-hans">' in html
    assert "<h1>看护提醒</h1>" in html and ">接单</button>" in html and "上门期限" in html
    assert "还剩" in html and "Care alerts" not in html
    html = text(as_user(world["community_worker"], lang=None).get("/care/board/"))
    assert "智慧养老看板 · 甲社区" in html and "待处理的看护提醒" in html
    assert timezone.localdate().strftime("%Y年") in html and "Elderly care board" not in html
    html = text(as_user(scene.family, lang=None).get("/care/family/"))
    assert "家里的设备" in html and "电量 80%" in html and "Devices at home" not in html
    html = text(as_user(scene.family, lang=None).get(f"/care/away/{scene.household.pk}/"))
    assert "离家日期" in html and "登记外出" in html
