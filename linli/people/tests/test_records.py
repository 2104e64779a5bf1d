"""PEOPLE-1/2/5: validation of ID numbers and phones, writing records, exact lookup, the API."""

import datetime as dt

import pytest
from django.db import connection

from linli.core.errors import Conflict, PermissionDenied, ValidationFailed
from linli.geo.models import Building, Household
from linli.people.models import Resident
from linli.people.selectors import resident_by_id_number
from linli.people.services.records import resident_create, resident_update
from linli.people.validation import id_check_digit, id_number_parse, phone_mask, phone_normalise

GOOD_ID = "11010519491231002X"  # the GB 11643 worked example: female, 1949


def make_id(birth: str, seq: str = "001", area: str = "330106") -> str:
    first17 = area + birth + seq
    return first17 + id_check_digit(first17)


def test_the_standard_example_passes_and_tells_sex_and_birth():
    info = id_number_parse(GOOD_ID)
    assert info.birth_date == dt.date(1949, 12, 31) and info.sex == "F"
    assert id_number_parse(GOOD_ID.lower()).number == GOOD_ID


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("11010519491231002", "18位"),
        ("110105194912310021", "校验位"),
        ("11010519491331002X", "出生日期不存在"),
        ("1101051949123100A2", "数字"),
        (make_id("21000101"), "不合理"),
        ("01010519491231002X", "地区码"),
    ],
)
def test_bad_id_numbers_are_refused_without_echoing_them(value, message):
    with pytest.raises(ValidationFailed) as exc:
        id_number_parse(value, today=dt.date(2026, 11, 24))
    assert message in exc.value.message and value not in exc.value.message


@pytest.mark.parametrize(
    ("raw", "normal", "masked"),
    [
        ("138 1234 5678", "13812345678", "138****5678"),
        ("+8613812345678", "13812345678", "138****5678"),
        ("0571-87654321", "0571-87654321", "0571****4321"),
    ],
)
def test_phones(raw, normal, masked):
    assert phone_normalise(raw) == normal and phone_mask(normal) == masked


@pytest.mark.parametrize("raw", ["12812345678", "1381234567", "abc", "87654321"])
def test_bad_phones(raw):
    with pytest.raises(ValidationFailed):
        phone_normalise(raw)


@pytest.fixture
def household(world):
    return Household.objects.get(room="101")


def _values(**kw):
    return {"full_name": "陈阿姨", "sex": "F", "birth_year": 1949, **kw}


def test_create_encrypts_and_the_keyed_hash_finds_it(world, household):
    r = resident_create(
        actor=world["community_worker"],
        household=household,
        values=_values(id_number=GOOD_ID, phone="13812345678", health_conditions="糖尿病"),
        tags=["alone_elderly"],
    )
    assert r.phone_masked == "138****5678"
    with connection.cursor() as cursor:
        cursor.execute(
            "select id_number, phone, health_conditions from people_resident where id = %s", [r.pk]
        )
        raw = cursor.fetchone()
    assert all(v.startswith("v1:") for v in raw)
    assert GOOD_ID not in str(raw) and "13812345678" not in str(raw)
    assert resident_by_id_number(actor=world["community_worker"], id_number=GOOD_ID) == r
    # Out of reach for another place's staff even with the exact number.
    assert resident_by_id_number(actor=world["dept_officer"], id_number=GOOD_ID) is None
    assert Resident.objects.get(pk=r.pk).id_number == GOOD_ID


@pytest.mark.parametrize(
    ("values", "field"),
    [
        (_values(sex="M", id_number=GOOD_ID), "id_number"),  # ID says female
        (_values(birth_year=1950, id_number=GOOD_ID), "id_number"),  # ID says 1949
        (_values(phone="12345"), "phone"),
        (_values(ability="bedridden"), "ability"),
        (_values(full_name=""), "full_name"),
        (_values(nickname="x"), "nickname"),
    ],
)
def test_bad_records_change_nothing(world, household, values, field):
    before = Resident.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        resident_create(actor=world["community_worker"], household=household, values=values)
    assert exc.value.field == field
    assert Resident.objects.count() == before


def test_one_id_number_one_record(world, household):
    resident_create(
        actor=world["community_worker"], household=household, values=_values(id_number=GOOD_ID)
    )
    with pytest.raises(Conflict):
        resident_create(
            actor=world["community_worker"], household=household, values=_values(id_number=GOOD_ID)
        )


