"""The API and pages of mediation: the flow through /api/mediation checked against the
OpenAPI schema; who sees a dispute (its mediators, the community secretary, whoever
registered it, the parties — their own only), every read audited; wrong callers refused."""

import datetime as dt

import pytest
from django.utils import timezone

from linli.core.audit.models import AuditEntry
from linli.core.roles import Role
from linli.mediation.choices import AuditAction, Status
from linli.mediation.models import Dispute
from linli.mediation.tests.helpers import drive, mediation_world, register
from linli.people.models import Resident
from linli.testing.openapi import check
from linli.testing.world import make_user

BASE = "/api/mediation/disputes"


@pytest.fixture
def mw(world):
    return mediation_world(world)


@pytest.fixture
def schema(client, db):
    return client.get("/api/openapi.json").json()


def post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


def test_the_whole_flow_through_the_api(mw, login, schema):
    staff = login("community_worker")
    body = {
        "type": "noise",
        "source": "walk_in",
        "description": "楼上夜间拖动家具",
        "community_id": mw.world.community_a.pk,
        "parties": [
            {"side": "applicant", "resident_id": mw.wang.pk},
            {"side": "respondent", "name": "张外来", "phone": "13912345678"},
        ],
    }
    created = check(schema, post(staff, BASE, body), BASE, "post", 201)
    assert created["status"] == "registered" and created["mediators"] == ["mediator"]
    # An outside party's phone is masked in answers and ciphertext at rest.
    assert [p["phone"] for p in created["parties"]] == ["", "139****5678"]
    url = f"{BASE}/{created['id']}"
    path = BASE + "/{dispute_id}"
    m = login("mediator")
    assert "accept" in check(schema, m.get(url), path, "get", 200)["actions"]
    check(schema, post(m, f"{url}/accept"), path + "/accept", "post", 200)
    now = timezone.now().isoformat()
    session = {"held_at": now, "attendees": "王秀英、张外来", "notes": "双方各退一步"}
    check(schema, post(m, f"{url}/sessions", session), path + "/sessions", "post", 200)
    party_id = created["parties"][1]["id"]
    agreement = {
        "facts": "夜间噪音",
        "obligations": [
            {
                "party_id": party_id,
                "duty": "十点后不拖家具",
                "by": str(timezone.localdate() + dt.timedelta(days=3)),
            }
        ],
        "court_confirmation": True,
    }
    agreed = check(schema, post(m, f"{url}/agreement", agreement), path + "/agreement", "post", 200)
    assert (
        agreed["status"] == "agreed" and agreed["agreement"]["obligations"][0]["name"] == "张外来"
    )
    scan = b"%PDF-1.4 signed by both"
    signed = m.post(f"{url}/signed", {"scan": _file(scan)})
    body = check(schema, signed, path + "/signed", "post", 200)
    import hashlib

    assert body["agreement"]["scan_sha256"] == hashlib.sha256(scan).hexdigest()
    done = check(
        schema,
        post(m, f"{url}/follow-ups", {"fulfilment": "fulfilled"}),
        path + "/follow-ups",
        "post",
        200,
    )
    assert [f["fulfilment"] for f in done["follow_ups"]] == ["fulfilled", ""]
    rates = check(schema, m.get("/api/mediation/rates?by=type"), "/api/mediation/rates", "get", 200)
    assert rates["total"]["agreements"] == 1 and rates["total"]["small_sample"] is True


