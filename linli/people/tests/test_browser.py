"""PEOPLE-3 in a real chromium: a grid worker finds a resident, sees only basic data, asks to see
health data with a purpose; the secretary approves; the grid worker now sees it."""

import pytest

from conftest import screenshot
from linli.casework.tests.test_browser import click_and_wait, sign_in
from linli.people.models import Resident

pytestmark = pytest.mark.browser


def test_grant_flow_in_the_browser(live_server, live_world, browser):
    r = Resident.objects.get(full_name="王秀英")
    r.phone, r.phone_masked, r.health_conditions = "13812345678", "138****5678", "阵发性房颤"
    r.save()
    base = live_server.url
    worker = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN"
    ).new_page()
    sign_in(worker, base, "grid_worker")
    worker.get_by_role("link", name="居民档案").click()
    worker.wait_for_url(f"{base}/people/")
    assert "138****5678" in worker.content() and "13812345678" not in worker.content()
    screenshot(worker, "people-list-grid-worker")
    worker.get_by_role("link", name="王秀英").click()
    assert "阵发性房颤" not in worker.content()
    assert "健康信息" in worker.locator("main").inner_text()
    screenshot(worker, "people-record-basic")
    worker.get_by_role("link", name="申请查看").click()
    worker.get_by_label("健康信息").check()
    worker.get_by_label("用途").fill("上门核实慢病补贴")
    screenshot(worker, "people-grant-request")
    click_and_wait(worker, "提交申请")
    assert "申请已提交" in worker.content()

    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    sign_in(desk, base, "secretary")
    desk.get_by_role("link", name="数据访问审批").click()
    assert "上门核实慢病补贴" in desk.content()
    screenshot(desk, "people-grants-secretary")
    click_and_wait(desk, "批准")
    assert "已批准" in desk.content()

    worker.goto(f"{base}/people/{r.pk}/")
    assert "阵发性房颤" in worker.content()
    screenshot(worker, "people-record-granted")
