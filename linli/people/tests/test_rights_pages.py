"""PEOPLE-7 pages and API as a resident and a community worker use them, and the whole loop in
a real chromium on a phone: who accessed my data, a correction, the worker applies it."""

import json

import pytest

from conftest import screenshot
from linli.casework.tests.test_browser import click_and_wait, sign_in
from linli.core.audit.models import AuditEntry
from linli.core.notifications.models import Notification
from linli.people.choices import CorrectionStatus
from linli.people.models import Contact, CorrectionRequest, Resident
from linli.people.services import rights
from linli.people.services.records import resident_read

from .test_rights import ID_NUMBER, other_community, rich_record


@pytest.fixture
def record(world) -> Resident:
    return rich_record(world)


def test_my_data_page_shows_everything_and_who_accessed_it(world, record, login):
    resident_read(actor=world["grid_worker"], resident_id=record.pk, purpose="入户走访")
    page = login("resident").get("/people/me/").content.decode()
    for text in (ID_NUMBER, "高血压", "低保", "独居老人", "王强", "13900001111", "越剧"):
        assert text in page, text
    assert "身份证号" in page and "健康状况" in page and "半失能" in page
    assert "网格员 grid_worker" in page and "入户走访" in page
    assert "查看了档案" in page


def test_resident_without_record_sees_a_clear_message(world, login):
    Resident.objects.filter(user=world["resident"]).update(user=None)
    response = login("resident").get("/people/me/")
    assert response.status_code == 404
    assert "还没有您的居民档案" in response.content.decode()
    assert login("resident").get("/people/me/export.json").status_code == 404


def test_json_export_is_a_download_and_is_audited(world, record, login):
    resident_read(actor=world["grid_worker"], resident_id=record.pk)
    response = login("resident").get("/people/me/export.json")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "王秀英" not in response["Content-Disposition"]
    body = json.loads(response.content)
    fields = {f["name"]: f for f in body["fields"]}
    assert fields["id_number"]["value"] == ID_NUMBER and fields["id_number"]["label"] == "身份证号"
    assert body["access"][0]["role"] == "网格员" and body["household"]["community"] == "甲社区"
    assert AuditEntry.objects.filter(action="resident.exported").count() == 1


def test_printable_export_page(world, record, login):
    page = login("resident").get("/people/me/export/").content.decode()
    assert "王秀英 的个人信息" in page and ID_NUMBER in page and "window.print()" in page
    assert AuditEntry.objects.get(action="resident.exported").data["format"] == "page"


def test_correction_form_submits_and_refuses_bad_input(world, record, login):
    client = login("resident")
    form = client.get("/people/me/correction/?field=phone").content.decode()
    assert '<option value="phone" selected>' in form
    assert 'value="phone_masked"' not in form
    bad = client.post("/people/me/correction/", {"field": "phone", "message": ""})
    assert bad.status_code == 400 and "请写明哪里不对" in bad.content.decode()
    assert not CorrectionRequest.objects.exists()
    ok = client.post("/people/me/correction/", {"field": "phone", "message": "新号13911112222"})
    assert ok.status_code == 302 and ok["Location"] == "/people/me/"
    assert CorrectionRequest.objects.get().field == "phone"
    assert "待处理" in client.get("/people/me/").content.decode()


def test_worker_page_lists_and_applies_corrections(world, record, login):
    b = other_community(world)
    rights.correction_request(actor=b["user"], field="full_name", message="赵大爷改名赵大伯")
    c = rights.correction_request(actor=world["resident"], field="phone", message="换号了")
    worker = login("community_worker")
    page = worker.get("/people/corrections/").content.decode()
    assert "王秀英" in page and "换号了" in page and "赵大爷" not in page
    # The list is an audited read naming the residents shown.
    listed = AuditEntry.objects.filter(action="resident.listed").latest("seq")
    assert listed.data["ids"] == [record.pk] and listed.data["purpose"] == "处理更正申请"
    bad = worker.post(f"/people/corrections/{c.pk}/apply/", {"value": "12"}, follow=True)
    assert "电话号码格式不正确" in bad.content.decode()
    ok = worker.post(f"/people/corrections/{c.pk}/apply/", {"value": "13911112222"}, follow=True)
    assert "已更正,并已通知居民" in ok.content.decode()
    record.refresh_from_db()
    assert record.phone == "13911112222"
    assert Notification.objects.filter(recipient=world["resident"]).exists()


def test_worker_of_another_community_gets_not_found(world, record, login):
    b = other_community(world)
    c = rights.correction_request(actor=world["resident"], field="phone", message="换号了")
    from django.test import Client

    client = Client()
    client.force_login(b["worker"])
    assert "没有待处理的更正申请" in client.get("/people/corrections/").content.decode()
    response = client.post(f"/people/corrections/{c.pk}/refuse/", {"reply": "不改"})
    assert response.status_code == 404
    assert CorrectionRequest.objects.get().status == CorrectionStatus.OPEN


