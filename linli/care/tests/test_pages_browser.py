"""The care pages in a real chromium: the grid worker answers a one-key call on a phone, the
daughter registers a hospital stay on hers, the community worker reads the board and
registers a device (CARE-1, CARE-4..7)."""

import datetime as dt

import pytest
from django.utils import timezone

from conftest import click_and_wait, screenshot, sign_in
from linli.care.models import Alert, AlertStatus, AwayPeriod, Device, HomeService, Outcome
from linli.care.services.calls import button_pressed
from linli.care.tests.care_helpers import make_care, open_alert

pytestmark = pytest.mark.browser


def test_grid_worker_answers_a_call_on_the_phone(live_server, live_world, phone):
    care = make_care(live_world)
    open_alert(care)  # a no-water alert waiting as well
    press = button_pressed(device_id=care.button.pk, at=timezone.now().replace(microsecond=0))
    call = press.alert
    base = live_server.url
    sign_in(phone, base, "grid_worker")
    phone.goto(f"{base}/care/")
    card = phone.get_by_test_id(f"alert-{call.pk}")
    assert "一键呼叫" in card.inner_text() and "王秀英" in card.inner_text()
    assert phone.get_by_test_id("open-count").inner_text() == "2"
    # The 接单 button is a big target on a phone.
    box = card.get_by_role("button", name="接单").bounding_box()
    assert box["height"] >= 48 and box["width"] >= 140
    screenshot(phone, "care-worker-phone")
    with phone.expect_navigation():
        card.get_by_role("button", name="接单").click()
    assert phone.get_by_test_id("alert-status").inner_text() == "已接单"
    assert "30.27250" in phone.content() and call.evidence["case"] in phone.content()
    # Without an outcome the browser itself stops the form (the server check is tested in
    # test_pages.py); nothing changes.
    detail_url = phone.url
    phone.get_by_role("button", name="办结", exact=True).click()
    assert phone.url == detail_url
    assert phone.locator("input[name=outcome]:invalid").count() == 4
    assert Alert.objects.get(pk=call.pk).status == AlertStatus.ACKNOWLEDGED
    phone.get_by_label("平安").check()
    phone.get_by_label("说明(需要帮助时必填)").fill("老人不小心按到了,人很好")
    screenshot(phone, "care-alert-close-phone")
    click_and_wait(phone, "办结")
    assert phone.url == f"{base}/care/"
    assert "已办结" in phone.content()
    assert phone.get_by_test_id("open-count").inner_text() == "1"
    screenshot(phone, "care-worker-after-phone")
    closed = Alert.objects.get(pk=call.pk)
    assert closed.status == AlertStatus.CLOSED and closed.outcome == Outcome.SAFE
    # While there: record a bath for her from the short-of-services list.
    phone.get_by_test_id("short-list").get_by_role("link", name="登记服务").click()
    phone.wait_for_url(f"{base}/care/services/new/?resident={care.resident.pk}")
    assert phone.get_by_test_id("suggested").inner_text() == "上门助浴"
    phone.get_by_label("上门助浴").check()
    phone.get_by_label("服务人员或单位").fill("幸福里助浴队")
    screenshot(phone, "care-service-phone")
    click_and_wait(phone, "登记")
    assert "已登记 王秀英 的上门服务" in phone.content()
    assert "本月 1 次,还差 1 次" in phone.get_by_test_id("short-list").inner_text()
    assert HomeService.objects.get().provider_name == "幸福里助浴队"


def test_daughter_registers_a_hospital_stay(live_server, live_world, phone):
    care = make_care(live_world)
    Device.objects.filter(serial="W-1").update(last_seen_at=timezone.now(), battery=76)
    open_alert(care)
    base = live_server.url
    sign_in(phone, base, "family")
    phone.goto(f"{base}/care/family/")
    section = phone.get_by_test_id(f"relative-{care.resident.pk}")
    assert "王秀英" in section.inner_text() and "12小时无用水" in section.inner_text()
    screenshot(phone, "care-family-phone")
    phone.get_by_role("link", name="登记外出").click()
    phone.wait_for_url(f"{base}/care/away/{care.household.pk}/")
    phone.get_by_label("住院").check()
    today = timezone.localdate()
    phone.get_by_label("离家日期").fill(today.isoformat())
    phone.get_by_label("回家日期").fill((today - dt.timedelta(days=2)).isoformat())
    click_and_wait(phone, "登记")
    assert "结束时间要晚于开始时间" in phone.get_by_test_id("error").inner_text()
    phone.get_by_label("回家日期").fill((today + dt.timedelta(days=7)).isoformat())
    screenshot(phone, "care-away-phone")
    click_and_wait(phone, "登记")
    assert phone.url == f"{base}/care/family/"
    assert "住院" in phone.content() and "已经回家了" in phone.content()
    # The open welfare alert was explained by the hospital stay and cleared.
    assert "目前没有需要处理的提醒" in phone.content()
    phone.get_by_test_id("elder-toggle").click()
    phone.wait_for_load_state()
    screenshot(phone, "care-family-elder-phone")
    assert AwayPeriod.objects.get().set_by == care.family


def test_community_worker_board_and_device_registration(live_server, live_world, desktop):
    care = make_care(live_world)
    Device.objects.filter(serial="W-1").update(last_seen_at=timezone.now(), battery=80)
    open_alert(care)
    base = live_server.url
    sign_in(desktop, base, "community_worker")
    desktop.goto(f"{base}/care/board/")
    assert desktop.get_by_test_id("stat-alerts").inner_text() == "1"
    assert "王秀英" in desktop.get_by_test_id("board-short").inner_text()
    screenshot(desktop, "care-board-desktop")
    desktop.get_by_role("link", name="登记设备").click()
    desktop.wait_for_url(f"{base}/care/devices/new/")
    desktop.get_by_label("设备编号").fill("M-9")
    desktop.get_by_label("设备类型").select_option("motion")
    desktop.get_by_label("楼栋").select_option(label="甲社区1号网格 1幢")
    desktop.get_by_label("单元(没有可不填)").fill("1单元")
    desktop.get_by_label("门牌号").fill("101")
    desktop.get_by_label("安装位置(选填,如 厨房、卧室门口)").fill("客厅")
    click_and_wait(desktop, "登记")
    assert "已登记 红外人体感应 M-9" in desktop.content()
    screenshot(desktop, "care-device-desktop")
    assert Device.objects.get(serial="M-9").household == care.household


def test_board_fits_a_phone(live_server, live_world, phone):
    care = make_care(live_world)
    open_alert(care)
    base = live_server.url
    sign_in(phone, base, "community_worker")
    phone.goto(f"{base}/care/board/")
    assert phone.get_by_test_id("board-precision").is_visible()
    # Wide tables scroll inside their cards; the page itself does not scroll sideways.
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    screenshot(phone, "care-board-phone")
