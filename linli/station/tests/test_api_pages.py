"""The API (checked against its OpenAPI schema) and the pages: apply, track, decide;
bad input answers with structured JSON / a Chinese message and changes nothing; wrong
callers refused on pages and API."""

import datetime as dt

import pytest

from linli.people.models import Credential
from linli.station.models import Application, Receipt
from linli.station.tests.helpers import ALL_TIERS, station_world
from linli.testing.openapi import check

BASE = "/api/station"


@pytest.fixture
def sw(world):
    return station_world(world)


@pytest.fixture
def schema(client, db):
    return client.get("/api/openapi.json").json()


def post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


def _officer(client, sw):
    client.force_login(sw.officer)
    return client


def test_catalogue_prefill_apply_track_decide_through_the_api(sw, login, schema, client):
    me = login("resident")
    services = check(schema, me.get(f"{BASE}/services"), f"{BASE}/services", "get", 200)
    assert {s["code"] for s in services} >= {
        "elder_card",
        "longevity_allowance",
        "dibao",
        "health_check",
        "residence_proof",
        "disability_card_renewal",
    }
    bundles = check(schema, me.get(f"{BASE}/bundles"), f"{BASE}/bundles", "get", 200)
    assert bundles[0]["code"] == "turning_80" and len(bundles[0]["services"]) == 3
    pre = check(schema, me.get(f"{BASE}/prefill?service=elder_card"), f"{BASE}/prefill", "get", 200)
    assert {p["key"] for p in pre["prefilled"]} == {"full_name", "id_number", "address", "phone"}
    assert pre["to_type"] == ["photo"] and pre["tiers_needed"] == ["basic", "contact", "identity"]
    body = {
        "services": ["elder_card"],
        "values": {"photo": "二寸照片"},
        "consent_tiers": ["basic", "contact", "identity"],
    }
    receipt = check(
        schema, post(me, f"{BASE}/applications", body), f"{BASE}/applications", "post", 201
    )
    (a,) = receipt["applications"]
    assert a["status"] == "submitted" and a["department"] == "西湖区民政局"
    path = BASE + "/applications/{application_id}"
    url = f"{BASE}/applications/{a['id']}"
    mine = check(schema, me.get(url), path, "get", 200)
    assert mine["actions"] == ["withdraw"]
    officer = _officer(client, sw)
    seen = check(schema, officer.get(url), path, "get", 200)
    assert seen["actions"] == ["accept", "more", "refuse"]
    step = path + "/steps/{action}"
    check(schema, post(officer, f"{url}/steps/accept"), step, "post", 200)
    done = check(schema, post(officer, f"{url}/steps/grant", {"number": "LN-9"}), step, "post", 200)
    assert done["status"] == "granted"
    listed = check(schema, me.get(f"{BASE}/applications"), f"{BASE}/applications", "get", 200)
    assert [x["status"] for x in listed] == ["granted"]
    assert Credential.objects.get(resident=sw.wang).number == "LN-9"


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        (
            {"services": ["elder_card"], "values": {"photo": "照片"}},
            400,
            "consent_missing",
            "consent",
        ),
        (
            {"services": ["elder_card"], "consent_tiers": ALL_TIERS},
            400,
            "missing_document",
            "photo",
        ),
        ({"services": ["nope"], "consent_tiers": ALL_TIERS}, 400, "invalid", "service"),
        (
            {"services": ["disability_card_renewal"], "consent_tiers": ALL_TIERS},
            400,
            "not_eligible",
            "service",
        ),
        (
            {
                "services": ["elder_card"],
                "values": {"photo": "x"},
                "consent_tiers": ALL_TIERS,
                "resident_id": 999999,
            },
            403,
            "forbidden",
            None,
        ),
    ],
)
def test_bad_applications_answer_structured_json_and_change_nothing(
    sw, login, schema, body, status, code, field
):
    me = login("resident")
    out = check(
        schema, post(me, f"{BASE}/applications", body), f"{BASE}/applications", "post", status
    )
    assert out["error"]["code"] == code and out["error"].get("field") == field
    assert out["error"]["message"]
    assert not Application.objects.exists() and not Receipt.objects.exists()


def test_a_duplicate_through_the_api_is_409(sw, login, schema):
    me = login("resident")
    body = {"services": ["elder_card"], "values": {"photo": "照片"}, "consent_tiers": ALL_TIERS}
    check(schema, post(me, f"{BASE}/applications", body), f"{BASE}/applications", "post", 201)
    out = check(schema, post(me, f"{BASE}/applications", body), f"{BASE}/applications", "post", 409)
    assert out["error"]["code"] == "duplicate"
    assert Application.objects.count() == 1


@pytest.mark.parametrize("role", ["grid_worker", "volunteer", "family", "mediator", "street_admin"])
def test_wrong_roles_cannot_apply_or_decide(sw, login, role):
    c = login(role)
    assert post(c, f"{BASE}/applications", {"services": ["elder_card"]}).status_code == 403
    assert c.get(f"{BASE}/applications").status_code == 403
    assert c.get("/station/window/").status_code == 403
    assert c.get("/station/apply/elder_card/").status_code == 403
    assert c.get("/station/queue/").status_code == 403


