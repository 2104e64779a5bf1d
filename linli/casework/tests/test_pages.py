"""Server-rendered pages: staff entry on behalf of a resident, the queue, photos, public."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from PIL import Image

from linli.accounts.choices import MembershipKind
from linli.accounts.models import Membership
from linli.casework.models import Case
from linli.core.roles import Role
from linli.people.models import Resident
from linli.people.services import resident_find_or_create
from linli.testing.world import make_user

from .conftest import INSIDE_A1


def _form(**extra):
    return {
        "category": "20-02",
        "description": "楼上深夜噪音",
        "lat": INSIDE_A1["lat"],
        "lon": INSIDE_A1["lon"],
        "channel": "window",
        **extra,
    }


def test_window_entry_finds_the_resident(cats, login):
    response = login("community_worker").post(
        "/cases/window/", _form(full_name="王秀英", birth_year=1946)
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.resident.full_name == "王秀英" and case.channel == "window"
    assert case.reporter == cats["resident"]  # the resident's own account follows it
    assert Resident.objects.count() == 1


def test_window_entry_creates_a_minimal_record(cats, login):
    login("community_worker").post(
        "/cases/window/", _form(full_name="李大爷", birth_year=1940, sex="M", channel="hotline")
    )
    resident = Resident.objects.get(full_name="李大爷")
    assert resident.birth_year == 1940 and resident.household is None
    assert Case.objects.get().resident == resident


def test_a_second_window_visit_files_under_the_same_record(cats, login, world):
    """A record made at the window has no home yet, so no place scope reaches it: the
    community it was made in finds it again on the next visit (no duplicate); another
    community's window makes its own."""
    clerk = login("community_worker")
    clerk.post("/cases/window/", _form(full_name="李大爷", birth_year=1940, sex="M"))
    clerk.post("/cases/window/", _form(full_name="李大爷", birth_year=1940, description="又来了"))
    resident = Resident.objects.get(full_name="李大爷")
    assert resident.registered_community == world.community_a
    assert [c.resident_id for c in Case.objects.order_by("pk")] == [resident.pk, resident.pk]
    other = make_user("cw_b", Role.COMMUNITY_WORKER)
    Membership.objects.create(
        user=other, kind=MembershipKind.COMMUNITY_WORKER, community=world.community_b
    )
    theirs, created = resident_find_or_create(
        actor=other, full_name="李大爷", birth_year=1940, sex="M"
    )
    assert created and theirs.registered_community == world.community_b


def test_refused_entry_leaves_no_new_resident(cats, login):
    response = login("community_worker").post(
        "/cases/window/", _form(full_name="李大爷", birth_year=1940, sex="M", lat=31.9, lon=121.9)
    )
    assert response.status_code == 400
    assert "不在本平台的任何网格内" in response.content.decode()
    assert not Resident.objects.filter(full_name="李大爷").exists()
    assert Case.objects.count() == 0


def test_new_resident_needs_a_sex(cats, login):
    response = login("community_worker").post(
        "/cases/window/", _form(full_name="李大爷", birth_year=1940)
    )
    assert "需要选择性别" in response.content.decode()
    assert Case.objects.count() == 0


def _jpeg() -> io.BytesIO:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 20, 20)).save(buf, "JPEG")
    buf.seek(0)
    buf.name = "a.jpg"
    return buf


def test_report_page_with_a_photo_and_a_fake_photo(cats, login):
    client = login("resident")
    body = {"category": "01-10", "description": "垃圾", **INSIDE_A1}
    fake = io.BytesIO(b"%PDF-1.4 not an image")
    fake.name = "x.jpg"
    refused = client.post("/cases/new/", {**body, "photos": [fake]})
    assert refused.status_code == 400
    assert "不是可识别的照片" in refused.content.decode()
    assert Case.objects.count() == 0
    ok = client.post("/cases/new/", {**body, "photos": [_jpeg()]})
    assert ok.status_code == 302
    case = Case.objects.get()
    photo = case.photos.get()
    assert client.get(f"/cases/{case.tracking_no}/photos/{photo.pk}/thumb/").status_code == 200


def test_photos_are_private_until_reviewed(cats, login, client):
    login("resident").post(
        "/cases/new/",
        {"category": "01-10", "description": "垃圾", **INSIDE_A1, "photos": [_jpeg()]},
    )
    case = Case.objects.get()
    url = f"/cases/{case.tracking_no}/photos/{case.photos.get().pk}/full/"
    assert client.get(url).status_code == 404  # anonymous, not reviewed
    assert login("grid_worker").get(url).status_code == 200  # their grid
    Case.objects.filter(pk=case.pk).update(photos_reviewed=True)
    assert client.get(url).status_code == 200


def test_queue_filters_and_has_no_n_plus_one(cats, login, submit):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login("community_worker")
    counts = []
    for total in (5, 10):
        while Case.objects.count() < total:
            submit()
        with CaptureQueriesContext(connection) as ctx:
            page = client.get("/cases/queue/")
        assert page.content.decode().count('href="/cases/2') == total
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]  # the page costs the same for 5 rows as for 10
    overdue = client.get("/cases/queue/", {"overdue": "1"}).content.decode()
    assert overdue.count('href="/cases/2') == 0


@pytest.mark.parametrize("role", ["resident", "volunteer", "family"])
def test_reporters_cannot_open_the_queue_or_window(cats, login, role):
    assert login(role).get("/cases/queue/").status_code == 403
    assert login(role).get("/cases/window/").status_code == 403


