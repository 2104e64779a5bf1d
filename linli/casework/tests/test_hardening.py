"""Hostile input on casework's pages and APIs (issue 12): every refusal is a clear 4xx in
the caller's format, nothing is written, and the pages everyone reads stay up."""

import datetime as dt
import logging

import pytest
from django.test import Client, override_settings

from linli.casework.models import Case
from linli.casework.tests.conftest import INSIDE_A1


def post(client, url, body=None, **extra):
    return client.post(url, body or {}, content_type="application/json", **extra)


def handling_case(submit, cats, login):
    no = submit()["tracking_no"]
    officer = login("dept_officer")
    post(officer, f"/api/cases/{no}/register")
    post(officer, f"/api/cases/{no}/dispatch", {"unit_id": cats.chengguan.pk})
    return no, officer


@pytest.mark.parametrize(
    "until",
    ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00", "2600-01-01T00:00:00+08:00"],
)
def test_a_far_deferral_is_refused_and_pages_stay_up(submit, cats, login, client, until):
    no, officer = handling_case(submit, cats, login)
    response = post(officer, f"/api/cases/{no}/defer", {"until": until, "reason": "x"})
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "until"
    assert Case.objects.get(tracking_no=no).deferral_until is None
    assert client.get("/cases/public/").status_code == 200
    assert officer.get("/cases/queue/").status_code == 200
    assert client.get("/open311/v2/requests.json").status_code == 200
    assert officer.get(f"/api/cases/{no}").status_code == 200


def test_a_deferral_within_a_year_only(submit, cats, login):
    no, officer = handling_case(submit, cats, login)
    far = (dt.datetime.now(dt.UTC) + dt.timedelta(days=400)).isoformat()
    response = post(officer, f"/api/cases/{no}/defer", {"until": far, "reason": "x"})
    assert response.status_code == 400 and "一年" in response.json()["error"]["message"]
    page = officer.post(f"/cases/{no}/defer/", {"until": "9999-12-31", "reason": "x"}, follow=True)
    assert page.status_code == 200 and "请选择缓办截止日期" in page.content.decode()
    assert Case.objects.get(tracking_no=no).deferral_until is None


@pytest.mark.parametrize("field", ["description", "address", "category"])
def test_nul_in_a_case_text_is_refused(submit, login, field):
    body = {"category": "01-10", "description": "楼下垃圾", "address": "1幢", **INSIDE_A1}
    body[field] = body[field] + "\x00"
    response = post(login("resident"), "/api/cases", body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "bad_characters" and error["field"] == field
    assert not Case.objects.exists()


def test_lone_surrogate_in_a_case_text_is_refused(submit, login):
    raw = b'{"category": "01-10", "description": "\\ud800", "lat": 30.2725, "lon": 120.1225}'
    response = login("resident").post("/api/cases", raw, content_type="application/json")
    assert response.status_code == 400 and response.json()["error"]["field"] == "description"
    assert not Case.objects.exists()


def test_an_escaped_backslash_is_not_mistaken_for_nul(submit, login):
    case = submit(description="路径 C:\\u0000 是文字")
    assert Case.objects.get(tracking_no=case["tracking_no"]).description == "路径 C:\\u0000 是文字"


@pytest.mark.parametrize(
    "url",
    ["/api/cases/%00", "/api/cases?category=%00", "/api/people/residents?q=%00"],
)
def test_nul_in_api_urls_is_a_json_400(cats, login, url):
    response = login("community_worker").get(url)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_characters"


def test_nul_in_page_and_open311_urls(cats, login, client):
    page = login("community_worker").get("/people/?q=%00")
    assert page.status_code == 400 and "无法识别的字符" in page.content.decode()
    georeport = client.get("/open311/v2/requests/%00.json")
    assert georeport.status_code == 400
    assert georeport.json()[0]["code"] == 400
    xml = client.get("/open311/v2/requests.xml?service_code=%00")
    assert xml.status_code == 400 and xml.content.startswith(b"<?xml")


@pytest.mark.parametrize(
    "query",
    ["offset=-5", "offset=100000000000000000000", "limit=-2567178", "limit=0", "grid_id=1e400"],
)
def test_paging_out_of_bounds_is_a_field_error(submit, login, query):
    response = login("community_worker").get(f"/api/cases?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["field"] == query.split("=")[0]


def test_paging_within_bounds_still_pages(submit, login):
    submit(), submit()
    api = login("community_worker")
    assert len(api.get("/api/cases?limit=1").json()) == 1
    assert len(api.get("/api/cases?offset=1&limit=200").json()) == 1
    assert api.get("/api/cases?offset=100000").json() == []


def test_a_form_body_to_a_json_endpoint_is_a_415(cats, login):
    body = {"category": "01-10", "description": "楼下垃圾", "lat": "30.2725", "lon": "120.1225"}
    resident = login("resident")
    multipart = resident.post("/api/cases", body)
    urlencoded = resident.post(
        "/api/cases", "category=01-10", content_type="application/x-www-form-urlencoded"
    )
    for response in (multipart, urlencoded):
        assert response.status_code == 415
        assert response.json()["error"]["code"] == "unsupported_media_type"
    broken = resident.post("/api/cases", "{not json", content_type="application/json")
    assert broken.status_code == 400 and broken.json()["error"]["code"] == "invalid_json"
    assert "有效的 JSON" in broken.json()["error"]["message"]
    assert not Case.objects.exists()


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_a_body_over_the_limit_is_a_json_413(cats, login):
    big = '{"description": "' + "x" * 2048 + '"}'
    response = login("resident").post("/api/cases", big, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    page = login("resident").post("/cases/new/", {"description": "x" * 2048})
    assert page.status_code == 413 and "太大" in page.content.decode()


def test_an_api_defect_is_json_and_logged(cats, login, monkeypatch, caplog):
    from linli.casework.api import cases

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(cases.selectors, "case_list", broken)
    client = Client(raise_request_exception=False)
    client.force_login(cats["community_worker"])
    with caplog.at_level(logging.ERROR, logger="linli.api"):
        response = client.get("/api/cases")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "server_error"
    assert "boom" not in response.content.decode()
    assert any(r.exc_info and "boom" in str(r.exc_info[1]) for r in caplog.records)


def test_a_page_defect_reaches_the_log_with_debug_off(cats, monkeypatch, settings):
    """Django's own logging prints only with DEBUG on; settings.LOGGING routes errors to the
    console in production too, traceback included."""
    import io

    from linli.casework import views

    settings.DEBUG = False
    stream = io.StringIO()
    # The console handler settings.LOGGING gives the django logger (pytest adds its own).
    ours = [h for h in logging.getLogger("django").handlers if type(h) is logging.StreamHandler]
    assert ours, "the django logger has a console handler of its own"
    previous = [(h, h.setStream(stream)) for h in ours]

    def broken(*args, **kwargs):
        raise RuntimeError("page boom")

    monkeypatch.setattr(views, "CappedPaginator", broken)
    try:
        response = Client(raise_request_exception=False).get("/cases/public/")
    finally:
        for h, old in previous:
            h.setStream(old)
    assert response.status_code == 500
    logged = stream.getvalue()
    assert "Internal Server Error: /cases/public/" in logged and "page boom" in logged
    assert "Traceback" in logged