def _file(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("signed.pdf", data, content_type="application/pdf")


def test_api_errors_are_structured_and_change_nothing(mw, login):
    m = login("mediator")
    dispute = drive(mw, register(mw), Status.MEDIATING)
    url = f"{BASE}/{dispute.pk}"
    before = AuditEntry.objects.exclude(action=AuditAction.READ).count()
    r = post(m, f"{url}/agreement", {"facts": "事实", "obligations": []})
    assert r.status_code == 400 and r.json()["error"]["field"] == "obligations"
    r = post(m, f"{url}/follow-ups", {"fulfilment": "fulfilled"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "illegal_transition"
    r = m.post(f"{url}/signed", {"scan": _file(b"GIF89a not a scan")})
    assert r.status_code == 409  # not agreed yet: the flow refuses before the file is read
    r = post(m, f"{url}/extend", {"days": 5, "reason": "x"})
    assert r.status_code == 403  # only the secretary extends
    r = post(
        m,
        f"{url}/sessions",
        {"held_at": "9999-12-31T23:59:59-12:00", "attendees": "a", "notes": "b"},
    )
    assert r.status_code == 400 and r.json()["error"]["field"] == "held_at"
    r = m.get("/api/mediation/rates?start=2026-12-01&end=2026-01-01")
    assert r.status_code == 400 and r.json()["error"]["field"] == "start"
    # A time without an offset is local time, not a server error.
    local = timezone.localtime().replace(tzinfo=None, microsecond=0) - dt.timedelta(hours=1)
    r = post(m, f"{url}/sessions", {"held_at": local.isoformat(), "attendees": "a", "notes": "b"})
    assert r.status_code == 200, r.content
    held = Dispute.objects.get(pk=dispute.pk).sessions.order_by("held_at").first().held_at
    assert timezone.localtime(held).replace(tzinfo=None) == local
    r = m.get("/api/mediation/rates?start=2026-12-01&end=2026-01-01")
    assert r.status_code == 400 and r.json()["error"]["field"] == "start"
    assert Dispute.objects.get(pk=dispute.pk).status == Status.MEDIATING
    # Only the one good session was written.
    assert AuditEntry.objects.exclude(action=AuditAction.READ).count() == before + 1


def test_who_sees_a_dispute(mw, login, world):
    dispute = drive(mw, register(mw), Status.MEDIATING)
    url = f"{BASE}/{dispute.pk}"
    reads = AuditEntry.objects.filter(action=AuditAction.READ, object_id=str(dispute.pk))
    seen = {}
    for role in ("mediator", "secretary", "community_worker", "resident", "sysadmin"):
        r = login(role).get(url)
        seen[role] = r.status_code
    assert seen == dict.fromkeys(seen, 200)
    # Every read is audited, naming who read it.
    assert sorted(reads.values_list("actor_label", flat=True)) == sorted(seen)
    # The party sees their case but not the mediator's session notes.
    party = login("resident").get(url).json()
    assert party["sessions"] == [] and party["actions"] == []
    staff = login("mediator").get(url).json()
    assert staff["sessions"][0]["notes"] == "双方陈述"
    # Same roles elsewhere, or roles that never see details: not found or refused.
    for role in (
        "grid_worker",
        "street_admin",
        "supervisor",
        "evaluator",
        "dept_officer",
        "volunteer",
    ):
        r = login(role).get(url)
        assert r.status_code in (403, 404), role
        assert "楼上" not in r.content.decode()
    other = make_user("neighbour", Role.RESIDENT)
    Resident.objects.create(
        household=mw.li.household, full_name="邻居", sex="F", birth_year=1980, user=other
    )
    from django.test import Client

    outsider = Client()
    outsider.force_login(other)
    assert outsider.get(url).status_code == 404
    assert outsider.get(f"/mediation/{dispute.pk}/").status_code == 404
    assert outsider.get(f"/mediation/{dispute.pk}/agreement.pdf").status_code == 404
    assert [d["id"] for d in outsider.get(BASE).json()] == []
    # The secretary of another community sees nothing.
    assert login("resident").get(BASE).json()[0]["id"] == dispute.pk


def test_pages_refuse_wrong_roles_and_other_parties(mw, login):
    dispute = drive(mw, register(mw), Status.MEDIATING)
    page = f"/mediation/{dispute.pk}/"
    assert login("dept_officer").get(page).status_code == 403
    assert login("grid_worker").get(page).status_code == 404
    r = login("resident").get(page)
    assert r.status_code == 200 and "楼上夜间拖动家具" in r.content.decode()
    assert "双方陈述" not in r.content.decode()  # session notes are the mediator's
    # A party cannot take a step, not even by posting the form.
    r = login("resident").post(f"/mediation/{dispute.pk}/do/agree/", {"facts": "x"})
    assert r.status_code == 403
    r = login("community_worker").post(
        f"/mediation/{dispute.pk}/do/agree/", {"facts": "x", "duty_0": "y"}
    )
    assert r.status_code == 302
    assert Dispute.objects.get(pk=dispute.pk).status == Status.MEDIATING
    assert login("supervisor").get("/mediation/rates/").status_code == 200
    r = login("supervisor").get("/mediation/rates/?start=2026-13-40&by=type")
    assert r.status_code == 200 and "日期格式不正确" in r.content.decode()
    r = login("supervisor").get("/mediation/rates/?end=1999-01-01")
    assert "日期应在 2000 年到 2099 年之间" in r.content.decode()
    assert login("resident").get("/mediation/rates/").status_code == 403
    assert login("resident").get("/mediation/new/").status_code == 403


def test_intake_page_registers_and_shows_errors_in_chinese(mw, login):
    staff = login("community_worker")
    form = {
        "type": "parking",
        "source": "walk_in",
        "community_id": str(mw.world.community_a.pk),
        "description": "车位被占",
        "applicant_0_name": "赵大爷",
        "applicant_0_phone": "13800001111",
    }
    r = staff.post("/mediation/new/", form)
    assert r.status_code == 400 and "请至少填写一位申请人和一位被申请人" in r.content.decode()
    assert 'value="赵大爷"' in r.content.decode()  # what the clerk typed comes back
    assert not Dispute.objects.exists()
    form["respondent_0_name"] = "钱师傅"
    r = staff.post("/mediation/new/", form)
    assert r.status_code == 302
    dispute = Dispute.objects.get()
    assert r["Location"] == f"/mediation/{dispute.pk}/"
    page = staff.get(r["Location"]).content.decode()
    assert "赵大爷" in page and "138****1111" in page and "13800001111" not in page