def test_refuse_from_the_page(world, record, login):
    c = rights.correction_request(actor=world["resident"], field="full_name", message="王秀瑛")
    worker = login("secretary")
    empty = worker.post(f"/people/corrections/{c.pk}/refuse/", {"reply": ""}, follow=True)
    assert "请写一句答复" in empty.content.decode()
    worker.post(f"/people/corrections/{c.pk}/refuse/", {"reply": "请带户口簿来"})
    assert CorrectionRequest.objects.get().status == CorrectionStatus.REFUSED
    assert "请带户口簿来" in login("resident").get("/people/me/").content.decode()


def test_withdraw_page_warns_then_erases(world, record, login):
    client = login("resident")
    warning = client.get("/people/me/consent/withdraw/").content.decode()
    assert "彻底删除" in warning and "越剧" in warning and "李阿姨" in warning
    response = client.post("/people/me/consent/withdraw/")
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.skills == "" and record.health_notes == ""
    assert not Contact.objects.filter(optional=True).exists()
    page = client.get("/people/me/").content.decode()
    assert "越剧" not in page and "未同意" in page
    again = client.post("/people/me/consent/withdraw/")
    assert again.status_code == 400 and "无需撤回" in again.content.decode()


def test_optional_form_gives_data_again(world, record, login):
    client = login("resident")
    client.post("/people/me/consent/withdraw/")
    bad = client.post("/people/me/optional/", {"skills": "", "health_notes": ""})
    assert bad.status_code == 400 and "请至少填写一项" in bad.content.decode()
    client.post("/people/me/optional/", {"skills": "剪纸", "health_notes": ""})
    record.refresh_from_db()
    assert record.skills == "剪纸" and record.optional_consent_at is not None


def test_home_pages_link_to_the_rights_pages(world, login):
    assert 'href="/people/me/"' in login("resident").get("/").content.decode()
    assert 'href="/people/corrections/"' in login("community_worker").get("/").content.decode()
    assert 'href="/people/family/"' in login("family").get("/").content.decode()
    assert "/people/me/" not in login("grid_worker").get("/").content.decode()


# ---- API --------------------------------------------------------------------------------


def test_api_my_data(world, record, login):
    resident_read(actor=world["grid_worker"], resident_id=record.pk, purpose="走访")
    body = login("resident").get("/api/people/me").json()
    assert body["id"] == record.pk and body["privacy"]["alerts_audience"] == "family"
    assert [a["purpose"] for a in body["access"]] == ["走访"]
    assert {t["code"] for t in body["tags"]} == {"alone_elderly", "dibao"}


def test_api_my_data_matches_its_published_schema(world, record, login):
    import jsonschema

    from linli.core.tests.test_api import _resolve

    resident_read(actor=world["grid_worker"], resident_id=record.pk, purpose="走访")
    client = login("resident")
    client.post(
        "/api/people/me/corrections",
        {"field": "phone", "message": "换号了"},
        content_type="application/json",
    )
    schema = client.get("/api/openapi.json").json()
    op = schema["paths"]["/api/people/me"]["get"]
    me_schema = _resolve(
        op["responses"]["200"]["content"]["application/json"]["schema"],
        schema["components"]["schemas"],
    )
    body = client.get("/api/people/me").json()
    jsonschema.validate(body, me_schema)
    assert body["corrections"][0]["field_label"] == "电话" and body["access"]


