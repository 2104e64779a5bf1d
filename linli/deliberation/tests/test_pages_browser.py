"""Deliberation in a real chromium: a resident in elder mode votes on a phone in one tap
and gets a receipt; a second adult of the household is told it already voted; the community
worker enters a paper ballot with the sheet's photo and the secretary confirms it; after
closing the secretary publishes and everyone sees the result, the public page too."""

import datetime as dt

import pytest
from django.utils import timezone

from conftest import click_and_wait, screenshot, sign_in
from linli.deliberation.models import BallotBox, Participation, Vote
from linli.deliberation.tests.helpers import assembly, delib_world, opened, sheet_photo

pytestmark = pytest.mark.browser


def test_resident_votes_staff_enter_paper_and_results_are_published(
    live_server, live_world, phone, desktop, browser, tmp_path
):
    dw = delib_world(live_world)
    vote = opened(dw, assembly(dw), code="renovation-cost", question="1幢、2幢加装电梯费用分摊方案")
    base = live_server.url
    # 1. 王秀英, on her phone in elder mode: the home tile, the open vote, one tap.
    sign_in(phone, base, "resident")
    phone.get_by_test_id("elder-toggle").click()
    phone.wait_for_load_state()
    phone.get_by_role("link", name="投票表决").first.click()
    phone.get_by_test_id("voting").get_by_role("link", name="去投票").click()
    screenshot(phone, "deliberation-ballot-phone-elder")
    click_and_wait(phone, "同意")
    assert "投票成功" in phone.content()
    receipt = phone.get_by_test_id("receipt").locator(".receipt").inner_text()
    assert len(receipt) == 16
    assert "投票截止后公布结果" in phone.content()
    screenshot(phone, "deliberation-receipt-phone-elder")
    # 2. A second adult of a household that voted is told so, with no ballot form.
    home = dw.homes[1]
    first, second = dw.adults[home.pk]
    page2 = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
    sign_in(page2, base, first.username)
    page2.goto(f"{base}/deliberation/{vote.pk}/")
    click_and_wait(page2, "反对")
    sign_in(page2, base, second.username)
    page2.goto(f"{base}/deliberation/{vote.pk}/")
    assert "已于" in page2.get_by_test_id("already").inner_text()
    assert page2.get_by_test_id("ballot").count() == 0
    page2.close()
    # 3. The community worker enters a paper ballot for household 2幢1单元201.
    photo = tmp_path / "sheet.jpg"
    photo.write_bytes(sheet_photo())
    sign_in(desktop, base, "community_worker")
    desktop.goto(f"{base}/deliberation/{vote.pk}/")
    desktop.get_by_test_id("voter-search").fill("住户1-1")
    click_and_wait(desktop, "查找")
    form = desktop.get_by_test_id("paper-form")
    form.get_by_label("选票上的选择").select_option(label="同意")
    form.get_by_label("选票照片").set_input_files(str(photo))
    screenshot(desktop, "deliberation-paper-entry-desktop")
    click_and_wait(desktop, "录入")
    assert "请另一位工作人员复核" in desktop.content()
    # The same person cannot confirm it.
    click_and_wait(desktop, "核对照片无误,复核")
    assert "录入人不能复核自己录入的选票" in desktop.content()
    assert not Participation.objects.get(channel="paper").counted
    sign_in(desktop, base, "secretary")
    desktop.goto(f"{base}/deliberation/{vote.pk}/")
    click_and_wait(desktop, "核对照片无误,复核")
    assert "已复核" in desktop.content()
    assert BallotBox.objects.count() == 3
    assert "还需" not in desktop.content()  # no quorum in this rule
    # 4. Voting closes (its window ends); the secretary publishes.
    now = timezone.now()
    Vote.objects.filter(pk=vote.pk).update(
        opens_at=now - dt.timedelta(days=1), closes_at=now - dt.timedelta(seconds=1)
    )
    desktop.goto(f"{base}/deliberation/{vote.pk}/")
    click_and_wait(desktop, "公布结果")
    result = desktop.get_by_test_id("result").inner_text()
    assert "未通过" in result  # 2 yes of 4 households < 75%
    screenshot(desktop, "deliberation-result-desktop")
    pdf = desktop.request.get(f"{base}/deliberation/{vote.pk}/notice.pdf")
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF-")
    # 5. The resident sees the result on the phone; anyone sees the public page.
    phone.goto(f"{base}/deliberation/{vote.pk}/")
    assert "未通过" in phone.get_by_test_id("result").inner_text()
    screenshot(phone, "deliberation-result-phone-elder")
    public = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
    public.goto(f"{base}/deliberation/public/{dw.world.community_a.pk}/")
    assert "1幢、2幢加装电梯费用分摊方案" in public.get_by_test_id("public-result").inner_text()
    screenshot(public, "deliberation-public-phone")
    public.close()


def test_menu_vote_on_a_phone_in_elder_mode(live_server, live_world, phone):
    dw = delib_world(live_world)
    opened(
        dw,
        assembly(dw),
        code="menu",
        question="一月邻里中心服务菜单",
        items=["义诊与血压测量", "老年人智能手机课堂", "免费理发", "书法兴趣班"],
        max_choices=2,
        winners=2,
    )
    base = live_server.url
    sign_in(phone, base, "resident")
    phone.get_by_test_id("elder-toggle").click()
    phone.wait_for_load_state()
    phone.goto(f"{base}/deliberation/")
    screenshot(phone, "deliberation-list-phone-elder")
    phone.get_by_test_id("voting").get_by_role("link", name="去投票").click()
    phone.get_by_label("老年人智能手机课堂").check()
    phone.get_by_label("免费理发").check()
    screenshot(phone, "deliberation-menu-phone-elder")
    click_and_wait(phone, "提交选择")
    assert "投票成功" in phone.content()
    assert BallotBox.objects.count() == 1


def test_meeting_page_on_a_phone(live_server, live_world, phone):
    from django.utils import timezone as tz

    from linli.deliberation.services import meetings

    dw = delib_world(live_world)
    meeting = meetings.meeting_create(
        actor=dw["secretary"],
        community_id=dw.world.community_a.pk,
        kind="joint",
        title="12月社区联席会议",
        held_at=tz.now(),
        place="党群服务中心二楼",
        agenda="一、加装电梯\n二、垃圾分类督导",
    )
    meetings.minutes_write(actor=dw["secretary"], meeting=meeting, text="同意提交户主大会表决。")
    meetings.minutes_freeze(actor=dw["secretary"], meeting=meeting)
    meetings.decision_add(
        actor=dw["secretary"],
        meeting=meeting,
        text="联系三家电梯公司报价",
        owner_username="community_worker",
        due=tz.localdate() - dt.timedelta(days=2),
    )
    base = live_server.url
    sign_in(phone, base, "secretary")
    phone.goto(f"{base}/deliberation/meetings/{meeting.pk}/")
    phone.get_by_label("签到人用户名").fill("resident")
    click_and_wait(phone, "签到")
    assert "resident" in phone.get_by_test_id("attendance").inner_text()
    assert "已超期" in phone.get_by_test_id("decisions").inner_text()
    screenshot(phone, "deliberation-meeting-phone")
    phone.goto(f"{base}/deliberation/meetings/")
    assert "联系三家电梯公司报价" in phone.get_by_test_id("overdue").inner_text()
    screenshot(phone, "deliberation-meetings-phone")
