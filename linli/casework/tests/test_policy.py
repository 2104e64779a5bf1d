"""The transition table is the one answer to "what may be done now": services enforce it,
the API and the detail page offer what it allows. The case list's filters are declared once."""

import datetime as dt

from linli.casework.choices import Action
from linli.casework.models import Case
from linli.casework.policy import TRANSITIONS, offered


def post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


def test_every_action_has_one_row():
    assert set(TRANSITIONS) == set(Action)


def test_api_offers_what_the_table_allows_as_the_case_moves(submit, cats, login):
    no = submit()["tracking_no"]
    officer = login("dept_officer")  # works for 城管, the owner
    offered_now = set(officer.get(f"/api/cases/{no}").json()["actions"])
    assert offered_now == {"register", "reject", "merge", "photos"}
    after = post(officer, f"/api/cases/{no}/register").json()["actions"]
    assert set(after) == {"dispatch", "merge", "photos"}
    mine = login("resident").get(f"/api/cases/{no}").json()["actions"]
    assert mine == []  # nothing to do yet, and never "me too" on one's own case


def test_me_too_is_offered_to_other_residents_only(submit, cats):
    case = Case.objects.get(tracking_no=submit()["tracking_no"])
    assert offered(cats["family"], case)["me_too"]
    assert not offered(cats["resident"], case)["me_too"]  # the reporter
    assert not offered(cats["grid_worker"], case)["me_too"]


def test_a_second_deferral_request_waits_for_the_first(submit, cats, login):
    no = submit()["tracking_no"]
    officer = login("dept_officer")
    post(officer, f"/api/cases/{no}/register")
    post(officer, f"/api/cases/{no}/dispatch", {"unit_id": cats.chengguan.pk})
    until = (Case.objects.get(tracking_no=no).close_due + dt.timedelta(days=10)).isoformat()
    first = post(officer, f"/api/cases/{no}/defer", {"until": until, "reason": "等待配件"})
    assert "defer" not in first.json()["actions"] and "deferral" in first.json()["actions"]
    again = post(officer, f"/api/cases/{no}/defer", {"until": until, "reason": "再等等"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "deferral_pending"
    assert Case.objects.get(tracking_no=no).deferral_reason == "等待配件"


def test_queue_and_api_read_the_same_filters(submit, cats, login):
    a, b = submit()["tracking_no"], submit()["tracking_no"]
    Case.objects.filter(tracking_no=b).update(overdue=True, status="handling")
    api = login("community_worker")
    listed = api.get("/api/cases", {"overdue": "true"}).json()
    assert [c["tracking_no"] for c in listed] == [b]
    assert [c["tracking_no"] for c in api.get("/api/cases", {"status": "received"}).json()] == [a]
    grid = cats.grid_a1.pk  # where submit() puts them
    assert len(api.get("/api/cases", {"grid_id": grid, "category": "01"}).json()) == 2
    page = api.get("/cases/queue/", {"overdue": "1", "grid": grid}).content.decode()
    assert f'href="/cases/{b}/"' in page and f'href="/cases/{a}/"' not in page
    # "My unit only": the 居委会's cases; these belong to 城管.
    assert "/cases/2" not in api.get("/cases/queue/", {"scope": "unit"}).content.decode()
    mine = login("resident").get("/api/cases", {"mine": "true"}).json()
    assert {c["tracking_no"] for c in mine} == {a, b}
