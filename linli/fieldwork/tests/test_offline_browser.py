"""The grid worker's pages in a real chromium at phone size with the network cut: a visit
and a patrol report with a photo recorded offline wait in the outbox, and arrive once when
the signal returns; a stuck item does not block the others and can be discarded alone."""

import io

import pytest
from PIL import Image
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from conftest import screenshot, sign_in
from linli.casework.models import CasePhoto
from linli.fieldwork.models import PatrolReport, Visit
from linli.fieldwork.tests.helpers import field_world
from linli.testing.axe import axe_check

pytestmark = pytest.mark.browser


def big_jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (3200, 2400), (90, 130, 200)).save(buf, "JPEG")
    return buf.getvalue()


def outbox_states(page):
    return page.locator("[data-testid=outbox] li").evaluate_all(
        "els => els.map(e => e.dataset.state)"
    )


def test_visit_and_report_offline_then_once_online(live_server, live_world, phone):
    fw = field_world(live_world)
    base = live_server.url
    sign_in(phone, base, "grid_worker")
    phone.goto(f"{base}/fieldwork/today/")
    assert phone.evaluate("navigator.serviceWorker.ready.then(r => !!r.active)")
    phone.reload()  # now controlled by the service worker, pages cached
    assert phone.evaluate("!!navigator.serviceWorker.controller")
    screenshot(phone, "fieldwork-today-phone")
    axe_check(phone)

    phone.context.set_offline(True)
    phone.reload()  # served from the cache without signal
    assert "没有网络" in phone.get_by_test_id("net").inner_text()
    card = phone.locator("[data-testid=task][data-kind=visit]", has_text="赵独居")
    card.get_by_role("button", name="到门口了").click()
    card.get_by_role("button", name="见到本人").click()
    expect(phone.locator("[data-testid=outbox] li")).to_have_count(1, timeout=20000)

    phone.get_by_role("link", name="主动上报").click()
    phone.wait_for_selector("#report-form")
    phone.locator("#category").select_option("01-10")
    phone.get_by_label("问题描述").fill("3幢东侧暴露垃圾")
    phone.locator("#building").select_option(label="甲社区1号网格 · 3幢")
    phone.locator("#photos").set_input_files(
        files=[{"name": "p.jpg", "mimeType": "image/jpeg", "buffer": big_jpeg()}]
    )
    phone.get_by_test_id("report-submit").click()
    expect(phone.locator("[data-testid=outbox] li")).to_have_count(2, timeout=20000)
    assert outbox_states(phone) == ["waiting", "waiting"]
    screenshot(phone, "fieldwork-outbox-offline-phone")
    assert not Visit.objects.exists() and not PatrolReport.objects.exists()

    phone.context.set_offline(False)  # the `online` event uploads both
    expect(phone.locator("[data-testid=outbox] li")).to_have_count(0, timeout=20000)
    assert Visit.objects.filter(resident=fw.alone, outcome="seen").count() == 1
    report = PatrolReport.objects.get()
    assert report.case.channel == "proactive" and report.case.category.code == "01-10"
    photo = CasePhoto.objects.get(case=report.case)
    assert max(photo.width, photo.height) <= 2000  # downscaled on the phone
    # Opening the app again sends nothing twice.
    phone.goto(f"{base}/fieldwork/outbox/")
    phone.evaluate("window.linliOutbox.flush()")
    assert Visit.objects.count() == 1 and PatrolReport.objects.count() == 1
    screenshot(phone, "fieldwork-outbox-empty-phone")


def test_a_stuck_item_does_not_block_the_others(live_server, live_world, phone):
    fw = field_world(live_world)
    base = live_server.url
    sign_in(phone, base, "grid_worker")
    phone.goto(f"{base}/fieldwork/outbox/")
    phone.context.set_offline(True)
    # Another grid's resident (refused by the server), then two good visits.
    phone.evaluate(
        """async ([bad, a, b]) => {
          await window.linliOutbox.queue("visit", {resident_id: bad, outcome: "seen"}, "bad");
          await window.linliOutbox.queue("visit", {resident_id: a, outcome: "seen"}, "a");
          await window.linliOutbox.queue("visit", {resident_id: b, outcome: "not_home"}, "b");
        }""",
        [fw.a2_resident.pk, fw.alone.pk, fw.semi.pk],
    )
    phone.context.set_offline(False)
    expect(phone.locator("[data-testid=outbox] li")).to_have_count(1, timeout=20000)
    assert outbox_states(phone) == ["stuck"]
    assert "没有找到这位居民" in phone.get_by_test_id("outbox").inner_text()
    assert set(Visit.objects.values_list("resident_id", flat=True)) == {fw.alone.pk, fw.semi.pk}
    screenshot(phone, "fieldwork-outbox-stuck-phone")
    phone.on("dialog", lambda d: d.accept())
    phone.get_by_test_id("outbox").get_by_role("button", name="放弃").click()
    expect(phone.locator("[data-testid=outbox] li")).to_have_count(0, timeout=20000)
    assert Visit.objects.count() == 2


