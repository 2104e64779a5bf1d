"""CASE-6 社区吹哨、部门报到: the community calls departments, each reports within 3 working
days, unreported calls are escalated to the street office.

The API tests use /api/cases/… (casework.api mounts the whistle router).
"""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from linli.accounts.choices import MembershipKind
from linli.accounts.models import Membership
from linli.casework.choices import EventKind, Status
from linli.casework.models import Case, WhistleCall
from linli.casework.scheduled import SweepResult, sweep_deadlines
from linli.casework.services.whistle import open_whistles, whistle_blow, whistle_report
from linli.casework.units import unit_staff
from linli.core.audit.models import AuditEntry
from linli.core.calendar.selectors import add_working_days
from linli.core.errors import Conflict, PermissionDenied, ValidationFailed
from linli.core.notifications.models import Notification
from linli.core.roles import Role
from linli.geo.choices import DepartmentKind
from linli.geo.models import Community, Department, Street
from linli.testing.world import make_user


def post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


@pytest.fixture
def zhujian(cats):
    """A second department (住建局) with its own officer."""
    dept = Department.objects.create(name="西湖区住建局", kind=DepartmentKind.GOVERNMENT)
    officer = make_user("zj_officer", Role.DEPT_OFFICER)
    Membership.objects.create(user=officer, kind=MembershipKind.DEPT_OFFICER, department=dept)
    cats.users["zj_officer"] = officer
    return dept


@pytest.fixture
def case(submit):
    return Case.objects.get(tracking_no=submit()["tracking_no"])


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def other_street_admin(world):
    street = Street.objects.create(district=world.district, code="002", name="另一街道")
    Community.objects.create(street=street, code="001", name="丙社区")
    admin = make_user("sa_other", Role.STREET_ADMIN)
    Membership.objects.create(user=admin, kind=MembershipKind.STREET_ADMIN, street=street)
    return admin


# --- services ------------------------------------------------------------------------------


def test_unit_staff_follows_memberships(cats):
    community_unit = Department.objects.get(name="甲社区居委会")
    assert list(unit_staff(cats.chengguan)) == [cats["dept_officer"]]
    assert list(unit_staff(cats.street_office)) == [cats["street_admin"]]
    assert set(unit_staff(community_unit)) == {cats["community_worker"], cats["secretary"]}


def test_community_blows_the_whistle(case, cats, zhujian):
    before = timezone.now()
    whistle = whistle_blow(
        actor=cats["community_worker"],
        case=case,
        departments=[cats.chengguan, zhujian],
        reason="垃圾堆涉及城管和住建,需联合处置",
    )
    calls = list(whistle.calls.order_by("pk"))
    assert [c.department for c in calls] == [cats.chengguan, zhujian]
    due = add_working_days(start=before, days=3).due
    assert all(c.due == due and c.reported_at is None for c in calls)
    event = case.events.get(kind=EventKind.NOTE)
    assert event.note.startswith("社区吹哨:西湖区城管局、西湖区住建局") and not event.public
    assert AuditEntry.objects.filter(action="whistle.blown", object_id=str(whistle.pk)).exists()
    for officer in (cats["dept_officer"], cats["zj_officer"]):
        assert Notification.objects.filter(recipient=officer, title__startswith="社区吹哨").exists()


@pytest.mark.parametrize("role", ["resident", "grid_worker", "dept_officer", "supervisor"])
def test_only_community_street_or_sysadmin_may_blow(case, cats, role):
    with pytest.raises(PermissionDenied):
        whistle_blow(actor=cats[role], case=case, departments=[cats.chengguan], reason="联合处置")
    assert not case.whistles.exists()


@pytest.mark.parametrize("role", ["secretary", "street_admin", "sysadmin"])
def test_secretary_street_admin_and_sysadmin_may_blow(case, cats, role):
    whistle_blow(actor=cats[role], case=case, departments=[cats.chengguan], reason="联合处置")
    assert case.whistles.count() == 1


