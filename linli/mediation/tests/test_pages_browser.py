"""Mediation in a real chromium: the community worker registers a dispute at the station
(desktop), the secretary assigns the mediator, the mediator records a session and the
agreement on a phone, prints the PDF, and records the follow-up; the party sees their own
case and its agreement, without the session notes."""

import pytest

from conftest import click_and_wait, screenshot, sign_in
from linli.core.crypto import blind_index
from linli.mediation.choices import Stage, Status
from linli.mediation.models import Dispute
from linli.mediation.tests.helpers import mediation_world
from linli.people.models import Resident
from linli.people.validation import id_check_digit

pytestmark = pytest.mark.browser


def test_intake_assign_session_agreement_follow_up(
    live_server, live_world, desktop, phone, browser
):
    mw = mediation_world(live_world)
    # 王秀英's ID card is read at the window: her record is found by its keyed hash.
    number = "33010619460101122" + id_check_digit("33010619460101122")
    Resident.objects.filter(pk=mw.wang.pk).update(
        id_number=number, id_number_hash=blind_index(number, context="people.resident.id_number")
    )
    base = live_server.url
    # 1. The community worker registers the dispute at the station, 代办.
    sign_in(desktop, base, "community_worker")
    desktop.goto(f"{base}/")
    desktop.get_by_role("link", name="矛盾调解").first.click()
    desktop.get_by_test_id("new-dispute").click()
    assert desktop.title().startswith("登记纠纷")
    desktop.get_by_label("噪音扰民").check()
    desktop.get_by_label("纠纷简要情况").fill("楼上夜间拖动家具,楼下老人无法入睡")
    desktop.locator("#applicant_0_id_number").fill(number)
    desktop.locator("#respondent_0_name").fill("孙先生")
    desktop.locator("#respondent_0_phone").fill("13712345678")
    click_and_wait(desktop, "登记")
    dispute = Dispute.objects.get()
    assert dispute.parties.get(side="applicant").resident_id == mw.wang.pk
    assert desktop.get_by_test_id("number").inner_text() == dispute.number
    assert "137****5678" in desktop.content() and "13712345678" not in desktop.content()
    screenshot(desktop, "mediation-registered-desktop")
    # 2. The secretary sees it (it was auto-assigned) and can reassign; here: accept.
    secretary = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    sign_in(secretary, base, "secretary")
    secretary.goto(f"{base}/mediation/")
    secretary.get_by_test_id("open-disputes").get_by_role("link").first.click()
    assert secretary.get_by_test_id("mediators").inner_text() == "mediator"
    click_and_wait(secretary, "受理")
    assert secretary.get_by_test_id("status").inner_text() == "已受理"
    secretary.close()
    # 3. The mediator, on the phone: session, agreement, PDF, follow-up.
    sign_in(phone, base, "mediator")
    phone.goto(f"{base}/mediation/{dispute.pk}/")
    phone.get_by_label("参加人员").fill("王秀英、孙先生、楼栋长")
    phone.get_by_label("调解记录").fill("双方各自陈述,同意晚十点后不再拖动家具")
    click_and_wait(phone, "保存调解会记录")
    assert phone.get_by_test_id("status").inner_text() == "调解中"
    stages = phone.get_by_test_id("stages")
    assert "(未经此步)" in stages.locator(f"[data-stage='{Stage.INVESTIGATION}']").inner_text()
    # The browser holds back an agreement without an obligation; the server says why when
    # the form is sent without the browser's check.
    phone.get_by_label("纠纷的主要事实、争议事项").fill("楼上夜间拖动家具")
    phone.locator("form[data-testid=agree-form]").evaluate("f => f.noValidate = true")
    click_and_wait(phone, "形成调解协议")
    assert "调解协议须写明当事人的义务" in phone.content()
    assert Dispute.objects.get().status == Status.MEDIATING
    phone.get_by_label("纠纷的主要事实、争议事项").fill("楼上夜间拖动家具")
    phone.locator("#party_0").select_option(label="孙先生")
    phone.locator("#duty_0").fill("晚上十点后不再拖动家具")
    phone.locator("#how_0").fill("椅脚加装静音垫")
    screenshot(phone, "mediation-agreement-form-phone")
    click_and_wait(phone, "形成调解协议")
    assert phone.get_by_test_id("status").inner_text() == "已达成协议"
    assert "孙先生:晚上十点后不再拖动家具" in phone.get_by_test_id("agreement").inner_text()
    pdf = phone.request.get(f"{base}/mediation/{dispute.pk}/agreement.pdf")
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF-")
    screenshot(phone, "mediation-agreed-phone")
    phone.get_by_label("部分履行").check()
    click_and_wait(phone, "保存回访")
    assert "30天回访" in phone.get_by_test_id("follow-up").first.inner_text()
    assert "部分履行" in phone.get_by_test_id("follow-up").first.inner_text()
    # Every button a mediator taps on the phone is a big target.
    box = phone.get_by_role("button", name="保存回访").bounding_box()
    assert box is not None and box["height"] >= 44
    screenshot(phone, "mediation-follow-up-phone")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    # 4. 王秀英 follows her own case: stages and agreement, not the mediator's notes.
    party = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
    sign_in(party, base, "resident")
    party.goto(f"{base}/")
    party.get_by_role("link", name="我的调解").click()
    party.get_by_test_id("follow-up-disputes").get_by_role("link").first.click()
    assert "晚上十点后不再拖动家具" in party.get_by_test_id("agreement").inner_text()
    assert "双方各自陈述" not in party.content() and party.get_by_test_id("actions").count() == 0
    screenshot(party, "mediation-party-phone")
    party.close()
    # 5. The rates page.
    phone.goto(f"{base}/mediation/rates/")
    assert "样本少" in phone.get_by_test_id("rates").inner_text()
    screenshot(phone, "mediation-rates-phone")
