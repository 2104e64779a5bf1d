"""The pages of the grid worker's day: who may open each (residents never, other grids'
workers see only their own), the installable app's manifest and service worker, patrol
track consent on the page, the English catalogue."""

import json

import pytest

from linli.fieldwork.models import TrackConsent
from linli.fieldwork.tests.helpers import field_world
from linli.testing.english import as_user, english, text

pytestmark = pytest.mark.clock("2026-06-10 09:00")
FIELD_PAGES = (
    "/fieldwork/today/",
    "/fieldwork/report/",
    "/fieldwork/outbox/",
    "/fieldwork/tracks/",
)


@pytest.fixture
def fw(world):
    return field_world(world)


def test_worker_pages_open_for_the_worker_with_their_own_residents(fw, login):
    gw = login("grid_worker")
    for path in FIELD_PAGES:
        assert gw.get(path).status_code == 200, path
    html = gw.get("/fieldwork/today/").content.decode()
    assert "赵独居" in html and "吴独居" not in html
    assert 'rel="manifest"' in html and "outbox.js" in html
    other = as_user(fw.worker2, lang=None).get("/fieldwork/today/").content.decode()
    assert "吴独居" in other and "赵独居" not in other


@pytest.mark.parametrize("role", ["resident", "family", "volunteer", "dept_officer", "partner"])
def test_wrong_roles_are_refused_every_page(fw, login, role):
    c = login(role)
    for path in (*FIELD_PAGES, "/fieldwork/coverage/", "/fieldwork/calendar/"):
        assert c.get(path).status_code == 403, (role, path)


def test_anonymous_goes_to_login(fw, client):
    r = client.get("/fieldwork/today/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_coverage_page_states_the_definitions(fw, login):
    login("grid_worker").get("/fieldwork/today/")
    html = login("community_worker").get("/fieldwork/coverage/").content.decode()
    assert "grid_worker" in html and "grid_worker_2" in html
    assert "有效上报率 = " in html and "漏报 = " in html and "主动发现占比 = " in html
    assert login("grid_worker").get("/fieldwork/coverage/").status_code == 403


def test_manifest_and_service_worker(fw, client):
    m = client.get("/fieldwork/manifest.webmanifest")
    assert m["Content-Type"].startswith("application/manifest+json")
    data = json.loads(m.content)
    assert data["start_url"] == "/fieldwork/today/" and data["display"] == "standalone"
    sw = client.get("/fieldwork/sw.js")
    assert sw["Content-Type"].startswith("text/javascript")
    body = sw.content.decode()
    assert '"/fieldwork/today/"' in body and '"/fieldwork/report/"' in body
    assert "sync" not in body.replace("async", "")  # no Background Sync: upload on open/online


def test_track_consent_on_the_page(fw, login):
    gw = login("grid_worker")
    html = gw.get("/fieldwork/tracks/").content.decode()
    assert "居民和家属永远看不到" in html
    r = gw.post("/fieldwork/tracks/", {"enabled": "1", "work_start": "09:00", "work_end": "18:00"})
    assert r.status_code == 302
    c = TrackConsent.objects.get(worker=fw["grid_worker"])
    assert c.enabled and c.work_start.hour == 9
    bad = gw.post(
        "/fieldwork/tracks/", {"enabled": "0", "work_start": "18:00", "work_end": "09:00"}
    )
    assert bad.status_code == 400 and "下班时间须晚于上班时间" in bad.content.decode()
    c.refresh_from_db()
    assert c.enabled  # nothing changed


DATA = (
    "赵独居",
    "钱半失能",
    "孙低保",
    "李老人",
    "甲社区",
    "1号网格",
    "1幢",
    "2幢",
    "3幢",
    "单元",
    "grid_worker",
)


def test_worker_pages_in_english(fw):
    client = as_user(fw["grid_worker"])
    html = english(text(client.get("/fieldwork/today/")), DATA)
    assert "Routine visit (weekly)" in html and "I'm at the door" in html
    english(text(client.get("/fieldwork/outbox/")), DATA)
    english(text(client.get("/fieldwork/tracks/")), DATA)