def test_report_and_coverage_pages_pass_axe(live_server, live_world, phone, desktop):
    field_world(live_world)
    base = live_server.url
    sign_in(phone, base, "grid_worker")
    phone.goto(f"{base}/fieldwork/report/")
    axe_check(phone)
    screenshot(phone, "fieldwork-report-phone")
    phone.goto(f"{base}/fieldwork/tracks/")
    axe_check(phone)
    sign_in(desktop, base, "community_worker")
    desktop.goto(f"{base}/fieldwork/coverage/")
    assert "有效上报率 = " in desktop.get_by_test_id("definitions").inner_text()
    axe_check(desktop)
    screenshot(desktop, "fieldwork-coverage-desktop")


def test_tracks_recorded_only_after_opting_in(live_server, live_world, browser):
    from linli.fieldwork.models import TrackConsent, TrackPoint

    field_world(live_world)
    base = live_server.url
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        locale="zh-CN",
        permissions=["geolocation"],
        geolocation={"latitude": 30.2712, "longitude": 120.1212},
    )
    page = context.new_page()
    sign_in(page, base, "grid_worker")
    page.goto(f"{base}/fieldwork/today/")
    page.wait_for_timeout(1500)
    assert not TrackPoint.objects.exists()  # not opted in: nothing is sent
    page.goto(f"{base}/fieldwork/tracks/")
    page.get_by_label("开启巡查轨迹").check()
    page.get_by_label("上班时间").fill("00:00")  # any time of day is working time here
    page.get_by_label("下班时间").fill("23:59")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"{base}/fieldwork/tracks/")
    assert TrackConsent.objects.get().enabled
    page.goto(f"{base}/fieldwork/today/")
    expect(page.locator("[data-testid=outbox] li")).to_have_count(0, timeout=20000)
    page.wait_for_timeout(500)
    assert TrackPoint.objects.count() == 1
    context.close()


def test_signing_out_forgets_the_pages_kept_offline(live_server, live_world, phone):
    """A shared phone: after the grid worker signs out, the list that names residents is no
    longer in the phone's cache, so nobody opens it without signal; a record still waiting
    in the outbox stays there (nothing typed is lost)."""
    field_world(live_world)
    base = live_server.url
    sign_in(phone, base, "grid_worker")
    phone.goto(f"{base}/fieldwork/today/")
    assert phone.evaluate("navigator.serviceWorker.ready.then(r => !!r.active)")
    phone.reload()
    cached = """async () => {
        const urls = [];
        for (const key of await caches.keys()) {
            for (const req of await (await caches.open(key)).keys()) urls.push(req.url);
        }
        return urls;
    }"""
    assert any("/fieldwork/today/" in u for u in phone.evaluate(cached))
    phone.context.set_offline(True)
    card = phone.locator("[data-testid=task][data-kind=visit]").first
    card.get_by_role("button", name="到门口了").click()
    card.get_by_role("button", name="不在家").click()
    expect(phone.locator("[data-testid=outbox] li")).to_have_count(1, timeout=20000)
    phone.route("**/api/fieldwork/**", lambda route: route.abort())  # keep it waiting
    phone.context.set_offline(False)
    with phone.expect_navigation():
        phone.get_by_role("button", name="退出").click()
    assert not any("/fieldwork/" in u for u in phone.evaluate(cached))
    waiting = """() => new Promise((ok) => {
        const open = indexedDB.open("linli-fieldwork");
        open.onsuccess = () => {
            const db = open.result;
            const names = Array.from(db.objectStoreNames);
            if (!names.length) return ok(0);
            const count = db.transaction(names[0]).objectStore(names[0]).count();
            count.onsuccess = () => ok(count.result);
        };
        open.onerror = () => ok(-1);
    })"""
    assert phone.evaluate(waiting) == 1
    phone.context.set_offline(True)
    try:
        phone.goto(f"{base}/fieldwork/today/")
        shown = phone.content()
    except PlaywrightError:  # nothing kept to show: the browser's own offline error
        shown = ""
    assert "赵独居" not in shown and "例行探访" not in shown
