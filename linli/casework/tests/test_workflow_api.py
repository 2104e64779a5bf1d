import pytest

from linli.casework.models import Case, CaseEvent
from linli.core.audit.models import AuditEntry
from linli.core.notifications.models import Notification

from .conftest import INSIDE_A1


def post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


def test_resident_report_is_received_routed_and_timed(submit, cats):
    body = submit()
    case = Case.objects.get(tracking_no=body["tracking_no"])
    assert case.status == "received"
    assert case.owner_unit == cats.chengguan  # responsibility list: "01" → 城管
    assert case.grid == cats.grid_a1 and case.community == cats.community_a
    assert case.respond_due < case.close_due
    assert [e["kind"] for e in body["timeline"]] == ["submitted"]
    assert AuditEntry.objects.filter(action="case.submitted", object_id=str(case.pk)).exists()
    assert Notification.objects.filter(recipient=cats["resident"]).count() == 1


@pytest.mark.parametrize(
    "override, field",
    [
        ({"lat": 31.5, "lon": 121.5}, "location"),
        ({"category": "99-99"}, "category"),
        ({"category": "01"}, "category"),  # a major is not a leaf
        ({"description": "   "}, "description"),
        ({"lat": 123}, "lat"),
    ],
)
def test_bad_reports_are_refused_and_change_nothing(cats, login, override, field):
    body = {"category": "01-10", "description": "垃圾", **INSIDE_A1, **override}
    response = post(login("resident"), "/api/cases", body)
    assert response.status_code == 400
    assert response.json()["error"]["field"] == field
    assert Case.objects.count() == 0 and CaseEvent.objects.count() == 0


def test_the_whole_loop(submit, cats, login):
    no = submit()["tracking_no"]
    officer, gw, resident = login("dept_officer"), login("grid_worker"), login("resident")
    base = f"/api/cases/{no}"
    assert post(officer, f"{base}/register").json()["status"] == "registered"
    r = post(officer, f"{base}/dispatch", {"unit_id": cats.chengguan.pk, "note": "请处理"})
    assert r.json()["status"] == "dispatched" and r.json()["handler_unit"] == "西湖区城管局"
    assert post(officer, f"{base}/accept").json()["status"] == "handling"
    assert post(officer, f"{base}/feedback", {"note": "已清运"}).json()["status"] == "handled"
    assert post(gw, f"{base}/verify", {"passed": True}).json()["status"] == "verified"
    closed = post(officer, f"{base}/close").json()
    assert closed["status"] == "closed" and closed["closed_at"]
    rated = post(resident, f"{base}/rate", {"rating": 5, "comment": "很快"}).json()
    assert rated["status"] == "rated" and rated["rating"] == 5
    case = Case.objects.get(tracking_no=no)
    assert case.level == "street" and case.rework_count == 0
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds == [
        "submitted",
        "registered",
        "dispatched",
        "accepted",
        "feedback",
        "verified",
        "closed",
        "rated",
    ]
    assert (
        AuditEntry.objects.filter(object_id=str(case.pk), action__startswith="case.").count() == 8
    )
    # The reporter's view names units, never the officers.
    timeline = resident.get(base).json()["timeline"]
    assert all(e["actor"] is None for e in timeline)
    assert officer.get(base).json()["timeline"][1]["actor"] == "dept_officer"


ACTIONS = {
    "register": {},
    "reject": {"reason": "不属于受理范围"},
    "dispatch": None,  # filled in the test
    "accept": {},
    "return": {"reason": "非本部门职责"},
    "feedback": {"note": "已处理"},
    "close": {},
    "merge": None,
}
ALLOWED_FROM = {
    "register": {"received"},
    "reject": {"received"},
    "dispatch": {"registered"},
    "accept": {"dispatched"},
    "return": {"dispatched", "handling"},
    "feedback": {"handling"},
    "close": {"verified"},
}


@pytest.mark.parametrize(
    "status",
    [
        "received",
        "registered",
        "dispatched",
        "handling",
        "handled",
        "verified",
        "closed",
        "rated",
        "rejected",
    ],
)
def test_illegal_transitions_are_refused_and_change_nothing(submit, cats, login, status):
    no = submit()["tracking_no"]
    Case.objects.filter(tracking_no=no).update(status=status, handler_unit=cats.chengguan)
    officer = login("dept_officer")
    for action, allowed in ALLOWED_FROM.items():
        if status in allowed:
            continue
        body = ACTIONS[action] or {"unit_id": cats.chengguan.pk}
        events_before = CaseEvent.objects.count()
        response = post(officer, f"/api/cases/{no}/{action}", body)
        assert response.status_code == 409, (action, status, response.content)
        assert response.json()["error"]["code"] == "illegal_transition"
        assert Case.objects.get(tracking_no=no).status == status
        assert CaseEvent.objects.count() == events_before