def test_the_resident_cannot_decide_and_another_department_cannot_see(sw, login, schema):
    me = login("resident")
    body = {"services": ["elder_card"], "values": {"photo": "照片"}, "consent_tiers": ALL_TIERS}
    rid = post(me, f"{BASE}/applications", body).json()["applications"][0]["id"]
    out = post(me, f"{BASE}/applications/{rid}/steps/accept")
    assert out.status_code == 403 and out.json()["error"]["code"] == "forbidden"
    other = login("dept_officer")  # 城管
    assert other.get(f"{BASE}/applications/{rid}").status_code == 404
    assert other.get(f"/station/a/{rid}/").status_code == 404
    assert post(other, f"{BASE}/applications/{rid}/steps/accept").status_code == 404
    assert login("community_worker").get("/station/queue/").status_code == 403
    assert me.get("/station/queue/").status_code == 403
    assert Application.objects.get(pk=rid).status == "submitted"


def test_anonymous_is_sent_to_login_and_refused_by_the_api(sw, client):
    assert client.get("/station/").status_code == 302
    assert client.get(f"{BASE}/services").status_code == 401


def test_resident_applies_on_the_page_with_consent(sw, login):
    me = login("resident")
    page = me.get("/station/apply/elder_card/")
    html = page.content.decode()
    assert page.status_code == 200 and sw.wang.id_number in html and "档案已有" in html
    form = {"stage": "submit", "v_photo": "二寸照片"}
    bad = me.post("/station/apply/elder_card/", form)
    assert bad.status_code == 200 and "请确认同意向审批部门提供以下信息" in bad.content.decode()
    assert not Application.objects.exists()
    ok = me.post(
        "/station/apply/elder_card/", {**form, "consent": ["basic", "contact", "identity"]}
    )
    assert ok.status_code == 302
    receipt = Receipt.objects.get()
    assert ok["Location"] == f"/station/receipt/{receipt.pk}/"
    assert "综合服务受理回执" in me.get(ok["Location"]).content.decode()
    a = receipt.applications.get()
    progress = me.get(f"/station/a/{a.pk}/").content.decode()
    assert "已提交" in progress and "提交申请" in progress


def test_window_clerk_applies_the_bundle_with_consent_and_presence(sw, login):
    clerk = login("community_worker")
    found = clerk.get("/station/window/?q=李桂兰").content.decode()
    assert f"/station/bundle/turning_80/?resident={sw.li.pk}" in found
    url = f"/station/bundle/turning_80/?resident={sw.li.pk}"
    step1 = clerk.get(url).content.decode()
    assert "居民本人在场" in step1 and sw.li.id_number not in step1
    no_presence = clerk.post(url, {"stage": "consent", "resident": sw.li.pk, "consent": ALL_TIERS})
    assert "须居民本人在场" in no_presence.content.decode()
    form = clerk.post(
        url, {"stage": "consent", "resident": sw.li.pk, "consent": ALL_TIERS, "present": "1"}
    ).content.decode()
    assert sw.li.id_number in form and "LN-2016-0042" in form
    done = clerk.post(
        url,
        {
            "stage": "submit",
            "resident": sw.li.pk,
            "consent": ALL_TIERS,
            "present": "1",
            "v_bank_card": "社保卡",
            "v_photo": "照片",
            "v_hukou": "户口簿",
        },
    )
    assert done.status_code == 302
    receipt = Receipt.objects.get()
    assert receipt.applications.count() == 3 and receipt.channel == "window"
    assert all(a.consent["present"] for a in receipt.applications.all())
    printed = clerk.get(done["Location"]).content.decode()
    assert "西湖区卫生健康局" in printed and "西湖区民政局" in printed and "打印回执" in printed


def test_guide_pages_for_every_service(sw, login):
    c = login("family")  # the catalogue and its guides are for everyone signed in
    for code in ("elder_card", "dibao", "health_check", "residence_proof"):
        page = c.get(f"/station/guide/{code}/")
        assert page.status_code == 200 and "谁能办" in page.content.decode()
    assert c.get("/station/guide/nope/").status_code == 404


def test_department_queue_lists_only_its_applications(sw, login, client):
    Credential.objects.create(
        resident=sw.wang,
        kind="elder_card",
        name="老年证",
        number="LN-1",
        issued_on=dt.date(2016, 3, 15),
    )
    me = login("resident")
    body = {
        "bundle": "turning_80",
        "values": {"bank_card": "卡", "photo": "照片", "hukou": "户口簿"},
        "consent_tiers": ALL_TIERS,
    }
    assert post(me, f"{BASE}/applications", body).status_code == 201
    client.force_login(sw.health_officer)
    page = client.get("/station/queue/").content.decode()
    assert page.count("<tr>") == 2  # header + the one health check
    assert "老年人免费体检预约" in page and "高龄津贴申领" not in page
