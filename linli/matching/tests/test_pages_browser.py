"""Matching in a real chromium: a resident publishes a need on a phone, community staff run
matching and review the proposal before sending it (desktop), the volunteer accepts from the
invitation with one tap and, after the service, records it; the resident confirms and the
hours reach the volunteer's time bank."""

import datetime as dt

import pytest
from django.utils import timezone

from conftest import click_and_wait, screenshot, sign_in
from linli.ledger.choices import Book
from linli.ledger.services.posting import account_for_user
from linli.matching.choices import MatchStatus, NeedStatus
from linli.matching.models import Match, Need
from linli.matching.tests.helpers import add_volunteer, match_world

pytestmark = [pytest.mark.browser, pytest.mark.clock("10:00")]


def test_need_matching_invitation_service_confirmation(
    live_server, live_world, desktop, phone, browser, clock
):
    mw = match_world(live_world)
    add_volunteer(mw, "far_volunteer", lat=30.2850)  # the runner-up, further away
    base = live_server.url
    noon = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
    # 1. 王秀英 publishes a need on her phone, in elder mode.
    sign_in(phone, base, "resident")
    phone.goto(f"{base}/")
    phone.get_by_role("link", name="找帮手 · 订场地").click()
    phone.get_by_test_id("elder-toggle").click()
    phone.wait_for_load_state()
    phone.get_by_label("需要什么帮助").select_option(label="家电维修")
    phone.get_by_label("说一句具体的事").fill("冰箱不制冷,想请人看看")
    phone.get_by_label("什么时候").fill(noon.strftime("%Y-%m-%dT%H:%M"))
    screenshot(phone, "matching-need-form-phone-elder")
    click_and_wait(phone, "发布需求")
    assert "需求已发布" in phone.content()
    need = Need.objects.get()
    assert phone.get_by_test_id("need-status").first.inner_text() == "待匹配"
    box = phone.get_by_test_id("publish").bounding_box()
    assert box is not None and box["height"] >= 44
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "matching-my-needs-phone-elder")
    # 2. The community worker runs matching and reviews the proposal before sending it.
    sign_in(desktop, base, "community_worker")
    desktop.goto(f"{base}/matching/staff/")
    desktop.get_by_label("从").fill(timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    click_and_wait(desktop, "计算最优匹配方案(先审核再发送)")
    proposal = desktop.get_by_test_id("proposal").first
    assert "volunteer" in proposal.inner_text() and "距离" in proposal.inner_text()
    assert "次选:far_volunteer·志愿者" in proposal.inner_text()
    assert Match.objects.get(need=need).status == MatchStatus.PROPOSED  # nothing sent yet
    screenshot(desktop, "matching-run-review-desktop")
    click_and_wait(desktop, "审核无误,发送邀请")
    assert desktop.get_by_test_id("run-status").inner_text() == "已发送"
    # 3. The volunteer sees why they were chosen and accepts in one tap.
    vol = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN"
    ).new_page()
    sign_in(vol, base, "volunteer")
    vol.goto(f"{base}/matching/invitations/")
    card = vol.get_by_test_id("invitation")
    assert "冰箱不制冷" in card.inner_text()
    card.get_by_text("为什么是我").click()
    assert "技能匹配" in card.get_by_test_id("terms").inner_text()
    assert "次选人选得分低" in card.get_by_test_id("why").inner_text()
    assert "far_volunteer" not in vol.content()  # the volunteer is not told who else
    accept = vol.get_by_test_id("accept")
    box = accept.bounding_box()
    assert box is not None and box["height"] >= 44
    assert vol.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(vol, "matching-invitation-phone")
    with vol.expect_navigation():
        accept.click()
    assert "已接受" in vol.content()
    assert Need.objects.get().status == NeedStatus.ACCEPTED
    # 4. After the service the volunteer records it; 王秀英 confirms it.
    clock.move_to(noon + dt.timedelta(hours=1, minutes=10))
    vol.reload()
    vol.get_by_label("服务了多少分钟").fill("50")
    click_and_wait(vol, "登记已服务")
    assert "等待对方确认" in vol.content()
    screenshot(vol, "matching-schedule-phone")
    vol.context.close()
    phone.goto(f"{base}/matching/")
    assert phone.get_by_test_id("need-status").first.inner_text() == "待确认"
    click_and_wait(phone, "服务已完成,确认")
    assert "已确认" in phone.content()
    assert phone.get_by_test_id("need-status").first.inner_text() == "已完成"
    screenshot(phone, "matching-confirmed-phone-elder")
    assert account_for_user(user=mw["volunteer"], book=Book.TIME).balance == 50


def test_find_a_free_room_book_it_weekly_and_see_idle_rates(
    live_server, live_world, phone, desktop, clock
):
    """A resident finds a free room on a phone and books it for four weeks (a taken date is
    skipped and named); staff see the bookings calendar and the idle rates."""
    from linli.matching.choices import ResourceKind
    from linli.matching.models import Booking
    from linli.matching.services import bookings, pool

    mw = match_world(live_world)
    room = pool.resource_create(
        actor=mw["community_worker"],
        data=pool.ResourceInput(
            kind=ResourceKind.VENUE,
            name="社区活动室",
            category="meeting",
            community_id=live_world.community_a.pk,
            capacity=40,
            hours=[[d, "08:00", "21:00"] for d in range(7)],
        ),
    )
    day = timezone.localdate() + dt.timedelta(days=1)
    tz = timezone.get_current_timezone()
    taken = dt.datetime.combine(day + dt.timedelta(weeks=2), dt.time(14), tz)
    bookings.booking_create(
        actor=mw["volunteer"],
        resource_id=room.pk,
        starts_at=taken,
        ends_at=taken + dt.timedelta(hours=2),
        people=10,
        purpose="读书会",
    )
    base = live_server.url
    sign_in(phone, base, "resident")
    phone.goto(f"{base}/matching/bookings/")
    phone.get_by_label("开始时间").fill(f"{day.isoformat()}T14:00")
    phone.get_by_label("人数").fill("12")
    click_and_wait(phone, "查找")
    free = phone.get_by_test_id("free")
    assert "社区活动室" in free.inner_text()
    free.get_by_label("用途").fill("合唱排练")
    free.get_by_label("每周重复(周数,1 为只订这一次)").fill("4")
    click_and_wait(phone, "预约")
    assert "预约成功 3 次" in phone.content() and "该时段已被预约" in phone.content()
    assert Booking.objects.filter(booked_by=mw["resident"]).count() == 3
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "matching-bookings-phone")
    sign_in(desktop, base, "community_worker")
    desktop.goto(f"{base}/matching/bookings/")
    assert "resident" in desktop.get_by_test_id("calendar").inner_text()
    screenshot(desktop, "matching-bookings-calendar-desktop")
    desktop.goto(f"{base}/matching/idle/")
    assert "社区活动室" in desktop.get_by_test_id("idle").inner_text()
    screenshot(desktop, "matching-idle-desktop")
    desktop.goto(f"{base}/matching/staff/")
    screenshot(desktop, "matching-staff-desktop")
