"""PEOPLE-3 as a matrix: every role × four residents in different places × every field.

Each cell is checked three ways: the service (which fields come back), the record page (hidden
values are nowhere in the HTML, a record out of reach is a 404) and the API (hidden fields are
absent from the JSON)."""

import datetime as dt

import pytest
from django.utils import timezone

from linli.casework.models import Case, Category
from linli.core.errors import NotFound
from linli.core.roles import Role
from linli.geo.models import Building, Household
from linli.people.choices import FIELDS, Audience, GrantStatus, Tier, fields_of
from linli.people.models import AccessGrant, Contact, Resident
from linli.people.policy import CASE_FIELDS
from linli.people.services.records import resident_read

# Plaintexts that must never reach someone without the tier.
SECRET = {
    "phone": "13912345678",
    "id_number": "330106194603150023",
    "health_conditions": "阵发性房颤",
    "disability": "视力二级",
    "assistance": "城乡低保",
    "finance_note": "月收入不足千元",
    "skills": "剪纸手艺",
    "health_notes": "花粉过敏",
}
BASIC = fields_of(Tier.BASIC)
COMMUNITY = fields_of(Tier.BASIC, Tier.CONTACT, Tier.OPTIONAL)
GRID = fields_of(Tier.BASIC, Tier.OPTIONAL)
NF = None  # not found

# Places: a1 = the world's resident (grid a1, community 甲); a2 = grid a2 (甲);
# b1 = grid b1 (乙); case = grid b1 (乙), subject of an open case handled by 城管.
EXPECTED: dict[str, dict[str, list[str] | None]] = {
    Role.RESIDENT: {"a1": list(FIELDS), "a2": NF, "b1": NF, "case": NF},
    Role.FAMILY: {"a1": BASIC, "a2": NF, "b1": NF, "case": NF},
    Role.VOLUNTEER: {"a1": NF, "a2": NF, "b1": NF, "case": NF},
    Role.GRID_WORKER: {"a1": GRID, "a2": NF, "b1": NF, "case": NF},
    Role.COMMUNITY_WORKER: {"a1": COMMUNITY, "a2": COMMUNITY, "b1": NF, "case": NF},
    Role.SECRETARY: {"a1": COMMUNITY, "a2": COMMUNITY, "b1": NF, "case": NF},
    Role.DEPT_OFFICER: {"a1": NF, "a2": NF, "b1": NF, "case": list(CASE_FIELDS)},
    Role.STREET_ADMIN: {"a1": BASIC, "a2": BASIC, "b1": BASIC, "case": BASIC},
    Role.MEDIATOR: {"a1": NF, "a2": NF, "b1": NF, "case": NF},
    Role.PARTNER: {"a1": NF, "a2": NF, "b1": NF, "case": NF},
    Role.SUPERVISOR: {"a1": NF, "a2": NF, "b1": NF, "case": NF},
    Role.EVALUATOR: {"a1": NF, "a2": NF, "b1": NF, "case": NF},
    Role.SYSADMIN: {"a1": NF, "a2": NF, "b1": NF, "case": NF},
}
STAFF = (
    Role.GRID_WORKER,
    Role.COMMUNITY_WORKER,
    Role.SECRETARY,
    Role.STREET_ADMIN,
    Role.DEPT_OFFICER,
)
CELLS = [(role, place) for role in EXPECTED for place in ("a1", "a2", "b1", "case")]


def _fill(resident: Resident, **extra: str) -> Resident:
    for name, value in {**SECRET, **extra}.items():
        setattr(resident, name, value)
    resident.phone_masked = "139****" + resident.phone[-4:]
    resident.save()
    return resident


