"""/api/fieldwork against its own OpenAPI schema; who may call each operation (a resident
and another grid's worker refused); uploads idempotent on the phone's UUID; photos checked
and stripped by casework's photo rules; the visit history on the resident record."""

import io
import uuid

import pytest
from django.test import Client
from PIL import Image

from linli.casework.models import Case, CasePhoto
from linli.core.audit.models import AuditEntry
from linli.fieldwork.models import PatrolReport, Visit
from linli.fieldwork.tests.helpers import field_world
from linli.testing.openapi import check

pytestmark = pytest.mark.clock("2026-06-10 09:00")
BASE = "/api/fieldwork"


@pytest.fixture
def fw(world):
    return field_world(world)


@pytest.fixture
def schema(client, db):
    return client.get("/api/openapi.json").json()


def jpeg(size=(2400, 1800), gps=True) -> bytes:
    buf = io.BytesIO()
    img = Image.new("RGB", size, (120, 160, 90))
    exif = Image.Exif()
    if gps:
        exif[0x8825] = {1: "N", 2: (30.0, 16.0, 20.0)}
    img.save(buf, "JPEG", exif=exif)
    return buf.getvalue()


def as_worker2(fw):
    c = Client()
    c.force_login(fw.worker2)
    return c


def report_body(key, **kw):
    body = {
        "uuid": key,
        "category_code": "01-10",
        "description": "3幢东侧暴露垃圾",
        "lat": "30.2712",
        "lon": "120.1212",
        "address": "3幢",
    }
    body.update(kw)
    return body


def test_today_list_through_the_api(fw, login, schema):
    data = check(schema, login("grid_worker").get(f"{BASE}/today"), f"{BASE}/today", "get", 200)
    names = {t["resident_name"] for t in data}
    assert {"赵独居", "钱半失能", "孙低保", "李老人"} <= names and "吴独居" not in names
    # the names shown are one audited list
    assert AuditEntry.objects.filter(
        action="resident.listed", actor_id=fw["grid_worker"].pk
    ).exists()


@pytest.mark.parametrize("role", ["resident", "family", "volunteer", "community_worker"])
def test_today_and_uploads_refuse_wrong_roles(fw, login, role):
    c = login(role)
    assert c.get(f"{BASE}/today").status_code == 403
    body = {"uuid": str(uuid.uuid4()), "resident_id": fw.alone.pk, "outcome": "seen"}
    r = c.post(f"{BASE}/visits", body, content_type="application/json")
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    assert c.post(f"{BASE}/reports", report_body(str(uuid.uuid4()))).status_code == 403
    assert not Visit.objects.exists() and not PatrolReport.objects.exists()


def test_anonymous_is_asked_to_log_in(fw, client):
    assert client.get(f"{BASE}/today").status_code == 401


