"""The closed loop in a real chromium: a resident reports with a photo on a phone, an
officer handles it, the grid worker verifies, the resident rates it (CASE-1..9)."""

import pytest
from PIL import Image

from conftest import click_and_wait, screenshot, sign_in
from linli.casework.models import Case
from linli.casework.services.categories import categories_ensure_defaults

pytestmark = pytest.mark.browser


@pytest.fixture
def photo_file(tmp_path):
    path = tmp_path / "rubbish.jpg"
    Image.new("RGB", (800, 600), (120, 160, 90)).save(path, "JPEG")
    return path


def test_report_handle_verify_rate(live_server, live_world, browser, photo_file):
    categories_ensure_defaults(actor=None)
    base = live_server.url
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    ).new_page()
    sign_in(phone, base, "resident")
    phone.get_by_role("link", name="我要反映").click()
    phone.wait_for_url(f"{base}/cases/new/")
    phone.get_by_text("暴露垃圾").click()
    phone.locator("#pickmap path").first.click()
    assert "已选择位置" in phone.get_by_test_id("picked").inner_text()
    phone.get_by_label("3. 说一句话").fill("1幢楼下垃圾堆了三天")
    phone.set_input_files("#id_photos", str(photo_file))
    screenshot(phone, "case-report-phone")
    click_and_wait(phone, "提交")
    no = phone.get_by_test_id("tracking-no").inner_text()
    assert phone.get_by_test_id("case-status").inner_text() == "已受理"
    assert phone.get_by_test_id("photo-report").is_visible()
    case = Case.objects.get(tracking_no=no)
    assert case.grid == live_world.grid_a1 and case.photos.count() == 1
    screenshot(phone, "case-detail-resident")

    desk = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(desk, base, "dept_officer")
    desk.goto(f"{base}/cases/queue/")
    desk.get_by_role("link", name=no).click()
    for step in ("立案", "派遣", "开始处置"):
        click_and_wait(desk, step)
    desk.get_by_label("处置情况").fill("已清运完毕")
    click_and_wait(desk, "反馈处置结果")
    assert desk.get_by_test_id("case-status").inner_text() == "已反馈"
    screenshot(desk, "case-detail-officer")

    gw = browser.new_context().new_page()
    sign_in(gw, base, "grid_worker")
    gw.goto(f"{base}/cases/{no}/")
    click_and_wait(gw, "核查通过")
    desk.reload()
    click_and_wait(desk, "结案")
    assert desk.get_by_test_id("case-status").inner_text() == "已结案"

    phone.reload()
    phone.get_by_label("非常满意").check()
    screenshot(phone, "case-rate-phone")
    click_and_wait(phone, "提交评价")
    assert phone.get_by_test_id("case-status").inner_text() == "已评价"
    timeline = phone.get_by_test_id("timeline").inner_text()
    assert "dept_officer" not in timeline  # residents see units, not officers' names
    case.refresh_from_db()
    assert case.rating == 5 and case.level
    screenshot(phone, "case-rated-phone")


def test_duplicate_is_offered_before_submitting(live_server, live_world, browser):
    from linli.casework.services.intake import CaseInput, case_submit

    categories_ensure_defaults(actor=None)
    first = case_submit(
        actor=live_world["resident"], data=CaseInput("01-10", "垃圾没人清", 30.2725, 120.1225)
    )
    base = live_server.url
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(page, base, "volunteer")
    page.goto(f"{base}/cases/new/")
    page.get_by_text("暴露垃圾").click()
    page.locator("#pickmap path").first.click()  # the centre of grid A1, where the first case is
    nearby = page.get_by_test_id("nearby")
    nearby.wait_for(state="visible")
    assert "已有 1 人反映" in nearby.inner_text()
    screenshot(page, "case-nearby-phone")
    page.get_by_role("button", name="我也遇到").click()
    page.get_by_text(f"已记录,谢谢您。受理编号 {first.tracking_no}").wait_for()
    first.refresh_from_db()
    assert first.me_too_count == 1
    assert Case.objects.count() == 1
