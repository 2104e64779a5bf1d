"""One-stop services in a real chromium (SERVE-1..3): 王秀英 applies for her 老年证 on her
phone in elder mode with every field prefilled (the photo accepted at an earlier
application); a window clerk applies for the 80th-birthday bundle for 李桂兰, who has no
phone, with her consent, and prints the one receipt."""

import pytest
from django.utils import timezone

from conftest import click_and_wait, screenshot, sign_in
from linli.station.models import Application, Document, Receipt
from linli.station.tests.helpers import apply_as, station_world
from linli.testing.axe import axe_check

pytestmark = pytest.mark.browser


def test_resident_phone_elder_mode_and_window_bundle(live_server, live_world, phone, desktop):
    sw = station_world(live_world)
    base = live_server.url
    # An earlier, accepted application left her photo on file.
    earlier = apply_as(
        live_world["resident"],
        service_codes=["residence_proof"],
        values={"tenancy": "房产证", "reason": "办理社保"},
    ).applications.get()
    Document.objects.create(
        resident=sw.wang,
        kind="photo",
        reference="二寸照片(2026-10 社区拍摄)",
        application=earlier,
        accepted_at=timezone.now(),
    )
    # 1. The resident, on her phone, in elder mode.
    sign_in(phone, base, "resident")
    phone.get_by_test_id("elder-toggle").click()
    phone.wait_for_load_state()
    phone.get_by_role("link", name="办事服务").first.click()
    phone.wait_for_url(f"{base}/station/")
    screenshot(phone, "station-catalogue-phone-elder")
    axe_check(phone)
    phone.get_by_test_id("guide-elder_card").click()
    assert "谁能办" in phone.get_by_test_id("guide").inner_text()
    screenshot(phone, "station-guide-phone-elder")
    phone.get_by_test_id("apply").click()
    assert "已为您填好 5 项,还需填写 0 项" in phone.get_by_test_id("counts").inner_text()
    assert phone.get_by_test_id("held-id_number").inner_text() == sw.wang.id_number
    assert phone.locator("[data-testid^=input-]").count() == 0
    axe_check(phone)
    screenshot(phone, "station-apply-prefilled-phone-elder")
    click_and_wait(phone, "确认无误,提交")  # no consent ticked: refused, nothing made
    assert "请确认同意向审批部门提供以下信息" in phone.get_by_test_id("error").inner_text()
    assert not Application.objects.filter(service__code="elder_card").exists()
    for tier in ("basic", "contact", "identity"):
        phone.get_by_test_id(f"consent-{tier}").check()
    click_and_wait(phone, "确认无误,提交")
    assert "老年证办理" in phone.get_by_test_id("receipt").inner_text()
    screenshot(phone, "station-receipt-phone-elder")
    a = Application.objects.get(service__code="elder_card")
    assert {v.source for v in a.values.all()} == {"record", "document"}
    # 2. The window clerk applies for 李桂兰 (no phone) for the 80th-birthday bundle.
    sign_in(desktop, base, "community_worker")
    desktop.goto(f"{base}/station/window/")
    desktop.get_by_test_id("q").fill("李桂兰")
    desktop.get_by_test_id("find").click()
    desktop.get_by_test_id("window-bundle-turning_80").click()
    screenshot(desktop, "station-window-consent-desktop")
    axe_check(desktop)
    click_and_wait(desktop, "下一步:核对信息")  # presence not confirmed
    assert "须居民本人在场" in desktop.get_by_test_id("error").inner_text()
    desktop.get_by_test_id("present").check()
    click_and_wait(desktop, "下一步:核对信息")
    assert desktop.get_by_test_id("held-elder_card_no").inner_text() == "LN-2016-0042"
    desktop.get_by_test_id("input-bank_card").fill("社保卡(尾号 0042)")
    desktop.get_by_test_id("input-photo").fill("二寸照片 现场拍摄")
    desktop.get_by_test_id("input-hukou").fill("户口簿本人页")
    screenshot(desktop, "station-window-bundle-form-desktop")
    axe_check(desktop)
    click_and_wait(desktop, "确认无误,提交")
    receipt = Receipt.objects.get(resident=sw.li)
    items = desktop.get_by_test_id("receipt-items").inner_text()
    assert receipt.number in desktop.get_by_test_id("receipt-no").inner_text()
    for dept in ("西湖区民政局", "西湖区卫生健康局"):
        assert dept in items
    assert receipt.applications.count() == 3
    desktop.get_by_test_id("print").click()  # window.print(); headless returns at once
    desktop.emulate_media(media="print")
    assert not desktop.get_by_test_id("print").is_visible()
    screenshot(desktop, "station-receipt-print-desktop")
    desktop.emulate_media(media="screen")
    # The same receipt on a phone (the clerk's tablet or the resident's daughter's phone).
    sign_in(phone, base, "community_worker")
    phone.goto(f"{base}/station/receipt/{receipt.pk}/")
    screenshot(phone, "station-receipt-phone")