def test_whistle_needs_departments_and_a_reason_and_an_open_case(case, cats):
    cw = cats["community_worker"]
    with pytest.raises(ValidationFailed) as err:
        whistle_blow(actor=cw, case=case, departments=[], reason="联合处置")
    assert err.value.field == "departments"
    with pytest.raises(ValidationFailed):
        whistle_blow(actor=cw, case=case, departments=[cats.chengguan], reason="  ")
    Case.objects.filter(pk=case.pk).update(status=Status.CLOSED)
    with pytest.raises(Conflict):
        whistle_blow(actor=cw, case=case, departments=[cats.chengguan], reason="联合处置")
    assert not case.whistles.exists()


def test_calling_a_department_twice_before_it_reports_is_refused(case, cats, zhujian):
    cw = cats["community_worker"]
    whistle_blow(actor=cw, case=case, departments=[cats.chengguan], reason="联合处置")
    with pytest.raises(Conflict) as err:
        whistle_blow(actor=cw, case=case, departments=[zhujian, cats.chengguan], reason="再次")
    assert err.value.code == "already_called"
    assert WhistleCall.objects.count() == 1


def test_the_called_department_reports_once(case, cats, zhujian):
    whistle = whistle_blow(
        actor=cats["community_worker"], case=case, departments=[zhujian], reason="联合处置"
    )
    call = whistle.calls.get()
    for outsider in (cats["dept_officer"], cats["community_worker"], cats["street_admin"]):
        with pytest.raises(PermissionDenied):
            whistle_report(actor=outsider, call=call, note="到了")
    with pytest.raises(ValidationFailed):
        whistle_report(actor=cats["zj_officer"], call=call, note=" ")
    call = whistle_report(actor=cats["zj_officer"], call=call, note="已到现场,明日清运")
    assert call.reported_at is not None and call.reported_by == cats["zj_officer"]
    with pytest.raises(Conflict) as err:
        whistle_report(actor=cats["zj_officer"], call=call, note="再次")
    assert err.value.code == "already_reported"
    notes = list(case.events.filter(kind=EventKind.NOTE).values_list("note", flat=True))
    assert notes[-1] == "部门报到:西湖区住建局。已到现场,明日清运"
    assert Notification.objects.filter(
        recipient=cats["community_worker"], title__contains="报到"
    ).exists()


def test_unreported_call_is_escalated_to_the_street_office_once(case, cats, zhujian):
    whistle = whistle_blow(
        actor=cats["community_worker"],
        case=case,
        departments=[cats.chengguan, zhujian],
        reason="联合处置",
    )
    whistle_report(
        actor=cats["dept_officer"], call=whistle.calls.get(department=cats.chengguan), note="到"
    )
    call = whistle.calls.get(department=zhujian)
    assert sweep_deadlines(now=call.due - dt.timedelta(minutes=1)).whistle_calls == 0
    # Keep the case itself on time so only the call is late.
    Case.objects.filter(pk=case.pk).update(close_due=call.due + dt.timedelta(days=30))
    assert sweep_deadlines(now=call.due).whistle_calls == 1
    call.refresh_from_db()
    assert call.escalated_at == call.due
    event = case.events.get(kind=EventKind.ESCALATED)
    assert event.unit == cats.street_office and "西湖区住建局未在期限内报到" in event.note
    assert (
        Notification.objects.filter(
            recipient=cats["street_admin"], title__startswith="吹哨未报到"
        ).count()
        == 1
    )
    assert sweep_deadlines(now=call.due + dt.timedelta(days=1)) == SweepResult()
    assert case.events.filter(kind=EventKind.ESCALATED).count() == 1