def test_visit_idempotent_and_another_grids_worker_refused(fw, login, schema):
    key = str(uuid.uuid4())
    body = {
        "uuid": key,
        "resident_id": fw.alone.pk,
        "outcome": "seen",
        "lat": 30.2726,
        "lon": 120.1226,
    }
    gw = login("grid_worker")
    first = check(
        schema,
        gw.post(f"{BASE}/visits", body, content_type="application/json"),
        f"{BASE}/visits",
        "post",
        201,
    )
    again = check(
        schema,
        gw.post(f"{BASE}/visits", body, content_type="application/json"),
        f"{BASE}/visits",
        "post",
        200,
    )
    assert first["id"] == again["id"] and again["created"] is False
    assert Visit.objects.count() == 1
    # Grid A2's worker: not their resident (not found), and not their UUID (conflict).
    other = as_worker2(fw)
    r = other.post(
        f"{BASE}/visits", {**body, "uuid": str(uuid.uuid4())}, content_type="application/json"
    )
    assert r.status_code == 404
    r = other.post(
        f"{BASE}/visits",
        {**body, "resident_id": fw.a2_resident.pk},
        content_type="application/json",
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "uuid_taken"
    assert Visit.objects.count() == 1


def test_visit_bad_input_changes_nothing(fw, login):
    gw = login("grid_worker")
    for body, field in [
        ({"uuid": "not-a-uuid", "resident_id": fw.alone.pk, "outcome": "seen"}, "uuid"),
        ({"uuid": str(uuid.uuid4()), "resident_id": fw.alone.pk, "outcome": "maybe"}, "outcome"),
        (
            {
                "uuid": str(uuid.uuid4()),
                "resident_id": fw.alone.pk,
                "outcome": "seen",
                "lat": 91,
                "lon": 0,
            },
            "lat",
        ),
        (
            {
                "uuid": str(uuid.uuid4()),
                "resident_id": fw.alone.pk,
                "outcome": "seen",
                "at": "2030-01-01T00:00:00+08:00",
            },
            "at",
        ),
    ]:
        r = gw.post(f"{BASE}/visits", body, content_type="application/json")
        assert r.status_code == 400, body
        assert r.json()["error"]["field"] == field
        assert r.json()["error"]["message"]
    assert not Visit.objects.exists()


def test_needs_help_opens_a_prefilled_case(fw, login):
    gw = login("grid_worker")
    body = {
        "uuid": str(uuid.uuid4()),
        "resident_id": fw.semi.pk,
        "outcome": "needs_help",
        "note": "想申请助浴",
    }
    data = gw.post(f"{BASE}/visits", body, content_type="application/json").json()
    case = Case.objects.get(tracking_no=data["case_tracking_no"])
    assert (
        case.resident_id == fw.semi.pk
        and case.channel == "window"
        and case.category.code == "21-02"
    )
    assert "想申请助浴" in case.description and case.grid_id == fw.world.grid_a1.pk


def test_patrol_report_is_a_proactive_case_with_clean_photos(fw, login, schema):
    gw = login("grid_worker")
    key = str(uuid.uuid4())
    body = report_body(key)
    body["photos"] = [io.BytesIO(jpeg()), io.BytesIO(jpeg((800, 600)))]
    for f, name in zip(body["photos"], ["a.jpg", "b.jpg"], strict=True):
        f.name = name
    data = check(schema, gw.post(f"{BASE}/reports", body), f"{BASE}/reports", "post", 201)
    case = Case.objects.get(tracking_no=data["case_tracking_no"])
    assert case.channel == "proactive" and data["photos"] == 2
    report = PatrolReport.objects.get(uuid=key)
    assert report.worker == fw["grid_worker"] and report.grid_id == fw.world.grid_a1.pk
    photo = CasePhoto.objects.filter(case=case).order_by("width").last()
    img = Image.open(photo.image)
    assert max(img.size) <= 2048 and 0x8825 not in img.getexif()  # downscaled, GPS stripped
    # Sent again (the phone timed out before the answer): nothing new.
    body2 = report_body(key)
    body2["photos"] = [io.BytesIO(jpeg())]
    body2["photos"][0].name = "a.jpg"
    again = check(schema, gw.post(f"{BASE}/reports", body2), f"{BASE}/reports", "post", 200)
    assert again["case_tracking_no"] == data["case_tracking_no"] and again["photos"] == 2
    assert Case.objects.filter(channel="proactive").count() == 1
    assert CasePhoto.objects.count() == 2


def test_patrol_report_refusals(fw, login):
    gw = login("grid_worker")
    bad = io.BytesIO(b"not an image at all")
    bad.name = "x.jpg"
    r = gw.post(f"{BASE}/reports", {**report_body(str(uuid.uuid4())), "photos": [bad]})
    assert r.status_code == 400 and r.json()["error"]["field"] == "photos"
    # outside the worker's grids (grid B1)
    r = gw.post(f"{BASE}/reports", report_body(str(uuid.uuid4()), lat="30.2722", lon="120.1322"))
    assert r.status_code == 400 and r.json()["error"]["field"] == "location"
    r = gw.post(f"{BASE}/reports", report_body(str(uuid.uuid4()), category_code="99-99"))
    assert r.status_code == 400 and r.json()["error"]["field"] == "category"
    assert not Case.objects.exists() and not PatrolReport.objects.exists()


def test_visit_history_on_the_resident_record(fw, login):
    gw = login("grid_worker")
    body = {"uuid": str(uuid.uuid4()), "resident_id": fw.alone.pk, "outcome": "seen"}
    gw.post(f"{BASE}/visits", body, content_type="application/json")
    page = login("community_worker").get(f"/people/{fw.alone.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "走访记录" in text and "见到本人,平安" in text
    entry = AuditEntry.objects.filter(
        action="resident.viewed", actor_id=fw["community_worker"].pk
    ).last()
    assert entry.data.get("sections") == ["visits"]
    # The resident's own record page shows no visit log section.
    own = login("resident").get("/people/me/")
    assert "走访记录" not in own.content.decode()


def test_coverage_and_measures_for_overseers_only(fw, login, schema):
    login("grid_worker").get("/fieldwork/today/")  # writes the day
    rows = check(
        schema, login("community_worker").get(f"{BASE}/coverage"), f"{BASE}/coverage", "get", 200
    )
    assert [r["worker_name"] for r in rows] == ["grid_worker", "grid_worker_2"]
    assert rows[0]["open_items"] > 0
    check(schema, login("supervisor").get(f"{BASE}/measures"), f"{BASE}/measures", "get", 200)
    for role in ("resident", "family", "grid_worker", "volunteer"):
        assert login(role).get(f"{BASE}/coverage").status_code == 403
        assert login(role).get(f"{BASE}/measures").status_code == 403
    assert login("supervisor").get(f"{BASE}/measures?days=0").status_code == 400