def test_public_list_shows_no_personal_data(cats, submit, client):
    submit(description="王秀英家门口垃圾")
    html = client.get("/cases/public/").content.decode()
    assert "暴露垃圾" in html
    assert "王秀英" not in html and "resident" not in html


def test_bulk_dispatch_is_all_or_nothing(cats, login, submit):
    a, b = submit()["tracking_no"], submit()["tracking_no"]
    client = login("dept_officer")
    response = client.post("/cases/queue/dispatch/", {"case": [a, b], "unit_id": cats.chengguan.pk})
    assert response.status_code == 302
    assert set(Case.objects.values_list("status", flat=True)) == {"dispatched"}
    c = submit()["tracking_no"]
    Case.objects.filter(tracking_no=c).update(status="handling")  # cannot be dispatched
    d = submit()["tracking_no"]
    client.post("/cases/queue/dispatch/", {"case": [c, d], "unit_id": cats.chengguan.pk})
    assert Case.objects.get(tracking_no=d).status == "received"  # rolled back with c


def test_staff_review_publishes_photos(cats, login, client):
    login("resident").post(
        "/cases/new/",
        {"category": "01-10", "description": "垃圾", **INSIDE_A1, "photos": [_jpeg()]},
    )
    case = Case.objects.get()
    url = f"/cases/{case.tracking_no}/photos/{case.photos.get().pk}/thumb/"
    assert (
        login("resident").post(f"/cases/{case.tracking_no}/photos/", {"publish": "1"}).status_code
        == 302
    )
    assert client.get(url).status_code == 404  # the resident may not publish
    login("dept_officer").post(f"/cases/{case.tracking_no}/photos/", {"publish": "1"})
    assert client.get(url).status_code == 200


def test_unknown_or_invisible_case_page_is_a_chinese_404(cats, login, submit):
    assert "找不到该诉求" in login("resident").get("/cases/20990101000000/").content.decode()
    no = submit()["tracking_no"]
    response = login("volunteer").get(f"/cases/{no}/")  # someone else's case
    assert response.status_code == 404
    assert "找不到该诉求" in response.content.decode()


def test_whistle_from_the_case_page_and_report_on_the_board(cats, login, submit):
    from linli.casework.models import WhistleCall

    no = submit()["tracking_no"]
    cw = login("community_worker")
    assert "吹哨" in cw.get(f"/cases/{no}/").content.decode()
    cw.post(f"/cases/{no}/whistle/", {"department": [cats.chengguan.pk], "reason": "多部门联合"})
    call = WhistleCall.objects.get()
    board = login("street_admin").get("/cases/whistles/").content.decode()
    assert "西湖区城管局" in board and "多部门联合" in board
    login("dept_officer").post(f"/cases/whistles/{call.pk}/report/", {"note": "已到场"})
    call.refresh_from_db()
    assert call.reported_at is not None
    assert "西湖区城管局" not in login("street_admin").get("/cases/whistles/").content.decode()


def test_public_map_pins_are_rounded(cats, submit, client):
    submit()
    html = client.get("/cases/public/").content.decode()
    assert html.count('class="pin-open"') == 1


def _dispatched(no, cats, login):
    officer = login("dept_officer")
    officer.post(f"/cases/{no}/register/")
    officer.post(f"/cases/{no}/dispatch/", {"unit_id": cats.chengguan.pk})
    return officer


def test_reroute_needs_a_reason_and_keeps_the_owner(cats, login, submit):
    from linli.geo.models import Department

    no = submit()["tracking_no"]
    officer = _dispatched(no, cats, login)
    other = Department.objects.get(name="甲社区居委会")
    officer.post(f"/cases/{no}/reroute/", {"unit_id": other.pk, "reason": ""})
    assert Case.objects.get(tracking_no=no).handler_unit == cats.chengguan
    officer.post(f"/cases/{no}/reroute/", {"unit_id": other.pk, "reason": "属于社区调解"})
    case = Case.objects.get(tracking_no=no)
    assert case.handler_unit == other and case.owner_unit == cats.chengguan


def test_deferral_from_the_page(cats, login, submit):
    no = submit()["tracking_no"]
    officer = _dispatched(no, cats, login)
    day = timezone.localdate() + dt.timedelta(days=200)  # within the year a deferral may ask
    officer.post(f"/cases/{no}/defer/", {"until": day.isoformat(), "reason": "等待配件"})
    case = Case.objects.get(tracking_no=no)
    assert case.deferral_until is not None and not case.deferred
    officer.post(f"/cases/{no}/deferral/", {"approve": "1"})
    case.refresh_from_db()
    assert case.deferred
    # "until that day" means through the end of that day in Beijing time.
    next_day = day + dt.timedelta(days=1)
    assert case.close_due == dt.datetime(
        next_day.year, next_day.month, next_day.day, tzinfo=ZoneInfo("Asia/Shanghai")
    )
    bad = officer.post(f"/cases/{no}/defer/", {"until": "not-a-date", "reason": "x"}, follow=True)
    assert "请选择缓办截止日期" in bad.content.decode()


def test_merge_from_the_page(cats, login, submit):
    first, second = submit()["tracking_no"], submit()["tracking_no"]
    officer = login("dept_officer")
    page = officer.post(f"/cases/{second}/merge/", {"into": "nonexistent"}, follow=True)
    assert Case.objects.get(tracking_no=second).status == "received"
    assert "找不到该诉求" in page.content.decode()
    officer.post(f"/cases/{second}/merge/", {"into": first})
    assert Case.objects.get(tracking_no=second).status == "merged"
