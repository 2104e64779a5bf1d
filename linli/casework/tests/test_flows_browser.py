"""The flows in a real chromium, axe-core on every page visited: a window case whose pin falls
in another community, a report by keyboard with location refused, "还没解决", a message that
opens its case, and an elder-mode report counted in taps (PLAT-2, CASE-1/2/8/9)."""

import pytest

from conftest import click_and_wait, screenshot, sign_in
from linli.casework.models import Case
from linli.casework.services import workflow
from linli.casework.services.categories import categories_ensure_defaults
from linli.casework.services.intake import CaseInput, case_submit
from linli.testing.axe import axe_check

pytestmark = pytest.mark.browser

B1 = (30.2725, 120.1325)  # 乙社区; the window clerk works for 甲社区


def _context(browser, *, phone=True, **extra):
    size = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
    return browser.new_context(viewport=size, locale="zh-CN", has_touch=phone, **extra)


class Taps:
    """Counts what a person does: each tap (or Enter/Space on a focused control) is one."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def tap(self, locator):
        locator.click()
        self.count += 1

    def key(self, key):
        self.page.keyboard.press(key)
        self.count += 1


def _click_map_at(page, lat, lon):
    """Click the SVG map where (lat, lon) is drawn, as a finger would."""
    page.locator("#pickmap").scroll_into_view_if_needed()
    x, y = page.evaluate(
        """([lat, lon]) => {
          const m = document.getElementById("pickmap"), d = m.dataset;
          const p = m.createSVGPoint();
          p.x = (lon - +d.minLon) * +d.kx * +d.scale; p.y = (+d.maxLat - lat) * +d.scale;
          const s = p.matrixTransform(m.getScreenCTM()); return [s.x, s.y];
        }""",
        [lat, lon],
    )
    page.mouse.click(x, y)


def test_window_case_with_a_pin_in_another_community(live_server, live_world, browser):
    categories_ensure_defaults(actor=None)
    base = live_server.url
    desk = _context(browser, phone=False).new_page()
    sign_in(desk, base, "community_worker")
    desk.goto(f"{base}/cases/window/")
    assert desk.title().startswith("代办登记")
    axe_check(desk)
    desk.get_by_label("居民姓名").fill("王秀英")
    desk.get_by_label("出生年份").fill("1946")
    click_and_wait(desk, "查找居民档案")
    assert "将登记在这份档案下" in desk.get_by_test_id("matches").inner_text()
    axe_check(desk)
    desk.get_by_label("居民手机号").fill("13912345678")
    desk.get_by_text("噪音扰民").click()
    _click_map_at(desk, *B1)
    warning = desk.get_by_test_id("other-community")
    warning.wait_for(state="visible")
    assert "该位置属于乙社区" in warning.inner_text()  # said before submitting
    desk.get_by_label("3. 说一句话").fill("楼上深夜噪音")
    screenshot(desk, "flows-window-other-community")
    click_and_wait(desk, "登记并打印回执")
    no = desk.get_by_test_id("receipt-no").inner_text()
    receipt = desk.get_by_test_id("receipt").inner_text()
    assert "甲社区居委会" in receipt and "办结期限" in receipt
    axe_check(desk)
    case = Case.objects.get(tracking_no=no)
    assert case.community == live_world.community_b
    desk.get_by_role("link", name="查看诉求").click()
    assert desk.get_by_test_id("tracking-no").inner_text() == no  # not "找不到该诉求"
    axe_check(desk)
    desk.goto(f"{base}/cases/queue/")
    assert desk.get_by_role("link", name=no).is_visible()
    axe_check(desk)


def test_keyboard_only_report_with_location_refused(live_server, live_world, browser):
    categories_ensure_defaults(actor=None)
    base = live_server.url
    context = _context(browser, phone=False, permissions=[])  # geolocation not granted
    page = context.new_page()
    sign_in(page, base, "resident")
    axe_check(page)
    keys = Taps(page)
    page.get_by_role("link", name="我要反映").focus()
    with page.expect_navigation():
        keys.key("Enter")
    axe_check(page)
    page.get_by_role("radio", name="暴露垃圾").focus()
    keys.key("Space")
    page.get_by_test_id("locate-me").focus()
    keys.key("Enter")
    page.get_by_text("定位失败").wait_for()  # refused: the page says what else to do
    page.get_by_label("搜小区、楼栋或路名").focus()
    page.keyboard.type("1幢")
    page.keyboard.press("Tab")  # to the first result
    keys.key("Enter")
    assert "已选择位置:甲社区 1幢" in page.get_by_test_id("picked").inner_text()
    page.locator("#pickmap").focus()  # and the pin moves by arrow keys
    keys.key("ArrowRight")
    assert "已选择位置" in page.get_by_test_id("picked").inner_text()
    page.get_by_label("3. 说一句话").focus()
    page.keyboard.type("楼下垃圾堆了三天")
    page.get_by_role("button", name="提交").focus()
    with page.expect_navigation():
        keys.key("Enter")
    assert page.get_by_test_id("case-status").inner_text() == "已受理"
    axe_check(page)
    case = Case.objects.get()
    assert case.grid == live_world.grid_a1 and case.lon > 120.1225  # moved east of 1幢
    context.close()


def _handled_case(world):
    case = case_submit(
        actor=world["resident"], data=CaseInput("01-10", "垃圾没人清", 30.2725, 120.1225)
    )
    officer = world["dept_officer"]
    workflow.case_register(actor=officer, case=case)
    workflow.case_dispatch(actor=officer, case=case, unit=world.chengguan)
    workflow.case_accept(actor=officer, case=case)
    return workflow.case_feedback(actor=officer, case=case, note="已清运")


def test_resident_answers_not_fixed(live_server, live_world, browser):
    categories_ensure_defaults(actor=None)
    case = _handled_case(live_world)
    base = live_server.url
    phone = _context(browser).new_page()
    sign_in(phone, base, "resident")
    phone.goto(f"{base}/cases/mine/")
    assert phone.get_by_test_id(f"ask-{case.tracking_no}").inner_text() == "等您确认"
    axe_check(phone)
    phone.get_by_role("link", name="暴露垃圾").first.click()
    phone.get_by_test_id("resolved-question").wait_for()
    axe_check(phone)
    phone.get_by_label("还没解决?说一句哪里不行(选填)").fill("垃圾又堆起来了")
    screenshot(phone, "flows-not-fixed-phone")
    click_and_wait(phone, "还没解决")
    assert phone.get_by_test_id("case-status").inner_text() == "处置中"
    assert "会重新处理" in phone.get_by_role("status").first.inner_text()
    assert "垃圾又堆起来了" in phone.get_by_test_id("timeline").inner_text()
    axe_check(phone)
    case.refresh_from_db()
    assert case.status == "handling"


def test_inbox_message_opens_its_case(live_server, live_world, browser):
    categories_ensure_defaults(actor=None)
    case = _handled_case(live_world)
    base = live_server.url
    phone = _context(browser).new_page()
    sign_in(phone, base, "resident")
    phone.locator("header a.inbox").click()
    phone.wait_for_url(f"{base}/core/inbox/")
    threads = phone.locator(".thread")
    assert threads.count() == 1  # four steps of one case, one thread
    assert "暴露垃圾" in threads.first.inner_text() and "处置反馈" in threads.first.inner_text()
    axe_check(phone)
    screenshot(phone, "flows-inbox-phone")
    threads.first.click()
    phone.wait_for_url(f"{base}/cases/{case.tracking_no}/")
    axe_check(phone)
    assert phone.get_by_test_id("unread").count() == 0  # opening it read the thread


def test_elder_mode_report_in_five_taps(live_server, live_world, browser):
    categories_ensure_defaults(actor=None)
    base = live_server.url
    phone = _context(browser).new_page()
    sign_in(phone, base, "resident")
    phone.get_by_test_id("elder-toggle").click()
    phone.wait_for_load_state()
    axe_check(phone)
    taps = Taps(phone)
    taps.tap(phone.get_by_role("link", name="我要反映"))
    phone.wait_for_url(f"{base}/cases/new/")
    axe_check(phone)
    header_link = phone.locator("header a.inbox").bounding_box()
    assert header_link["height"] >= 44
    taps.tap(phone.get_by_text("路灯不亮"))
    taps.tap(phone.get_by_test_id("at-home"))
    assert "1幢" in phone.get_by_test_id("picked").inner_text()
    taps.tap(phone.get_by_label("3. 说一句话"))
    phone.keyboard.type("1幢门口的路灯坏了")
    # The map is twice as wide in elder mode, in its own box: the page never scrolls sideways.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert phone.locator("#mapwrap").evaluate("e => e.scrollWidth > e.clientWidth")
    more = phone.locator("details.more")
    assert more.get_attribute("open") is None  # optional fields wait behind 更多
    more.locator("summary").click()
    box = phone.get_by_label("不留名(匿名)").bounding_box()
    assert box["width"] >= 32 and box["height"] >= 32
    more.locator("summary").click()
    screenshot(phone, "flows-elder-report-phone")
    with phone.expect_navigation():
        taps.tap(phone.get_by_role("button", name="提交"))
    assert phone.get_by_test_id("case-status").inner_text() == "已受理"
    axe_check(phone)
    assert taps.count == 5  # 我要反映, 路灯不亮, 就在我家附近, the text box, 提交
    assert Case.objects.get().category.code == "06-07"


def test_street_tiles_under_the_grids_with_gcj02(live_server, live_world, browser, settings):
    """A deployment with a tile service (here: a picture the test server serves, drawn as
    GCJ-02 like Amap's): streets under labelled grids, and a tap lands where it was made."""
    categories_ensure_defaults(actor=None)
    base = live_server.url
    settings.LINLI_MAP_TILES = [f"{base}/static/leaflet/images/layers.png?{{z}}/{{x}}/{{y}}"]
    settings.LINLI_MAP_CRS = "gcj02"
    page = _context(browser).new_page()
    sign_in(page, base, "resident")
    page.goto(f"{base}/cases/new/")
    tiles = page.get_by_test_id("tilemap")
    tiles.wait_for(state="visible")
    assert page.locator("#pickmap").is_hidden()  # the offline map steps aside
    page.locator(".leaflet-tile-loaded").first.wait_for()
    assert "甲社区1号网格" in tiles.inner_text() and "我家" in tiles.inner_text()
    axe_check(page)
    home = page.locator("#tilemap svg path").last  # the home marker, drawn last
    tiles.scroll_into_view_if_needed()
    box, frame = home.bounding_box(), tiles.bounding_box()
    tiles.click(
        position={
            "x": box["x"] + box["width"] / 2 - frame["x"],
            "y": box["y"] + box["height"] / 2 - frame["y"],
        }
    )
    assert "已选择位置" in page.get_by_test_id("picked").inner_text()
    lat = float(page.locator("#id_lat").input_value())
    lon = float(page.locator("#id_lon").input_value())
    # Shifted to GCJ-02 for the tiles (~500 m here) and back: within a few metres of 1幢.
    assert abs(lat - 30.2725) < 5e-5 and abs(lon - 120.1225) < 5e-5
    page.locator("#tilemap").focus()
    page.keyboard.press("ArrowUp")
    assert float(page.locator("#id_lat").input_value()) > lat


def test_smaller_things_public_map_queue_cards_skip_link(live_server, live_world, browser):
    """Public pages offer 登录 and tell open from closed by shape; staff tables become cards
    on a phone; the grid map has no links inside an image; a skip link; English says Linli
    once."""
    categories_ensure_defaults(actor=None)
    open_case = case_submit(
        actor=live_world["resident"], data=CaseInput("01-10", "垃圾", 30.2725, 120.1225)
    )
    done = case_submit(
        actor=live_world["resident"], data=CaseInput("06-07", "路灯", 30.2725, 120.1275)
    )
    Case.objects.filter(pk=done.pk).update(status="closed")
    base = live_server.url
    anon = _context(browser).new_page()
    anon.goto(f"{base}/cases/public/")
    assert anon.get_by_test_id("login-link").is_visible()
    assert anon.locator("#casemap circle.pin-open").count() == 1
    assert anon.locator("#casemap rect.pin-done").count() == 1
    axe_check(anon)
    anon.keyboard.press("Tab")
    assert anon.evaluate("document.activeElement.textContent") == "跳到正文"
    anon.get_by_role("button", name="English").click()
    anon.wait_for_load_state()
    assert anon.locator(".brand").inner_text().strip() == "Linli"
    assert "Rubbish left out" in anon.get_by_test_id("public-list").inner_text()
    anon.get_by_role("button", name="中文").click()
    anon.wait_for_load_state()
    anon.get_by_test_id("login-link").click()
    anon.wait_for_url(f"{base}/accounts/login/")
    axe_check(anon)
    anon.get_by_test_id("sms-login").click()
    anon.get_by_label("手机号").wait_for()
    axe_check(anon)

    staff = _context(browser).new_page()
    sign_in(staff, base, "community_worker")
    staff.goto(f"{base}/cases/queue/")
    cell = staff.get_by_role("link", name=open_case.tracking_no)
    assert cell.bounding_box()["width"] > 100  # not one character per line
    assert staff.evaluate("document.documentElement.scrollWidth") <= 390
    axe_check(staff)
    staff.goto(f"{base}/geo/map/")
    axe_check(staff)


def test_report_with_gps_in_five_taps(live_server, live_world, browser):
    categories_ensure_defaults(actor=None)
    base = live_server.url
    context = _context(
        browser,
        permissions=["geolocation"],
        geolocation={"latitude": 30.2727, "longitude": 120.1229},
    )
    phone = context.new_page()
    sign_in(phone, base, "resident")
    taps = Taps(phone)
    taps.tap(phone.get_by_role("link", name="我要反映"))
    phone.wait_for_url(f"{base}/cases/new/")
    taps.tap(phone.get_by_text("噪音扰民"))
    taps.tap(phone.get_by_test_id("locate-me"))
    phone.get_by_text("已选择位置:地图上的位置").wait_for()
    taps.tap(phone.get_by_label("3. 说一句话"))
    phone.keyboard.type("楼上深夜装修")
    with phone.expect_navigation():
        taps.tap(phone.get_by_role("button", name="提交"))
    assert phone.get_by_test_id("case-status").inner_text() == "已受理"
    axe_check(phone)
    assert taps.count == 5  # 我要反映, 噪音扰民, 用手机定位, the text box, 提交
    case = Case.objects.get()
    assert (round(case.lat, 4), round(case.lon, 4)) == (30.2727, 120.1229)
    context.close()
