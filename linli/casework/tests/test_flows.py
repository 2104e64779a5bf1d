"""PLAT-2, CASE-1/2/8/9 as people use them: a window case stays with the clerk who entered it,
a place without GPS, "don't know" as a category, "not fixed", messages that lead to the case,
a receipt to take home."""

import pytest
from django_tasks_db.models import DBTaskResult

from linli.casework.models import Case
from linli.casework.notify import sms_for_event
from linli.casework.services import workflow
from linli.core.notifications.models import Notification
from linli.people.models import Resident

from .conftest import INSIDE_A1

INSIDE_B1 = {"lat": 30.2725, "lon": 120.1325}  # 乙社区, not the window clerk's community


def _window(**extra):
    return {
        "category": "20-02",
        "description": "楼上深夜噪音",
        "channel": "window",
        "full_name": "李大爷",
        "birth_year": 1940,
        "sex": "M",
        **INSIDE_B1,
        **extra,
    }


def _report(**extra):
    return {"category": "01-10", "description": "楼下垃圾堆了三天", **INSIDE_A1, **extra}


# ---- 1. a window case never disappears for the clerk who entered it ----------------------


@pytest.mark.parametrize("clerk", ["community_worker", "grid_worker"])
def test_window_case_in_another_community_stays_with_the_clerk(cats, login, clerk):
    client = login(clerk)
    response = client.post("/cases/window/", _window())
    case = Case.objects.get()
    assert case.community == cats.community_b and case.reporter is None
    assert (
        response.status_code == 302
        and response["Location"] == f"/cases/{case.tracking_no}/receipt/"
    )
    receipt = client.get(response["Location"])
    assert receipt.status_code == 200 and case.tracking_no in receipt.content.decode()
    assert client.get(f"/cases/{case.tracking_no}/").status_code == 200
    assert case.tracking_no in client.get("/cases/queue/").content.decode()


def test_the_owner_unit_sees_its_window_case_and_others_do_not(cats, login):
    login("community_worker").post("/cases/window/", _window())
    case = Case.objects.get()
    assert case.owner_unit.name == "甲社区居委会"  # 首接负责制: the clerk's unit owns it
    secretary = login("secretary")  # same unit, did not enter it
    assert secretary.get(f"/cases/{case.tracking_no}/").status_code == 200
    for outsider in ("dept_officer", "resident", "volunteer"):
        assert login(outsider).get(f"/cases/{case.tracking_no}/").status_code == 404


def test_receipt_is_for_window_staff_only(cats, login):
    login("community_worker").post("/cases/window/", _window())
    no = Case.objects.get().tracking_no
    assert login("resident").get(f"/cases/{no}/receipt/").status_code == 403
    assert login("dept_officer").get(f"/cases/{no}/receipt/").status_code == 403


def test_receipt_says_who_owns_it_by_when_and_how_to_follow_up(cats, login):
    client = login("community_worker")
    client.post("/cases/window/", _window(phone="13912345678"))
    case = Case.objects.get()
    page = client.get(f"/cases/{case.tracking_no}/receipt/").content.decode()
    for text in (case.tracking_no, "甲社区居委会", "办结期限", "12345", "发短信"):
        assert text in page
    # A resident on record is named on the slip (an audited read).
    client.post("/cases/window/", _window(full_name="王秀英", birth_year=1946, sex=""))
    known = Case.objects.exclude(pk=case.pk).get()
    assert known.reporter == cats["resident"] and known.notify_phone == ""  # her inbox + SMS
    assert "王秀英" in client.get(f"/cases/{known.tracking_no}/receipt/").content.decode()


# ---- 7. the window form: phone, the matched record, errors by their field, title ---------


SENT: list = []


class Captured:
    def send(self, message) -> None:
        SENT.append(message)