def test_staff_register_only_in_their_place(world):
    b = Building.objects.create(grid=world.grid_b1, name="9幢", lat=30.27, lon=120.13)
    elsewhere = Household.objects.create(building=b, unit="1", room="1")
    with pytest.raises(PermissionDenied):
        resident_create(actor=world["community_worker"], household=elsewhere, values=_values())


def test_update_only_what_one_may_see(world, household):
    r = Resident.objects.get(full_name="王秀英")
    resident_update(
        actor=world["community_worker"], resident_id=r.pk, values={"phone": "13900001111"}
    )
    assert Resident.objects.get(pk=r.pk).phone_masked == "139****1111"
    with pytest.raises(PermissionDenied):
        resident_update(
            actor=world["community_worker"], resident_id=r.pk, values={"assistance": "低保"}
        )
    with pytest.raises(PermissionDenied):
        resident_update(actor=world["resident"], resident_id=r.pk, values={"full_name": "王"})


def test_list_shows_basic_fields_and_is_audited(world, login):
    from linli.core.audit.models import AuditEntry

    r = Resident.objects.get(full_name="王秀英")
    r.phone, r.phone_masked = "13812345678", "138****5678"
    r.save()
    html = login("grid_worker").get("/people/").content.decode()
    assert "王秀英" in html and "138****5678" in html and "13812345678" not in html
    entry = AuditEntry.objects.filter(action="resident.listed").last()
    assert entry is not None and entry.data["ids"] == [r.pk]


def test_id_lookup_page_posts_the_number_and_reports_bad_ones(world, login):
    r = Resident.objects.get(full_name="王秀英")
    r.sex, r.birth_year, r.id_number = "F", 1949, GOOD_ID
    from linli.people.services.records import id_number_hash

    r.id_number_hash = id_number_hash(GOOD_ID)
    r.save()
    client = login("grid_worker")
    found = client.post("/people/", {"id_number": GOOD_ID})
    assert found.status_code == 302 and found["Location"] == f"/people/{r.pk}/"
    bad = client.post("/people/", {"id_number": "110105194912310021"})
    assert bad.status_code == 400 and "校验位" in bad.content.decode()
    missing = client.post("/people/", {"id_number": make_id("19800101")})
    assert missing.status_code == 400 and "没有找到" in missing.content.decode()


def test_api_create_lookup_and_schema(world, login, household):
    import jsonschema

    from linli.core.tests.test_api import _resolve

    client = login("community_worker")
    created = client.post(
        "/api/people/residents",
        {
            "household_id": household.pk,
            "full_name": "陈阿姨",
            "sex": "F",
            "birth_year": 1949,
            "id_number": GOOD_ID,
            "phone": "13812345678",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["phone"] == "13812345678" and "id_number" not in body  # identity needs a grant
    schema = client.get("/api/openapi.json").json()
    components = schema["components"]["schemas"]
    op = schema["paths"]["/api/people/residents/{resident_id}"]["get"]
    record_schema = _resolve(
        op["responses"]["200"]["content"]["application/json"]["schema"], components
    )
    jsonschema.validate(client.get(f"/api/people/residents/{body['id']}").json(), record_schema)
    listing = client.get("/api/people/residents", {"q": "陈"}).json()
    list_schema = schema["paths"]["/api/people/residents"]["get"]["responses"]["200"]
    jsonschema.validate(
        listing, _resolve(list_schema["content"]["application/json"]["schema"], components)
    )
    assert [i["full_name"] for i in listing["items"]] == ["陈阿姨"]
    found = client.post(
        "/api/people/residents/lookup", {"id_number": GOOD_ID}, content_type="application/json"
    )
    assert found.json() == {"id": body["id"]}
    bad = client.post(
        "/api/people/residents",
        {
            "household_id": household.pk,
            "full_name": "x",
            "sex": "M",
            "birth_year": 1949,
            "id_number": GOOD_ID,
        },
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "id_number"
    assert GOOD_ID not in bad.content.decode()
    refused = login("grid_worker").post(
        "/api/people/residents",
        {"household_id": household.pk, "full_name": "x", "sex": "M", "birth_year": 1949},
        content_type="application/json",
    )
    assert refused.status_code == 403