@pytest.fixture
def places(world):
    a1 = Resident.objects.get(full_name="王秀英")
    _fill(a1)
    Contact.objects.create(
        resident=a1,
        name="李强",
        relation="儿子",
        phone="13800001111",
        phone_masked="138****1111",
        user=world["family"],
    )
    b_a2 = Building.objects.create(grid=world.grid_a2, name="5幢", lat=30.2725, lon=120.1275)
    b_b1 = Building.objects.create(grid=world.grid_b1, name="9幢", lat=30.2725, lon=120.1325)
    out = {"a1": a1}
    for key, building, name in (
        ("a2", b_a2, "赵建国"),
        ("b1", b_b1, "孙桂兰"),
        ("case", b_b1, "周大伟"),
    ):
        household = Household.objects.create(building=building, unit="1单元", room=f"{len(out)}01")
        r = Resident.objects.create(household=household, full_name=name, sex="M", birth_year=1950)
        out[key] = _fill(r, phone=f"1391234{len(out):04d}")
    category = Category.objects.create(code="01", name="市容环境")
    now = timezone.now()
    Case.objects.create(
        tracking_no="T-MATRIX-1",
        channel="window",
        category=category,
        description="占道",
        resident=out["case"],
        lat=30.2726,
        lon=120.1326,
        grid=world.grid_b1,
        community=world.community_b,
        owner_unit=world.chengguan,
        handler_unit=world.chengguan,
        respond_due=now + dt.timedelta(hours=2),
        close_due=now + dt.timedelta(days=5),
    )
    return out


@pytest.mark.parametrize(("role", "place"), CELLS, ids=[f"{r}-{p}" for r, p in CELLS])
def test_matrix(world, login, places, role, place):
    resident = places[place]
    expected = EXPECTED[role][place]
    actor = world[role]
    client = login(role)
    page = client.get(f"/people/{resident.pk}/")
    if expected is None:
        with pytest.raises(NotFound):
            resident_read(actor=actor, resident_id=resident.pk)
        assert page.status_code in (403, 404)
        assert resident.full_name not in page.content.decode()
        return
    view = resident_read(actor=actor, resident_id=resident.pk, purpose="矩阵测试")
    assert set(view.data) - {"id"} == set(expected)
    if role not in STAFF:
        # Residents and family read through their own pages (我的信息, 家属), not this one.
        assert page.status_code == 403
        return
    html = page.content.decode()
    assert page.status_code == 200 and resident.full_name in html
    for name, secret in SECRET.items():
        if name == "phone" and place != "a1":
            secret = resident.phone
        assert (secret in html) == (name in expected), (name, role, place)
    if role in STAFF:
        body = client.get(f"/api/people/residents/{resident.pk}").json()
        assert set(body) - {"id", "fields", "grants"} == set(expected)


def _grant(world, resident, tiers, status=GrantStatus.APPROVED, days=7, requester="grid_worker"):
    now = timezone.now()
    return AccessGrant.objects.create(
        requester=world[requester],
        resident=resident,
        tiers=tiers,
        purpose="办理补贴",
        status=status,
        decided_by=world["secretary"],
        decided_at=now,
        expires_at=now + dt.timedelta(days=days),
    )


def test_an_approved_grant_opens_exactly_its_tiers(world, places):
    resident = places["a1"]
    _grant(world, resident, [Tier.HEALTH])
    view = resident_read(actor=world["grid_worker"], resident_id=resident.pk)
    assert set(view.data) - {"id"} == set(GRID) | set(fields_of(Tier.HEALTH))
    assert view.data["health_conditions"] == SECRET["health_conditions"]
    assert "id_number" not in view.data and "assistance" not in view.data


@pytest.mark.parametrize("status", [GrantStatus.PENDING, GrantStatus.REFUSED, GrantStatus.REVOKED])
def test_grants_that_are_not_approved_open_nothing(world, places, status):
    _grant(world, places["a1"], [Tier.HEALTH, Tier.FINANCE], status=status)
    view = resident_read(actor=world["grid_worker"], resident_id=places["a1"].pk)
    assert set(view.data) - {"id"} == set(GRID)


def test_an_expired_grant_opens_nothing(world, places):
    _grant(world, places["a1"], [Tier.HEALTH], days=-1)
    view = resident_read(actor=world["grid_worker"], resident_id=places["a1"].pk)
    assert "health_conditions" not in view.data


