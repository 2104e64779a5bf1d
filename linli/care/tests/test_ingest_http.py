"""CARE-2 HTTP batch endpoint: POST /api/care/readings, authenticated per gateway."""

import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from linli.care.models import Gateway, Reading
from linli.care.services.devices import gateway_token_rotate
from linli.care.tests.ingest_helpers import ago, make_home
from linli.testing.routes import api_routes

URL = "/api/care/readings"


@pytest.fixture
def home(world):
    return make_home(world)


def post(client: Client, body: object, token: str | None) -> Any:
    headers: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.post(URL, data=json.dumps(body), content_type="application/json", **headers)


def reading(serial: str, at, value, **extra) -> dict:
    return {"serial": serial, "at": at.isoformat(), "value": value, **extra}


def test_gateway_posts_a_batch_and_gets_a_count(home):
    w, d = home.serial("water"), home.serial("door")
    body = {
        "readings": [
            reading(w, ago(hours=2), 3.5, battery=88),
            reading(w, ago(hours=1), 3.6),
            reading(d, ago(minutes=30), 1),
        ]
    }
    # A strict CSRF client: a gateway has no session, the token is the credential.
    response = post(Client(enforce_csrf_checks=True), body, home.token)
    assert response.status_code == 200
    assert response.json() == {"accepted": 3, "duplicates": 0, "rejected": []}
    assert Reading.objects.filter(source="http").count() == 3
    home.devices["water"].refresh_from_db()
    assert home.devices["water"].battery == 88


def test_resending_the_same_batch_reports_duplicates(home):
    body = {"readings": [reading(home.serial("water"), ago(hours=1), 3.5)]}
    post(Client(), body, home.token)
    response = post(Client(), body, home.token)
    assert response.json() == {"accepted": 0, "duplicates": 1, "rejected": []}
    assert Reading.objects.count() == 1


def test_malformed_items_are_refused_one_by_one(home):
    w = home.serial("water")
    items = [
        reading(w, ago(hours=3), 1.0),
        "not an object",
        {"at": ago(hours=2).isoformat(), "value": 1.0},
        {"serial": w, "at": "yesterday", "value": 1.0},
        {"serial": w, "at": ago(hours=2).isoformat(), "value": "1.2"},
        {"serial": w, "at": ago(hours=2).isoformat(), "value": True},
        {"serial": w, "at": ago(hours=2).isoformat(), "value": 1.2, "battery": "full"},
        {"serial": w, "at": 12345, "value": 1.2},
        reading(w, ago(hours=1), 1.5),
    ]
    response = post(Client(), {"readings": items}, home.token)
    assert response.status_code == 200
    body = response.json()
    assert body["accepted"] == 2
    codes = [(r["index"], r["code"]) for r in body["rejected"]]
    assert codes == [
        (1, "malformed"),
        (2, "malformed"),
        (3, "bad_time"),
        (4, "not_number"),
        (5, "not_number"),
        (6, "bad_battery"),
        (7, "bad_time"),
    ]
    assert all(r["message"] for r in body["rejected"])
    assert "ISO 8601" in body["rejected"][2]["message"]


def test_nan_in_the_json_is_refused_as_not_finite(home):
    item = json.dumps(reading(home.serial("water"), ago(hours=1), 0.0))
    raw = '{"readings": [' + item.replace("0.0", "NaN") + "]}"
    response = Client().post(
        URL, data=raw, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {home.token}"
    )
    assert response.status_code == 200
    assert response.json()["rejected"][0]["code"] == "not_finite"
    assert not Reading.objects.exists()


def test_unix_seconds_and_offset_free_times_are_accepted(home):
    d = home.serial("door")
    t1, t2 = ago(hours=2), ago(hours=1)
    local = timezone.localtime(t2)  # Beijing time written without its offset
    items = [
        {"serial": d, "at": int(t1.timestamp()), "value": 1},
        {"serial": d, "at": local.replace(tzinfo=None).isoformat(), "value": 1},
    ]
    response = post(Client(), {"readings": items}, home.token)
    assert response.json()["accepted"] == 2
    assert set(Reading.objects.values_list("at", flat=True)) == {t1, t2}


def test_over_5000_readings_in_one_request_is_refused_whole(home):
    items = [reading(home.serial("door"), ago(minutes=1), 1)] * 5001
    response = post(Client(), {"readings": items}, home.token)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert not Reading.objects.exists()


def test_missing_or_wrong_token_is_401(home):
    body = {"readings": [reading(home.serial("door"), ago(minutes=1), 1)]}
    assert post(Client(), body, None).status_code == 401
    assert post(Client(), body, "gw_not-a-real-token").status_code == 401
    assert post(Client(), body, home.token + "x").status_code == 401
    assert not Reading.objects.exists()


def test_signed_in_users_are_not_gateways(home, login):
    body = {"readings": [reading(home.serial("door"), ago(minutes=1), 1)]}
    for role in ("sysadmin", "grid_worker", "community_worker"):
        response = login(role).post(URL, data=json.dumps(body), content_type="application/json")
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "not_authenticated"
    assert not Reading.objects.exists()


def test_user_api_token_is_not_a_gateway_token(home, world):
    from linli.accounts.services import api_token_create

    _, key = api_token_create(actor=world["sysadmin"], user=world["sysadmin"], name="admin")
    body = {"readings": [reading(home.serial("door"), ago(minutes=1), 1)]}
    assert post(Client(), body, key).status_code == 401


def test_inactive_gateway_and_rotated_token_are_refused(home):
    body = {"readings": [reading(home.serial("door"), ago(minutes=1), 1)]}
    _, new_token = gateway_token_rotate(actor=None, gateway_id=home.gateway.pk)
    assert post(Client(), body, home.token).status_code == 401
    assert post(Client(), body, new_token).status_code == 200
    Gateway.objects.filter(pk=home.gateway.pk).update(active=False)
    assert post(Client(), body, new_token).status_code == 401


def test_token_is_not_stored(home):
    row = Gateway.objects.filter(pk=home.gateway.pk).values().get()
    assert home.token not in str(row)
    assert row["token_hash"] == Gateway.hash_token(home.token)


def test_a_gateway_cannot_report_for_another_gateways_devices(home, world):
    other = make_home(world, gateway_name="gw-other", prefix="X", room="102")
    body = {"readings": [reading(other.serial("door"), ago(minutes=1), 1)]}
    response = post(Client(), body, home.token)
    assert response.json()["rejected"][0]["code"] == "wrong_gateway"
    assert not Reading.objects.exists()


def test_route_declares_gateway_callers():
    [route] = [r for r in api_routes() if r.url == URL]
    assert route.access == "gateway" and route.method == "POST"