def test_return_needs_a_reason_and_keeps_the_owner(submit, cats, login):
    no = submit()["tracking_no"]
    officer = login("dept_officer")
    post(officer, f"/api/cases/{no}/register")
    post(officer, f"/api/cases/{no}/dispatch", {"unit_id": cats.chengguan.pk})
    refused = post(officer, f"/api/cases/{no}/return", {"reason": " "})
    assert refused.status_code == 400 and refused.json()["error"]["field"] == "reason"
    back = post(officer, f"/api/cases/{no}/return", {"reason": "应由物业处理"}).json()
    assert back["status"] == "registered" and back["handler_unit"] is None
    assert back["owner_unit"] == "西湖区城管局"
    # The return is internal: the resident's timeline does not show it.
    kinds = [e["kind"] for e in login("resident").get(f"/api/cases/{no}").json()["timeline"]]
    assert "returned" not in kinds


def _to_closed(no, cats, login):
    officer = login("dept_officer")
    for action, body in [
        ("register", {}),
        ("dispatch", {"unit_id": cats.chengguan.pk}),
        ("accept", {}),
        ("feedback", {"note": "好了"}),
    ]:
        assert post(officer, f"/api/cases/{no}/{action}", body).status_code == 200
    assert (
        post(login("grid_worker"), f"/api/cases/{no}/verify", {"passed": True}).status_code == 200
    )
    assert post(officer, f"/api/cases/{no}/close").status_code == 200


def test_unsatisfied_rating_reopens_as_rework(submit, cats, login):
    no = submit()["tracking_no"]
    _to_closed(no, cats, login)
    body = post(
        login("resident"), f"/api/cases/{no}/rate", {"rating": 2, "comment": "没清干净"}
    ).json()
    assert body["status"] == "dispatched" and body["rework_count"] == 1 and body["rating"] == 2
    assert body["closed_at"] is None


def test_rating_out_of_range_is_refused(submit, cats, login):
    no = submit()["tracking_no"]
    _to_closed(no, cats, login)
    response = post(login("resident"), f"/api/cases/{no}/rate", {"rating": 6})
    assert response.status_code == 400
    assert Case.objects.get(tracking_no=no).status == "closed"


def test_failed_verification_goes_back_to_the_handler(submit, cats, login):
    no = submit()["tracking_no"]
    officer = login("dept_officer")
    for action, body in [
        ("register", {}),
        ("dispatch", {"unit_id": cats.chengguan.pk}),
        ("accept", {}),
        ("feedback", {"note": "好了"}),
    ]:
        post(officer, f"/api/cases/{no}/{action}", body)
    gw = login("grid_worker")
    assert post(gw, f"/api/cases/{no}/verify", {"passed": False}).status_code == 400
    body = post(gw, f"/api/cases/{no}/verify", {"passed": False, "note": "还有垃圾"}).json()
    assert body["status"] == "handling"


def test_deferral_needs_approval_and_moves_the_deadline(submit, cats, login):
    no = submit()["tracking_no"]
    officer = login("dept_officer")
    for action, body in [
        ("register", {}),
        ("dispatch", {"unit_id": cats.chengguan.pk}),
        ("accept", {}),
    ]:
        post(officer, f"/api/cases/{no}/{action}", body)
    case = Case.objects.get(tracking_no=no)
    later = (case.close_due.replace(microsecond=0)).isoformat()
    too_early = post(officer, f"/api/cases/{no}/defer", {"until": later, "reason": "等待配件"})
    assert too_early.status_code == 400
    import datetime as dt

    old_due = case.close_due
    until = old_due + dt.timedelta(days=10)
    post(officer, f"/api/cases/{no}/defer", {"until": until.isoformat(), "reason": "等待配件"})
    assert Case.objects.get(tracking_no=no).close_due == old_due  # not yet approved
    approved = post(officer, f"/api/cases/{no}/deferral", {"approve": True})
    assert approved.status_code == 200
    case.refresh_from_db()
    assert case.deferred and case.close_due == until


def test_merge_duplicates(submit, cats, login):
    first = submit()["tracking_no"]
    second = submit(description="同一堆垃圾")["tracking_no"]
    officer = login("dept_officer")
    merged = post(officer, f"/api/cases/{second}/merge", {"into": first}).json()
    assert merged["status"] == "merged"
    assert Case.objects.get(tracking_no=first).me_too_count == 1
    again = post(officer, f"/api/cases/{first}/merge", {"into": first})
    assert again.status_code == 400


