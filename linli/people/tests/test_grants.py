"""PEOPLE-3 access grants: purpose, the secretary decides, expiry, revocation."""

import datetime as dt

import pytest
from django.utils import timezone

from linli.accounts.choices import MembershipKind
from linli.accounts.models import Membership
from linli.core.audit.models import AuditEntry
from linli.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from linli.core.notifications.models import Notification
from linli.core.roles import Role
from linli.people.choices import GrantStatus, Tier
from linli.people.models import AccessGrant, Resident
from linli.people.services.grants import grant_decide, grant_request, grant_revoke
from linli.people.services.records import resident_read
from linli.testing.world import make_user


@pytest.fixture
def resident(world):
    r = Resident.objects.get(full_name="王秀英")
    r.health_conditions = "阵发性房颤"
    r.save()
    return r


def _request(world, resident, who="grid_worker", tiers=(Tier.HEALTH,), **kw):
    return grant_request(
        actor=world[who], resident_id=resident.pk, tiers=list(tiers), purpose="办理慢病补贴", **kw
    )


def test_request_approve_read_revoke(world, resident):
    grant = _request(world, resident)
    assert grant.status == GrantStatus.PENDING
    assert Notification.objects.filter(recipient=world["secretary"]).exists()
    before = resident_read(actor=world["grid_worker"], resident_id=resident.pk)
    assert "health_conditions" not in before.data

    grant_decide(actor=world["secretary"], grant_id=grant.pk, approve=True)
    grant.refresh_from_db()
    assert grant.status == GrantStatus.APPROVED
    assert grant.expires_at - grant.decided_at == dt.timedelta(days=7)
    assert Notification.objects.filter(recipient=world["grid_worker"]).exists()
    during = resident_read(actor=world["grid_worker"], resident_id=resident.pk)
    assert during.data["health_conditions"] == "阵发性房颤"
    assert during.access.grant_ids == [grant.pk]

    grant_revoke(actor=world["secretary"], grant_id=grant.pk)
    after = resident_read(actor=world["grid_worker"], resident_id=resident.pk)
    assert "health_conditions" not in after.data
    actions = list(
        AuditEntry.objects.filter(object_type="people.accessgrant").values_list("action", flat=True)
    )
    assert actions == ["grant.requested", "grant.approved", "grant.revoked"]


def test_refusal_opens_nothing_and_cannot_be_decided_twice(world, resident):
    grant = _request(world, resident)
    grant_decide(actor=world["secretary"], grant_id=grant.pk, approve=False, note="用途不充分")
    with pytest.raises(Conflict):
        grant_decide(actor=world["secretary"], grant_id=grant.pk, approve=True)
    grant.refresh_from_db()
    assert grant.status == GrantStatus.REFUSED and grant.expires_at is None
    assert (
        "health_conditions"
        not in resident_read(actor=world["grid_worker"], resident_id=resident.pk).data
    )


def test_grant_runs_out(world, resident):
    grant = _request(world, resident, days=1)
    grant_decide(actor=world["secretary"], grant_id=grant.pk, approve=True)
    AccessGrant.objects.filter(pk=grant.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert (
        "health_conditions"
        not in resident_read(actor=world["grid_worker"], resident_id=resident.pk).data
    )


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"tiers": []}, "tiers"),
        ({"tiers": ["basic"]}, "tiers"),
        ({"tiers": ["health"], "purpose": "看看"}, "purpose"),
        ({"tiers": ["health"], "days": 31}, "days"),
        ({"tiers": ["health"], "days": 0}, "days"),
        ({"tiers": ["health"], "case_id": 999999}, "case_id"),
    ],
)
def test_bad_requests_are_refused_and_change_nothing(world, resident, kwargs, field):
    args = {"tiers": ["health"], "purpose": "办理慢病补贴", **kwargs}
    with pytest.raises(ValidationFailed) as exc:
        grant_request(actor=world["grid_worker"], resident_id=resident.pk, **args)
    assert exc.value.field == field
    assert not AccessGrant.objects.exists()


