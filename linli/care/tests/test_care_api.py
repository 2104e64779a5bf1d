"""The care API (/api/care/…): alerts, away periods, home services; wrong callers get
"not found" or "forbidden" with a Chinese message, and bad input changes nothing."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from linli.accounts.services import api_token_create
from linli.care.models import Alert, AlertStatus, AwayPeriod, HomeService, Rule
from linli.care.tests.care_helpers import grid_worker_a2, make_care, open_alert
from linli.people.choices import Audience

JSON = "application/json"


@pytest.fixture
def care(world):
    return make_care(world)


def as_user(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_alert_list_take_close(care, world, login):
    alert = open_alert(care)
    gw = login("grid_worker")
    rows = gw.get("/api/care/alerts").json()
    assert [r["id"] for r in rows] == [alert.pk]
    row = rows[0]
    assert row["rule"] == "no_water" and row["rule_label"] == "12小时无用水"
    assert row["address"] == "1幢1单元101" and row["resident_name"] == "王秀英"
    assert row["can_act"] is True and row["lat"] == 30.2725
    r = gw.post(f"/api/care/alerts/{alert.pk}/ack")
    assert r.status_code == 200 and r.json()["status"] == "acknowledged"
    again = gw.post(f"/api/care/alerts/{alert.pk}/ack")
    assert again.status_code == 409 and "已由" in again.json()["error"]["message"]
    bad = gw.post(f"/api/care/alerts/{alert.pk}/close", {"outcome": "ok"}, content_type=JSON)
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "outcome"
    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.ACKNOWLEDGED
    r = gw.post(
        f"/api/care/alerts/{alert.pk}/close",
        {"outcome": "device_fault", "note": "水表坏了"},
        content_type=JSON,
    )
    body = r.json()
    assert r.status_code == 200 and body["status"] == "closed"
    assert body["outcome_label"] == "设备故障" and body["can_act"] is False
    assert gw.get("/api/care/alerts").json() == []
    closed = gw.get("/api/care/alerts?status=closed").json()
    assert [c["id"] for c in closed] == [alert.pk]


def test_alert_wrong_callers(care, world, login):
    alert = open_alert(care)
    other = as_user(grid_worker_a2(world))
    assert other.get("/api/care/alerts").json() == []
    r = other.get(f"/api/care/alerts/{alert.pk}")
    assert r.status_code == 404 and r.json()["error"]["message"] == "没有找到这条看护提醒。"
    assert other.post(f"/api/care/alerts/{alert.pk}/ack").status_code == 404
    r = login("community_worker").post(f"/api/care/alerts/{alert.pk}/ack")
    assert r.status_code == 403 and "上报到社区后" in r.json()["error"]["message"]
    r = login("resident").get("/api/care/alerts")
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    r = as_user(care.family).post(f"/api/care/alerts/{alert.pk}/ack")
    assert r.status_code == 403
    assert Client().get("/api/care/alerts").status_code == 401
    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.OPEN


def test_family_sees_alerts_only_when_allowed(world):
    care = make_care(world)
    alert = open_alert(care)
    fam = as_user(care.family)
    rows = fam.get("/api/care/alerts").json()
    assert [r["id"] for r in rows] == [alert.pk] and rows[0]["can_act"] is False
    care.resident.alerts_audience = Audience.GRID
    care.resident.save()
    assert fam.get("/api/care/alerts").json() == []
    assert fam.get(f"/api/care/alerts/{alert.pk}").status_code == 404


def test_bearer_token_for_a_phone_app(care, world, client):
    alert = open_alert(care, Rule.CALL)
    _, key = api_token_create(actor=world["sysadmin"], user=world["grid_worker"], name="app")
    r = client.post(f"/api/care/alerts/{alert.pk}/ack", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert r.status_code == 200 and r.json()["acknowledged_by"] == "grid_worker"


def test_away_create_list_end(care, world):
    fam = as_user(care.family)
    starts = timezone.now()
    body = {
        "household_id": care.household.pk,
        "starts": starts.isoformat(),
        "ends": (starts + dt.timedelta(days=4)).isoformat(),
        "reason": "hospital",
        "note": "市一医院",
    }
    r = fam.post("/api/care/away", body, content_type=JSON)
    assert r.status_code == 201 and r.json()["reason_label"] == "住院"
    away_id = r.json()["id"]
    listed = as_user(world["grid_worker"]).get(f"/api/care/away?household_id={care.household.pk}")
    assert [a["id"] for a in listed.json()] == [away_id]
    r = fam.post(f"/api/care/away/{away_id}/end")
    assert r.status_code == 200
    assert fam.get("/api/care/away").json() == []


def test_away_bad_input_and_wrong_callers(care, world, login):
    starts = timezone.now()
    body = {
        "household_id": care.household.pk,
        "starts": starts.isoformat(),
        "ends": (starts - dt.timedelta(days=1)).isoformat(),
        "reason": "hospital",
    }
    r = as_user(care.family).post("/api/care/away", body, content_type=JSON)
    assert r.status_code == 400 and r.json()["error"]["field"] == "ends"
    good = {**body, "ends": (starts + dt.timedelta(days=1)).isoformat()}
    r = as_user(care.family).post(
        "/api/care/away", {**good, "household_id": care.other_household.pk}, content_type=JSON
    )
    assert r.status_code == 404
    r = login("secretary").post("/api/care/away", {**good, "reason": "x"}, content_type=JSON)
    assert r.status_code == 400 and r.json()["error"]["field"] == "reason"
    assert login("dept_officer").post("/api/care/away", good, content_type=JSON).status_code == 403
    assert not AwayPeriod.objects.exists()


def test_services_record_list_short_and_tiers(care, world, login):
    gw = login("grid_worker")
    at = timezone.now() - dt.timedelta(hours=2)
    body = {
        "resident_id": care.resident.pk,
        "kind": "bathing",
        "provided_at": at.isoformat(),
        "provider": "助浴队",
    }
    r = gw.post("/api/care/services", body, content_type=JSON)
    assert r.status_code == 201 and r.json()["kind_label"] == "上门助浴"
    dup = gw.post("/api/care/services", body, content_type=JSON)
    assert dup.status_code == 409
    month = timezone.localtime(at).strftime("%Y-%m")
    rows = login("community_worker").get(f"/api/care/services?month={month}").json()
    assert [s["resident_name"] for s in rows] == ["王秀英"]
    bad = gw.get("/api/care/services?month=2026-13")
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "month"
    short = login("secretary").get("/api/care/services/short").json()
    assert short[0]["full_name"] == "王秀英" and short[0]["done"] == 1 and short[0]["missing"] == 1
    street = login("street_admin").get(
        f"/api/care/services/short?community_id={world.community_b.pk}"
    )
    assert [s["full_name"] for s in street.json()] == ["赵大爷"]
    wrong = login("community_worker").get(
        f"/api/care/services/short?community_id={world.community_b.pk}"
    )
    assert wrong.status_code == 404
    tiers = login("resident").get("/api/care/services/tiers?ability=disabled").json()
    assert tiers[0] == {"kind": "medical_link", "label": "医养结合转介"}


def test_services_wrong_callers(care, world, login):
    body = {
        "resident_id": care.other_resident.pk,
        "kind": "meals",
        "provided_at": timezone.now().isoformat(),
        "provider": "食堂",
    }
    assert (
        login("grid_worker").post("/api/care/services", body, content_type=JSON).status_code == 404
    )
    r = login("family").post("/api/care/services", body, content_type=JSON)
    assert r.status_code == 403
    assert login("family").get("/api/care/services").status_code == 403
    assert not HomeService.objects.exists()