def test_a_grant_does_not_widen_the_place(world, places):
    """A grant is about fields, never about reach: b1 stays not found for 甲's grid worker."""
    _grant(world, places["b1"], [Tier.HEALTH])
    with pytest.raises(NotFound):
        resident_read(actor=world["grid_worker"], resident_id=places["b1"].pk)


def test_someone_elses_grant_opens_nothing(world, places):
    _grant(world, places["a1"], [Tier.HEALTH], requester="community_worker")
    view = resident_read(actor=world["grid_worker"], resident_id=places["a1"].pk)
    assert "health_conditions" not in view.data


def test_family_sees_optional_data_only_when_the_resident_shares_it(world, places):
    resident = places["a1"]
    view = resident_read(actor=world["family"], resident_id=resident.pk)
    assert "skills" not in view.data
    resident.optional_audience = Audience.FAMILY
    resident.save()
    view = resident_read(actor=world["family"], resident_id=resident.pk)
    assert view.data["skills"] == SECRET["skills"]


def test_sensitive_tags_follow_their_tier(world, places):
    from linli.people.models import ResidentTag, Tag

    resident = places["a1"]
    for code in ("alone_elderly", "dibao", "disabled"):
        ResidentTag.objects.create(resident=resident, tag=Tag.objects.get(code=code))
    seen = {
        t["code"]
        for t in resident_read(actor=world["grid_worker"], resident_id=resident.pk).data["tags"]
    }
    assert seen == {"alone_elderly"}
    _grant(world, resident, [Tier.FINANCE])
    seen = {
        t["code"]
        for t in resident_read(actor=world["grid_worker"], resident_id=resident.pk).data["tags"]
    }
    assert seen == {"alone_elderly", "dibao"}
    own = {
        t["code"]
        for t in resident_read(actor=world["resident"], resident_id=resident.pk).data["tags"]
    }
    assert own == {"alone_elderly", "dibao", "disabled"}


def test_a_closed_case_no_longer_opens_the_record_to_the_department(world, places):
    Case.objects.filter(tracking_no="T-MATRIX-1").update(closed_at=timezone.now())
    with pytest.raises(NotFound):
        resident_read(actor=world["dept_officer"], resident_id=places["case"].pk)


def test_every_read_is_an_audit_entry_naming_the_fields(world, places):
    from linli.core.audit.models import AuditEntry

    _grant(world, places["a1"], [Tier.HEALTH])
    resident_read(actor=world["grid_worker"], resident_id=places["a1"].pk, purpose="走访")
    entry = AuditEntry.objects.filter(action="resident.viewed").last()
    assert entry is not None and entry.actor_id == world["grid_worker"].pk
    assert entry.object_id == str(places["a1"].pk)
    assert "health_conditions" in entry.data["fields"] and "id_number" not in entry.data["fields"]
    assert entry.data["purpose"] == "走访" and len(entry.data["grants"]) == 1
    text = str(entry.data)
    assert all(secret not in text for secret in SECRET.values())


def test_a_department_officer_opens_the_record_from_the_case_and_the_log_says_which(
    world, login, places
):
    from linli.core.audit.models import AuditEntry

    case = Case.objects.get(tracking_no="T-MATRIX-1")
    client = login("dept_officer")
    detail = client.get(f"/cases/{case.tracking_no}/").content.decode()
    link = f"/people/{places['case'].pk}/?case={case.pk}"
    assert link in detail
    assert client.get(link).status_code == 200
    entry = AuditEntry.objects.filter(action="resident.viewed").last()
    assert entry is not None and entry.data["case"] == case.pk
    # A case number the officer cannot see is not recorded as the reason.
    client.get(f"/people/{places['case'].pk}/?case=999999")
    entry = AuditEntry.objects.filter(action="resident.viewed").last()
    assert entry is not None and entry.data["case"] is None