def test_other_community_staff_cannot_see_or_act(submit, cats, login):
    from linli.accounts.choices import MembershipKind
    from linli.accounts.models import Membership
    from linli.core.roles import Role
    from linli.testing.world import make_user

    no = submit()["tracking_no"]
    outsider = make_user("cw_b", Role.COMMUNITY_WORKER)
    Membership.objects.create(
        user=outsider, kind=MembershipKind.COMMUNITY_WORKER, community=cats.community_b
    )
    from django.test import Client

    client = Client()
    client.force_login(outsider)
    assert client.get(f"/api/cases/{no}").status_code == 404
    assert post(client, f"/api/cases/{no}/register").status_code == 404
    assert Case.objects.get(tracking_no=no).status == "received"


def test_resident_cannot_act_as_staff(submit, login):
    no = submit()["tracking_no"]
    assert post(login("resident"), f"/api/cases/{no}/register").status_code == 403


def test_community_worker_may_verify_but_not_dispatch_a_case_owned_by_a_department(
    submit, cats, login
):
    no = submit()["tracking_no"]
    cw = login("community_worker")
    assert cw.get(f"/api/cases/{no}").status_code == 200  # visible in their community
    assert post(cw, f"/api/cases/{no}/register").status_code == 403


def test_staff_intake_for_a_resident_without_a_phone(cats, login):
    body = {"category": "20-02", "description": "楼上装修噪音", "channel": "window", **INSIDE_A1}
    response = post(login("community_worker"), "/api/cases/staff", body)
    assert response.status_code == 201
    case = Case.objects.get(tracking_no=response.json()["tracking_no"])
    assert case.channel == "window" and case.entered_by == cats["community_worker"]
    assert case.owner_unit.name == "甲社区居委会"  # first contact owns it
    refused = post(login("resident"), "/api/cases/staff", body)
    assert refused.status_code == 403


def test_staff_intake_names_a_resident_only_within_reach(cats, login):
    """PEOPLE-3: the resident record is found through people's selectors, so staff cannot
    attach (and so probe for) a record outside their reach — the system administrator may
    enter cases but sees no resident records."""
    from linli.people.models import Resident

    resident = Resident.objects.get(full_name="王秀英")
    body = {
        "category": "20-02",
        "description": "楼上装修噪音",
        "channel": "window",
        "resident_id": resident.pk,
        **INSIDE_A1,
    }
    ok = post(login("community_worker"), "/api/cases/staff", body)
    assert ok.status_code == 201
    assert Case.objects.get(tracking_no=ok.json()["tracking_no"]).resident == resident
    before = Case.objects.count()
    hidden = post(login("sysadmin"), "/api/cases/staff", body)
    assert hidden.status_code == 404 and hidden.json()["error"]["field"] == "resident_id"
    assert Case.objects.count() == before


def test_sensor_channel_for_machine_clients(cats, client):
    from linli.accounts.services import api_token_create

    _, key = api_token_create(actor=None, user=cats["sysadmin"], name="water-meters")
    body = {
        "category": "23-01",
        "description": "水表 12 小时无读数",
        "device": "WM-0042",
        **INSIDE_A1,
    }
    response = client.post(
        "/api/cases/sensor",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 201
    case = Case.objects.get(tracking_no=response.json()["tracking_no"])
    assert case.channel == "sensor" and "WM-0042" in case.description
    assert case.reporter is None
    # Utilities are urgent: clock-hour deadlines (2 h / 24 h).
    assert (case.respond_due - case.created_at).total_seconds() == pytest.approx(7200, abs=5)
    assert (case.close_due - case.created_at).total_seconds() == pytest.approx(86400, abs=5)


def test_deadline_of_a_case_received_before_national_day(cats, login, monkeypatch):
    import datetime as dt
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from linli.core.calendar.services import calendar_load_year

    calendar_load_year(actor=None, year=2025)
    sh = ZoneInfo("Asia/Shanghai")
    received = dt.datetime(2025, 9, 30, 10, 0, tzinfo=sh)
    monkeypatch.setattr(timezone, "now", lambda: received)
    submit_body = {"category": "01-10", "description": "垃圾", **INSIDE_A1}
    response = post(login("resident"), "/api/cases", submit_body)
    assert response.status_code == 201, response.content
    case = Case.objects.get(tracking_no=response.json()["tracking_no"])
    # 1 working day → all of 9 Oct (1–8 Oct off); 3 → the 调休 Saturday 11 Oct counts.
    assert case.respond_due == dt.datetime(2025, 10, 10, 0, 0, tzinfo=sh)
    assert case.close_due == dt.datetime(2025, 10, 12, 0, 0, tzinfo=sh)
    assert case.due_provisional is False


def test_welfare_and_care_requests_are_never_public(cats, login, client):
    body = {"category": "26-01", "description": "想申请低保", **INSIDE_A1}
    response = post(login("resident"), "/api/cases", body)
    case = Case.objects.get(tracking_no=response.json()["tracking_no"])
    assert case.public is False
    assert case.tracking_no not in client.get("/cases/public/").content.decode()