def test_board_shows_unreported_calls_to_the_street_office_and_oversight(case, cats, zhujian):
    whistle = whistle_blow(
        actor=cats["community_worker"], case=case, departments=[zhujian], reason="联合处置"
    )
    for role in ("street_admin", "supervisor", "sysadmin"):
        assert [c.pk for c in open_whistles(actor=cats[role])] == [whistle.calls.get().pk]
    assert list(open_whistles(actor=other_street_admin(cats))) == []
    assert list(open_whistles(actor=cats["resident"])) == []
    assert list(open_whistles(actor=cats["dept_officer"])) == []  # not called
    assert len(open_whistles(actor=cats["zj_officer"])) == 1  # its own call
    whistle_report(actor=cats["zj_officer"], call=whistle.calls.get(), note="到")
    assert list(open_whistles(actor=cats["street_admin"])) == []


# --- API (/api/cases/…, needs the router mounted) -----------------------------------------


def test_api_blow_report_and_board(case, cats, login, zhujian):
    no = case.tracking_no
    body = {"department_ids": [zhujian.pk], "reason": "联合处置"}
    response = post(login("community_worker"), f"/api/cases/{no}/whistle", body)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["tracking_no"] == no and [c["department"] for c in data["calls"]] == [
        "西湖区住建局"
    ]
    call_id = data["calls"][0]["id"]
    board = login("street_admin").get("/api/cases/whistles/open")
    assert board.status_code == 200 and [c["id"] for c in board.json()] == [call_id]
    assert board.json()[0]["late"] is False
    zj = client_for(cats["zj_officer"])
    reported = post(zj, f"/api/cases/whistle-calls/{call_id}/report", {"note": "已到现场"})
    assert reported.status_code == 200 and reported.json()["reported_at"]
    again = post(zj, f"/api/cases/whistle-calls/{call_id}/report", {"note": "再次"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_reported"
    assert login("street_admin").get("/api/cases/whistles/open").json() == []


def test_api_whistle_permissions(case, cats, login, zhujian):
    no = case.tracking_no
    body = {"department_ids": [zhujian.pk], "reason": "联合处置"}
    assert post(Client(), f"/api/cases/{no}/whistle", body).status_code == 401
    assert post(login("resident"), f"/api/cases/{no}/whistle", body).status_code == 403
    outsider = make_user("cw_b", Role.COMMUNITY_WORKER)
    Membership.objects.create(
        user=outsider, kind=MembershipKind.COMMUNITY_WORKER, community=cats.community_b
    )
    assert post(client_for(outsider), f"/api/cases/{no}/whistle", body).status_code == 404
    missing = post(
        login("community_worker"), f"/api/cases/{no}/whistle", {**body, "department_ids": [999999]}
    )
    assert missing.status_code == 404
    empty = post(
        login("community_worker"), f"/api/cases/{no}/whistle", {**body, "department_ids": []}
    )
    assert empty.status_code == 400 and empty.json()["error"]["field"] == "departments"
    call_id = post(login("community_worker"), f"/api/cases/{no}/whistle", body).json()["calls"][0][
        "id"
    ]
    url = f"/api/cases/whistle-calls/{call_id}/report"
    assert post(Client(), url, {"note": "到"}).status_code == 401
    assert post(login("resident"), url, {"note": "到"}).status_code == 403
    # Sees the case (its community) but is not the called department.
    assert post(login("community_worker"), url, {"note": "到"}).status_code == 403
    # 城管 owns this case, so it sees it, but it was not called.
    assert post(login("dept_officer"), url, {"note": "到"}).status_code == 403
    stranger = make_user("other_officer", Role.DEPT_OFFICER)
    other = Department.objects.create(name="某局", kind=DepartmentKind.GOVERNMENT)
    Membership.objects.create(user=stranger, kind=MembershipKind.DEPT_OFFICER, department=other)
    assert post(client_for(stranger), url, {"note": "到"}).status_code == 404
    assert Client().get("/api/cases/whistles/open").status_code == 401
    assert login("resident").get("/api/cases/whistles/open").status_code == 403
    assert login("supervisor").get("/api/cases/whistles/open").status_code == 200
