"""The ledger in a real chromium on a phone: hours recorded and confirmed, a reward
redeemed with its voucher code, the public fund page (LEDGER-1..3)."""

import pytest

from conftest import screenshot, sign_in
from linli.ledger.models import DonorKind, Reward, Voucher
from linli.ledger.services.funds import (
    donation_record,
    matching_cap_set,
    project_decide,
    project_disburse,
    project_propose,
)
from linli.ledger.tests.programme_helpers import give_points, key, reward, today

pytestmark = pytest.mark.browser


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def phone_context(browser):
    return browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )


def test_volunteer_records_resident_confirms_balance_shows(live_server, live_world, phone, browser):
    base = live_server.url
    sign_in(phone, base, "volunteer")
    phone.get_by_role("link", name="时间银行与积分").click()
    phone.get_by_role("link", name="登记服务时长").first.click()
    phone.wait_for_url(f"{base}/ledger/time/record/")
    phone.get_by_label("1. 服务对象").select_option(label="王秀英(1幢)")
    phone.get_by_label("2. 服务内容").fill("陪同就医")
    phone.get_by_label("4. 服务时长").select_option(label="1 小时 30 分钟")
    assert fits(phone)
    screenshot(phone, "ledger-record-phone")
    with phone.expect_navigation():
        phone.get_by_test_id("submit-record").click()
    assert "等待对方确认" in phone.locator(".messages").inner_text()
    assert phone.get_by_test_id("time-balance").inner_text() == "0分钟"

    context = phone_context(browser)
    elder = context.new_page()
    sign_in(elder, base, "resident")
    elder.goto(f"{base}/ledger/time/")
    box = elder.get_by_test_id("to-confirm")
    assert "陪同就医" in box.inner_text() and "1小时30分钟" in box.inner_text()
    button = elder.get_by_role("button", name="确认属实")
    size = button.bounding_box()
    assert size is not None and size["height"] >= 44  # a big target
    screenshot(elder, "ledger-confirm-phone")
    with elder.expect_navigation():
        button.click()
    assert "已确认" in elder.locator(".messages").inner_text()
    context.close()

    phone.goto(f"{base}/ledger/time/")
    assert phone.get_by_test_id("time-balance").inner_text() == "1小时30分钟"
    assert "已确认" in phone.get_by_test_id("my-records").inner_text()
    screenshot(phone, "ledger-time-balance-phone")


def test_redeem_a_reward_and_see_the_code(live_server, live_world, phone):
    give_points(live_world["resident"], 120)
    reward(live_world, price=50, stock=3, name="理发券")
    reward(live_world, price=500, stock=1, name="物业费抵扣50元")
    base = live_server.url
    sign_in(phone, base, "resident")
    phone.goto(f"{base}/ledger/rewards/")
    assert phone.get_by_test_id("points-balance").inner_text() == "120"
    assert "积分还不够" in phone.get_by_test_id("rewards").inner_text()
    screenshot(phone, "ledger-rewards-phone")
    phone.get_by_text("兑换「理发券」").click()  # asks first: points are spent once
    assert "将用去 50 分,还剩 70 分" in phone.get_by_test_id("rewards").inner_text()
    with phone.expect_navigation():
        phone.get_by_role("button", name="确定兑换").click()
    voucher = Voucher.objects.get()
    code = phone.get_by_test_id("voucher-code")
    assert code.inner_text() == voucher.code_display
    font = code.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
    assert font >= 30  # large enough to read out at the counter
    assert fits(phone)
    screenshot(phone, "ledger-voucher-phone")
    phone.goto(f"{base}/ledger/points/")
    assert phone.get_by_test_id("points-balance").inner_text() == "70 分"


def test_public_fund_page_on_a_phone(live_server, live_world, phone):
    w = live_world
    matching_cap_set(
        actor=w["street_admin"], community=w.community_a, year=today().year, cap=500_000
    )
    for name, kind, amount, anonymous in (
        ("西溪科技有限公司", DonorKind.ENTERPRISE, 1_000_000, False),
        ("王秀英", DonorKind.RESIDENT, 20_000, True),
    ):
        donation_record(
            actor=w["community_worker"],
            community=w.community_a,
            donor_name=name,
            donor_kind=kind,
            amount=amount,
            anonymous=anonymous,
            idempotency_key=key(),
        )
    project = project_propose(
        actor=w["community_worker"],
        community=w.community_a,
        name="老旧小区加装扶手",
        budget=800_000,
        idempotency_key=key(),
    )
    project_decide(actor=w["secretary"], project=project, approve=True)
    project_disburse(
        actor=w["community_worker"],
        project=project,
        amount=300_000,
        memo="首期材料款",
        idempotency_key=key(),
    )
    base = live_server.url
    phone.goto(f"{base}/ledger/funds/")  # no login
    with phone.expect_navigation():
        phone.get_by_role("link", name="甲社区").click()
    fund = phone.get_by_test_id("fund-fund")
    assert phone.get_by_test_id("fund-in").inner_text() == "15,200.00 元"
    assert phone.get_by_test_id("fund-out").inner_text() == "3,000.00 元"
    assert phone.get_by_test_id("fund-balance").inner_text() == "12,200.00 元"
    text = fund.inner_text()
    assert "西溪科技有限公司" in text and "匿名" in text and "王秀英" not in text
    assert "政府1:1配套" in text and "老旧小区加装扶手" in text
    assert fits(phone)
    screenshot(phone, "ledger-public-fund-phone")


def test_merchant_marks_used_and_staff_pages(live_server, live_world, phone, desktop):
    from linli.demo.ledger import seed_ledger
    from linli.ledger.services.points import reward_redeem
    from linli.ledger.tests.programme_helpers import elder_without_phone

    elder_without_phone(live_world)
    seed_ledger(street=live_world.street)
    barber = live_world["resident"]
    voucher = reward_redeem(
        actor=barber, reward=Reward.objects.get(name="理发券"), idempotency_key=key()
    )
    base = live_server.url
    sign_in(phone, base, "partner")
    phone.get_by_role("link", name="时间银行与积分").click()
    phone.get_by_role("link", name="兑换券核销").click()
    phone.get_by_label("兑换码").fill(voucher.code_display.lower())
    with phone.expect_navigation():
        phone.get_by_role("button", name="核销").click()
    assert "核销成功" in phone.get_by_test_id("use-ok").inner_text()
    phone.get_by_label("兑换码").fill(voucher.code)
    with phone.expect_navigation():
        phone.get_by_role("button", name="核销").click()
    assert "不能重复使用" in phone.get_by_test_id("use-error").inner_text()
    assert fits(phone)
    screenshot(phone, "ledger-merchant-phone")

    sign_in(desktop, base, "community_worker")
    desktop.goto(f"{base}/ledger/staff/funds/")
    assert "老旧小区楼道加装扶手" in desktop.get_by_test_id("projects").inner_text()
    screenshot(desktop, "ledger-staff-funds-desktop")
    desktop.goto(f"{base}/ledger/staff/points/")
    assert "理发券" in desktop.get_by_test_id("catalogue").inner_text()
    screenshot(desktop, "ledger-staff-points-desktop")