def test_api_my_data_without_record(world, login):
    Resident.objects.filter(user=world["resident"]).update(user=None)
    response = login("resident").get("/api/people/me")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_api_correction(world, record, login):
    client = login("resident")
    ok = client.post(
        "/api/people/me/corrections",
        {"field": "phone", "message": "换号了"},
        content_type="application/json",
    )
    assert ok.status_code == 201 and ok.json()["field_label"] == "电话"
    assert ok.json()["status"] == "open"
    bad = client.post(
        "/api/people/me/corrections",
        {"field": "nope", "message": "x"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "field"
    assert CorrectionRequest.objects.count() == 1


def test_api_withdraw_needs_confirmation(world, record, login):
    client = login("resident")
    no = client.post(
        "/api/people/me/consent/withdraw", {"confirm": False}, content_type="application/json"
    )
    assert no.status_code == 400
    record.refresh_from_db()
    assert record.skills == "越剧"
    yes = client.post(
        "/api/people/me/consent/withdraw", {"confirm": True}, content_type="application/json"
    )
    assert yes.status_code == 200
    assert yes.json()["erased_labels"] == ["特长与兴趣", "健康备注(自填)", "自愿提供的联系人"]
    record.refresh_from_db()
    assert record.skills == ""
    give = client.put(
        "/api/people/me/optional", {"skills": "太极拳"}, content_type="application/json"
    )
    assert give.status_code == 200 and give.json()["optional_consent_at"]


def test_api_is_for_residents_only(world, login):
    response = login("grid_worker").get("/api/people/me")
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"


# ---- In a real chromium -----------------------------------------------------------------


@pytest.mark.browser
def test_resident_sees_access_asks_correction_worker_applies(
    live_server, live_world, phone, browser
):
    r = rich_record(live_world)
    base = live_server.url
    gw = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    sign_in(gw, base, "grid_worker")
    gw.goto(f"{base}/people/{r.pk}/")
    assert "王秀英" in gw.content()

    sign_in(phone, base, "resident")
    phone.get_by_role("link", name="我的信息").click()
    phone.wait_for_url(f"{base}/people/me/")
    history = phone.get_by_test_id("my-history")
    assert "网格员 grid_worker" in history.inner_text()
    assert "查看了档案" in history.inner_text()
    screenshot(phone, "rights-my-data-phone")
    phone.get_by_test_id("ask-correction").click()
    phone.get_by_label("1. 哪一项不对").select_option(label="电话")
    phone.get_by_label("2. 正确的是什么").fill("我换号了,新号码 13911112222")
    screenshot(phone, "rights-correction-phone")
    click_and_wait(phone, "提交")
    assert "更正申请已提交" in phone.content()
    assert "待处理" in phone.get_by_test_id("my-corrections").inner_text()

    cw = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN").new_page()
    sign_in(cw, base, "community_worker")
    cw.get_by_role("link", name="更正申请").click()
    cw.wait_for_url(f"{base}/people/corrections/")
    assert "我换号了" in cw.content()
    cw.get_by_label("更正为").fill("13911112222")
    screenshot(cw, "rights-corrections-worker")
    click_and_wait(cw, "按此更正")
    assert "已更正,并已通知居民" in cw.content()
    r.refresh_from_db()
    assert r.phone == "13911112222"

    phone.reload()
    assert "已更正" in phone.get_by_test_id("my-corrections").inner_text()
    assert "13911112222" in phone.get_by_test_id("tier-contact").inner_text()
    phone.get_by_test_id("elder-toggle").click()
    phone.wait_for_load_state()
    screenshot(phone, "rights-my-data-elder")
    phone.goto(f"{base}/people/me/consent/withdraw/")
    screenshot(phone, "rights-withdraw-elder")
    phone.goto(f"{base}/people/me/privacy/")
    screenshot(phone, "rights-privacy-elder")
    phone.goto(f"{base}/people/me/export/")
    assert "13911112222" in phone.get_by_test_id("export-page").inner_text()
    screenshot(phone, "rights-export-elder")


@pytest.mark.browser
def test_family_page_on_a_phone(live_server, live_world, phone):
    rich_record(live_world)
    rights.privacy_set(
        actor=live_world["resident"], alerts_audience="grid", optional_audience="family"
    )
    sign_in(phone, live_server.url, "family")
    phone.get_by_role("link", name="我的家人").click()
    card = phone.locator("section.card").first
    assert "王秀英" in card.inner_text() and "越剧" in card.inner_text()
    assert "只通知网格员" in card.inner_text()
    screenshot(phone, "rights-family-phone")


def test_a_granted_certificate_is_in_my_data_the_export_and_the_api(world, record, login):
    """PEOPLE-7: what a department decided about the resident (a one-stop application's
    老年证) is held about them, so they see it on the page, in the export and the API."""
    import datetime as dt

    import jsonschema

    from linli.core.tests.test_api import _resolve
    from linli.people.models import Credential

    Credential.objects.create(
        resident=record,
        kind="elder_card",
        name="老年证",
        number="LN-2026-0815",
        issued_on=dt.date(2026, 11, 2),
        source="FW202611020001",
    )
    client = login("resident")
    page = client.get("/people/me/").content.decode()
    assert "老年证 LN-2026-0815" in page and "发证 2026-11-02" in page
    assert "LN-2026-0815" in client.get("/people/me/export/").content.decode()
    exported = json.loads(client.get("/people/me/export.json").content)
    assert exported["credentials"] == [
        {
            "name": "老年证",
            "number": "LN-2026-0815",
            "issued_on": "2026-11-02",
            "valid_until": None,
            "source": "FW202611020001",
        }
    ]
    schema = client.get("/api/openapi.json").json()
    op = schema["paths"]["/api/people/me"]["get"]
    body = client.get("/api/people/me").json()
    jsonschema.validate(
        body,
        _resolve(
            op["responses"]["200"]["content"]["application/json"]["schema"],
            schema["components"]["schemas"],
        ),
    )
    assert body["credentials"][0]["number"] == "LN-2026-0815"