def test_one_pending_request_at_a_time(world, resident):
    _request(world, resident)
    with pytest.raises(Conflict):
        _request(world, resident, tiers=(Tier.FINANCE,))


def test_roles_without_grants_cannot_ask(world, resident):
    with pytest.raises(PermissionDenied):
        _request(world, resident, who="resident")


def test_out_of_reach_records_cannot_be_asked_for(world, resident):
    """The grid worker of 甲 asking about someone in 乙 gets "not found"."""
    from linli.geo.models import Building, Household

    b = Building.objects.create(grid=world.grid_b1, name="9幢", lat=30.27, lon=120.13)
    other = Resident.objects.create(
        household=Household.objects.create(building=b, unit="1", room="1"),
        full_name="孙桂兰",
        sex="F",
        birth_year=1950,
    )
    with pytest.raises(NotFound):
        _request(world, other)


def test_only_the_secretary_of_the_residents_community_decides(world, resident):
    grant = _request(world, resident)
    other = make_user("secretary_b", Role.SECRETARY)
    Membership.objects.create(
        user=other, kind=MembershipKind.SECRETARY, community=world.community_b
    )
    for who in (other, world["community_worker"], world["street_admin"], world["grid_worker"]):
        with pytest.raises(NotFound):
            grant_decide(actor=who, grant_id=grant.pk, approve=True)
    grant.refresh_from_db()
    assert grant.status == GrantStatus.PENDING


def test_a_secretarys_own_request_goes_to_the_street_office(world, resident):
    grant = _request(world, resident, who="secretary")
    with pytest.raises(NotFound):
        grant_decide(actor=world["secretary"], grant_id=grant.pk, approve=True)
    assert Notification.objects.filter(recipient=world["street_admin"]).exists()
    grant_decide(actor=world["street_admin"], grant_id=grant.pk, approve=True)
    view = resident_read(actor=world["secretary"], resident_id=resident.pk)
    assert view.data["health_conditions"] == "阵发性房颤"


def test_the_requester_may_give_a_grant_back_but_not_revoke_others(world, resident):
    grant = _request(world, resident)
    grant_decide(actor=world["secretary"], grant_id=grant.pk, approve=True)
    with pytest.raises(NotFound):
        grant_revoke(actor=world["community_worker"], grant_id=grant.pk)
    grant_revoke(actor=world["grid_worker"], grant_id=grant.pk)
    with pytest.raises(Conflict):
        grant_revoke(actor=world["grid_worker"], grant_id=grant.pk)


def test_grant_pages(world, login, resident):
    worker = login("grid_worker")
    form = worker.get(f"/people/{resident.pk}/grant/")
    assert form.status_code == 200 and "用途" in form.content.decode()
    bad = worker.post(f"/people/{resident.pk}/grant/", {"tiers": ["health"], "purpose": "看"})
    assert bad.status_code == 400 and "请写明用途" in bad.content.decode()
    assert not AccessGrant.objects.exists()
    ok = worker.post(
        f"/people/{resident.pk}/grant/", {"tiers": ["health"], "purpose": "办理慢病补贴", "days": 3}
    )
    assert ok.status_code == 302
    grant = AccessGrant.objects.get()
    secretary = login("secretary")
    board = secretary.get("/people/grants/").content.decode()
    assert "办理慢病补贴" in board and "批准" in board
    assert secretary.post(f"/people/grants/{grant.pk}/approve/").status_code == 302
    page = worker.get(f"/people/{resident.pk}/").content.decode()
    assert "阵发性房颤" in page
    again = secretary.post(f"/people/grants/{grant.pk}/approve/")
    assert again.status_code == 409 and "已经处理过" in again.content.decode()
    assert secretary.post(f"/people/grants/{grant.pk}/nonsense/").status_code == 404
