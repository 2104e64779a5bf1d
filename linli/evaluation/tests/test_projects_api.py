"""EVAL-2 over the API (checked against the OpenAPI schema) and the pages: the evaluator's
form, evidence (PDF kept, photo re-encoded, other files refused, download in scope only),
reinstatement and cut decisions; every endpoint refuses the wrong caller."""

import io

import pytest
from PIL import Image

from linli.accounts.choices import MembershipKind
from linli.accounts.models import Membership
from linli.core.roles import Role
from linli.evaluation.models import EvaluationEvidence, FundingCut, ProjectEvaluation
from linli.evaluation.tests.project_helpers import BAD, GOOD, evaluate, setup
from linli.ledger.services.funds import project_disburse
from linli.ledger.tests.programme_helpers import key
from linli.testing.openapi import check
from linli.testing.world import make_user

pytestmark = pytest.mark.clock("2026-09-15 10:00")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def schema(client, db):
    return client.get("/api/openapi.json").json()


@pytest.fixture
def s(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return setup(world)


@pytest.fixture
def other_worker(world):
    """A community worker of community B: staff, but not of this project's community."""
    user = make_user("worker_b", Role.COMMUNITY_WORKER)
    Membership.objects.create(
        user=user, kind=MembershipKind.COMMUNITY_WORKER, community=world.community_b
    )
    return user


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(out, "PNG")
    return out.getvalue()


def test_evaluator_fills_in_over_the_api(s, world, login, schema):
    ev_client = login("evaluator")
    base = f"/api/evaluation/projects/{s.project.pk}"
    body = check(
        schema, login("secretary").get(base), "/api/evaluation/projects/{project_id}", "get", 200
    )
    assert body["qualified"] and body["name"] == "长者助餐服务" and body["organisation"]
    r = ev_client.post(
        f"{base}/evaluations", {"year": 2026, "half": 1}, content_type="application/json"
    )
    ev = check(schema, r, "/api/evaluation/projects/{project_id}/evaluations", "post", 201)
    assert ev["state"] == "draft" and [c["weight"] for c in ev["criteria"]] == [30, 25, 20, 15, 10]
    dup = ev_client.post(
        f"{base}/evaluations", {"year": 2026, "half": 1}, content_type="application/json"
    )
    assert dup.status_code == 409 and dup.json()["error"]["code"] == "duplicate"
    url = f"/api/evaluation/project-evaluations/{ev['id']}"
    bad = ev_client.put(url, {"scores": {"outcome": 120}}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "score_outcome"
    r = ev_client.put(
        url,
        {"scores": GOOD, "comments": "台账完整", "served_people": 120},
        content_type="application/json",
    )
    check(schema, r, "/api/evaluation/project-evaluations/{evaluation_id}", "put", 200)
    r = ev_client.post(f"{url}/evidence", {"file": io.BytesIO(PDF)}, format="multipart")
    assert r.status_code == 201, r.content
    r = ev_client.post(f"{url}/submit")
    done = check(
        schema, r, "/api/evaluation/project-evaluations/{evaluation_id}/submit", "post", 200
    )
    assert done["total"] == 80.0 and done["passed"] is True and done["actions"] == []
    assert len(done["evidence"]) == 1
    r = login("street_admin").post(f"{url}/confirm")
    assert (
        check(
            schema, r, "/api/evaluation/project-evaluations/{evaluation_id}/confirm", "post", 200
        )["state"]
        == "confirmed"
    )


def test_evidence_pdf_kept_photo_reencoded_others_refused(s, world, login):
    client = login("evaluator")
    r = client.post(
        f"/api/evaluation/projects/{s.project.pk}/evaluations",
        {"year": 2026, "half": 2},
        content_type="application/json",
    )
    url = f"/api/evaluation/project-evaluations/{r.json()['id']}/evidence"
    assert client.post(url, {"file": io.BytesIO(PDF)}, format="multipart").status_code == 201
    photo = io.BytesIO(png())
    photo.name = "现场.png"
    assert client.post(url, {"file": photo}, format="multipart").status_code == 201
    for junk in (b"MZ\x90\x00 not a file we take", b""):
        f = io.BytesIO(junk)
        f.name = "x.exe"
        r = client.post(url, {"file": f}, format="multipart")
        assert r.status_code == 400 and r.json()["error"]["field"] == "file", r.content
    big = io.BytesIO(b"%PDF-" + b"0" * (10 * 1024 * 1024))
    big.name = "big.pdf"
    r = client.post(url, {"file": big}, format="multipart")
    assert r.status_code == 400 and r.json()["error"]["code"] == "evidence_too_large"
    files = list(EvaluationEvidence.objects.order_by("pk"))
    assert [f.content_type for f in files] == ["application/pdf", "image/jpeg"]
    assert files[1].name == "现场.jpg" and files[1].file.read()[:2] == b"\xff\xd8"


def test_evidence_downloaded_only_by_staff_in_scope(s, world, login, client, other_worker):
    r = login("evaluator").post(
        f"/api/evaluation/projects/{s.project.pk}/evaluations",
        {"year": 2026, "half": 1},
        content_type="application/json",
    )
    login("evaluator").post(
        f"/api/evaluation/project-evaluations/{r.json()['id']}/evidence",
        {"file": io.BytesIO(PDF)},
        format="multipart",
    )
    item = EvaluationEvidence.objects.get()
    api, page = (
        f"/api/evaluation/project-evidence/{item.pk}",
        f"/evaluation/projects/evidence/{item.pk}/",
    )
    for role in ("community_worker", "secretary", "street_admin", "supervisor", "sysadmin"):
        got = login(role).get(api)
        assert got.status_code == 200 and b"".join(got.streaming_content) == PDF, role
        assert login(role).get(page).status_code == 200
    assert got["Cache-Control"] == "private, no-store"
    for role in ("resident", "grid_worker", "volunteer", "dept_officer", "partner", "family"):
        assert login(role).get(api).status_code == 403, role
        assert login(role).get(page).status_code == 403, role
    client.force_login(other_worker)
    assert client.get(api).status_code == 404
    assert client.get(page).status_code == 404
    assert client.logout() is None
    assert client.get(api).status_code == 401


WRONG = [
    ("get", "/api/evaluation/projects", ("resident", "grid_worker", "dept_officer", "partner")),
    (
        "post",
        "/api/evaluation/projects",
        ("evaluator", "secretary", "community_worker", "supervisor"),
    ),
    ("get", "/api/evaluation/projects/{p}", ("resident", "grid_worker", "volunteer")),
    ("post", "/api/evaluation/projects/{p}/evaluations", ("street_admin", "sysadmin", "secretary")),
    ("post", "/api/evaluation/projects/{p}/reinstate", ("street_admin", "evaluator", "secretary")),
    ("get", "/api/evaluation/project-evaluations/{e}", ("resident", "mediator")),
    ("put", "/api/evaluation/project-evaluations/{e}", ("street_admin", "secretary", "sysadmin")),
    ("post", "/api/evaluation/project-evaluations/{e}/submit", ("street_admin", "supervisor")),
    ("post", "/api/evaluation/project-evaluations/{e}/confirm", ("evaluator", "secretary")),
    ("post", "/api/evaluation/project-evaluations/{e}/evidence", ("street_admin", "secretary")),
    (
        "post",
        "/api/evaluation/funding-cuts/{c}/decide",
        ("evaluator", "community_worker", "supervisor"),
    ),
]


def test_every_endpoint_refuses_the_wrong_caller(s, world, login, client):
    disburse = project_disburse(
        actor=world["community_worker"],
        project=s.fund,
        amount=200_000,
        memo="餐费",
        idempotency_key=key(),
    )
    assert disburse.amount == 200_000
    ev = evaluate(world, s.project, 2026, 2, GOOD, served=2)  # a cut is proposed
    cut = FundingCut.objects.get()
    before = (ProjectEvaluation.objects.get().updated_at, cut.state)
    bodies = {
        "/api/evaluation/projects": {"partner_id": s.partner.pk},
        "/api/evaluation/projects/{p}/evaluations": {"year": 2026, "half": 1},
        "/api/evaluation/projects/{p}/reinstate": {"reason": "整改"},
        "/api/evaluation/project-evaluations/{e}": {"scores": {}},
        "/api/evaluation/funding-cuts/{c}/decide": {"accept": True},
    }
    for method, path, roles in WRONG:
        url = path.format(p=s.project.pk, e=ev.pk, c=cut.pk)
        body = bodies.get(path, {})
        for role in roles:
            r = getattr(login(role), method)(url, body, content_type="application/json")
            assert r.status_code == 403, (method, path, role, r.content)
        r = getattr(client, method)(url, body, content_type="application/json")
        assert r.status_code == 401, (method, path)
    cut.refresh_from_db()
    assert (ProjectEvaluation.objects.get().updated_at, cut.state) == before
    s.fund.refresh_from_db()
    assert s.fund.budget == 1_000_000


def test_revoked_project_refuses_funds_over_the_api_and_is_reinstated(s, world, login, schema):
    evaluate(world, s.project, 2025, 2, BAD)
    evaluate(world, s.project, 2026, 1, BAD)
    r = login("community_worker").post(
        f"/api/ledger/funds/projects/{s.fund.pk}/disburse",
        {"amount_fen": 100, "memo": "餐费", "idempotency_key": key()},
        content_type="application/json",
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "qualification_revoked", r.content
    url = f"/api/evaluation/projects/{s.project.pk}/reinstate"
    r = login("sysadmin").post(url, {"reason": ""}, content_type="application/json")
    assert r.status_code == 400
    r = login("sysadmin").post(url, {"reason": "整改验收通过"}, content_type="application/json")
    assert check(schema, r, "/api/evaluation/projects/{project_id}/reinstate", "post", 200)[
        "qualified"
    ]


def test_cut_decided_over_the_api(s, world, login, schema):
    project_disburse(
        actor=world["community_worker"],
        project=s.fund,
        amount=200_000,
        memo="餐费",
        idempotency_key=key(),
    )
    evaluate(world, s.project, 2026, 2, GOOD, served=2)
    cut = FundingCut.objects.get()
    url = f"/api/evaluation/funding-cuts/{cut.pk}/decide"
    r = login("secretary").post(
        url, {"accept": False, "reason": ""}, content_type="application/json"
    )
    assert r.status_code == 400
    r = login("secretary").post(url, {"accept": True}, content_type="application/json")
    body = check(schema, r, "/api/evaluation/funding-cuts/{cut_id}/decide", "post", 200)
    assert body["state"] == "accepted"
    s.fund.refresh_from_db()
    assert s.fund.budget == 500_000


# ---- pages ----------------------------------------------------------------------------------


def test_pages_register_evaluate_and_decide(s, world, login):
    admin = login("street_admin")
    page = admin.get("/evaluation/projects/")
    assert page.status_code == 200 and "长者助餐服务" in page.content.decode()
    r = admin.post("/evaluation/projects/", {"fund_project_id": s.fund.pk})
    assert r.status_code == 400 and "已经登记" in r.content.decode()
    ev_client = login("evaluator")
    r = ev_client.post(
        f"/evaluation/projects/{s.project.pk}/", {"step": "start", "year": 2026, "half": 1}
    )
    ev = ProjectEvaluation.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/evaluation/projects/evaluations/{ev.pk}/"
    url = r["Location"]
    form = {f"score_{k}": v for k, v in BAD.items()}
    r = ev_client.post(url, {**form, "score_outcome": "abc", "comments": "x", "step": "submit"})
    assert r.status_code == 400 and 'aria-invalid="true"' in r.content.decode()
    r = ev_client.post(
        url, {**form, "comments": "服务记录不全", "served_people": "30", "step": "submit"}
    )
    assert r.status_code == 302
    ev.refresh_from_db()
    assert ev.state == "submitted" and ev.total == 47.0 and ev.served_people == 30
    page = ev_client.get(url).content.decode()
    assert "不合格" in page and 'name="step" value="submit"' not in page
    assert login("resident").get(url).status_code == 403
    assert login("grid_worker").get("/evaluation/projects/").status_code == 403


def test_pages_reinstate_by_the_administrator(s, world, login):
    evaluate(world, s.project, 2025, 2, BAD)
    evaluate(world, s.project, 2026, 1, BAD)
    url = f"/evaluation/projects/{s.project.pk}/"
    page = login("secretary").get(url).content.decode()
    assert "运营资格已撤销" in page and "reinstate-form" not in page
    assert login("street_admin").post(url, {"step": "reinstate", "reason": "x"}).status_code == 403
    r = login("sysadmin").post(url, {"step": "reinstate", "reason": ""})
    assert r.status_code == 400
    r = login("sysadmin").post(url, {"step": "reinstate", "reason": "整改验收通过"})
    assert r.status_code == 302
    s.project.refresh_from_db()
    assert s.project.qualified