def test_window_phone_fills_the_record_and_steps_go_by_sms(
    cats, login, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        login("community_worker").post("/cases/window/", _window(phone="13912345678"))
    case = Case.objects.get()
    resident = Resident.objects.get(full_name="李大爷")
    assert resident.phone == "13912345678" and resident.phone_masked.startswith("139")
    assert case.notify_phone == "13912345678"
    queued = DBTaskResult.objects.filter(task_path__endswith="sms_window_resident")
    assert queued.count() == 1  # the "received" step, after commit
    SENT.clear()
    settings.LINLI_SMS_SENDER = "linli.casework.tests.test_flows.Captured"
    assert sms_for_event(event_id=case.events.get().pk) == "sent"
    assert SENT[0].address == "13912345678" and case.tracking_no in SENT[0].title
    assert "噪音扰民" in SENT[0].title  # what it is about, not just a number


def test_window_refuses_a_bad_phone_and_keeps_nothing(cats, login):
    response = login("community_worker").post("/cases/window/", _window(phone="12345"))
    assert response.status_code == 400
    assert "请填写 11 位手机号" in response.content.decode()
    assert not Case.objects.exists() and not Resident.objects.filter(full_name="李大爷").exists()


def test_window_lookup_shows_the_record_before_submitting(cats, login):
    page = login("community_worker").post(
        "/cases/window/", {"full_name": "王秀英", "birth_year": 1946, "lookup": "1"}
    )
    html = page.content.decode()
    assert page.status_code == 200 and "将登记在这份档案下" in html and "王秀英" in html
    assert not Case.objects.exists()
    unknown = login("community_worker").post(
        "/cases/window/", {"full_name": "没这人", "birth_year": 1950, "lookup": "1"}
    )
    assert "会新建" in unknown.content.decode()


def test_missing_sex_is_shown_next_to_the_field(cats, login):
    response = login("community_worker").post("/cases/window/", _window(sex=""))
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="err-sex"' in html and "新建居民档案需要选择性别" in html


def test_titles_name_the_page(cats, login):
    assert "<title>代办登记" in login("community_worker").get("/cases/window/").content.decode()
    assert "<title>我要反映" in login("resident").get("/cases/new/").content.decode()


# ---- 2. a place without GPS -----------------------------------------------------------------


def test_a_picked_building_places_the_case(cats, login):
    building = cats.grid_a1.buildings.get()
    body = _report(lat="", lon="", building=building.pk)
    assert login("resident").post("/cases/new/", body).status_code == 302
    case = Case.objects.get()
    assert (case.lat, case.lon, case.grid) == (building.lat, building.lon, cats.grid_a1)


def test_a_typed_address_stands_in_for_a_pin(cats, login):
    body = _report(lat="", lon="", address="1幢楼下的垃圾房")
    assert login("volunteer").post("/cases/new/", body).status_code == 302
    case = Case.objects.get()
    assert case.grid == cats.grid_a1 and "待核实" in case.address  # staff check the place


def test_an_address_nobody_knows_falls_back_to_the_reporters_home(cats, login):
    body = _report(lat="", lon="", address="菜场门口")
    assert login("resident").post("/cases/new/", body).status_code == 302
    assert Case.objects.get().grid == cats.grid_a1  # 王秀英 lives in 1幢, grid A1


def test_no_place_at_all_is_refused_with_what_to_do(cats, login):
    response = login("resident").post("/cases/new/", _report(lat="", lon=""))
    assert response.status_code == 400
    assert "就在我家附近" in response.content.decode()
    assert not Case.objects.exists()


def test_report_page_offers_home_search_and_a_keyboard_map(cats, login):
    html = login("resident").get("/cases/new/").content.decode()
    assert "就在我家附近(1幢)" in html
    assert 'id="place-search"' in html and 'id="buildings-data"' in html
    assert 'role="application" tabindex="0"' in html  # arrow keys move the pin


# ---- 4. big categories, "don't know", emergencies first ---------------------------------


def test_categories_are_big_buttons_with_dont_know_and_emergency_numbers(cats, login):
    html = login("resident").get("/cases/new/").content.decode()
    assert html.index('href="tel:119"') < html.index('name="category"')
    assert html.count('class="pick') == 8 and "其他 / 不确定" in html
    assert 'value="05-03" data-emergency="1"' in html  # gas leak: "call first" again


def test_staff_classify_a_dont_know_case_when_registering(cats, login):
    login("resident").post("/cases/new/", _report(category="99-01"))
    case = Case.objects.get()
    assert case.category.code == "99-01" and case.owner_unit.name == "甲社区居委会"
    worker = login("community_worker")
    page = worker.get(f"/cases/{case.tracking_no}/").content.decode()
    assert "请先定分类" in page
    worker.post(f"/cases/{case.tracking_no}/register/", {"category": "26-01"})
    case.refresh_from_db()
    assert case.status == "registered" and case.category.code == "26-01"
    assert case.public is False  # a welfare category is never public
    bad = worker.post(f"/cases/{case.tracking_no}/register/", {"category": "nope"})
    assert bad.status_code == 302 and Case.objects.get().category.code == "26-01"


# ---- 5. "还没解决" ------------------------------------------------------------------------


def _handled(cats, login):
    login("resident").post("/cases/new/", _report())
    case = Case.objects.get()
    officer = cats["dept_officer"]
    workflow.case_register(actor=officer, case=case)
    workflow.case_dispatch(actor=officer, case=case, unit=cats.chengguan)
    workflow.case_accept(actor=officer, case=case)
    workflow.case_feedback(actor=officer, case=case, note="已清运")
    return Case.objects.get()


def test_resident_says_not_fixed_and_the_case_goes_back(cats, login):
    case = _handled(cats, login)
    resident = login("resident")
    mine = resident.get("/cases/mine/").content.decode()
    assert "等您确认" in mine and "办好了,等您说一声" in mine
    page = resident.get(f"/cases/{case.tracking_no}/").content.decode()
    assert "还没解决" in page and "已解决" in page
    response = resident.post(f"/cases/{case.tracking_no}/verify/", {"passed": "0", "note": ""})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "handling"
    assert case.events.filter(kind="verify_failed", note__contains="还没解决").exists()
    assert "等您确认" not in resident.get("/cases/mine/").content.decode()


def test_someone_else_cannot_answer_for_the_resident(cats, login):
    case = _handled(cats, login)
    other = login("volunteer")
    assert other.post(f"/cases/{case.tracking_no}/verify/", {"passed": "0"}).status_code == 404
    case.refresh_from_db()
    assert case.status == "handled"


# ---- 6. messages and my cases lead somewhere ----------------------------------------------


def test_my_cases_show_what_and_where_in_plain_words(cats, login):
    login("resident").post("/cases/new/", _report(address="1幢东侧"))
    html = login("resident").get("/cases/mine/").content.decode()
    assert "暴露垃圾" in html and "1幢东侧" in html and "楼下垃圾堆了三天" in html
    assert "已收到,等待受理" in html and "居民自报" not in html


def test_inbox_groups_by_case_links_and_reads_all(cats, login):
    case = _handled(cats, login)
    notes = Notification.objects.filter(recipient=cats["resident"])
    assert notes.count() == 5  # submitted, registered, dispatched, accepted, feedback
    assert all("暴露垃圾" in n.title for n in notes)
    client = login("resident")
    html = client.get("/core/inbox/").content.decode()
    assert html.count('class="thread"') == 1 and "之前还有 4 条" in html
    assert "居民自报" not in html and "居民网上反映" not in html  # no channel jargon
    latest = notes.first()
    opened = client.get(f"/core/inbox/{latest.pk}/")
    assert opened.status_code == 302 and opened["Location"] == f"/cases/{case.tracking_no}/"
    assert not notes.filter(read_at=None).exists()  # the case's earlier messages too


def test_read_all_and_someone_elses_message(cats, login):
    _handled(cats, login)
    mine = Notification.objects.filter(recipient=cats["resident"])
    assert login("volunteer").get(f"/core/inbox/{mine.first().pk}/").status_code == 404
    assert login("resident").get("/core/inbox/read-all/").status_code == 405  # POST only
    login("resident").post("/core/inbox/read-all/")
    assert not mine.filter(read_at=None).exists()


def test_a_stored_outside_url_never_redirects_elsewhere(cats, login):
    note = Notification.objects.create(
        recipient=cats["resident"], title="x", url="https://evil.example/"
    )
    response = login("resident").get(f"/core/inbox/{note.pk}/")
    assert response["Location"] == "/core/inbox/"
