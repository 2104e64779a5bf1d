"""Open311 GeoReport v2 at /open311/v2/ (CASE-1 intake, CASE-11 public data only)."""

import datetime as dt
import io
import json
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from linli.casework.choices import Channel, Status
from linli.casework.models import Case, CaseEvent, CasePhoto, Category
from linli.casework.open311.keys import open311_key_create
from linli.casework.open311.models import Open311Key
from linli.casework.services.intake import OUTSIDE, CaseInput, case_submit
from linli.core.audit.models import AuditEntry

from .conftest import INSIDE_A1

BASE = "/open311/v2"
FORM = "application/x-www-form-urlencoded; charset=utf-8"
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]


@pytest.fixture
def api_key(cats):
    _, key = open311_key_create(actor=None, name="city-app")
    return key


def xml_of(response):
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.content)  # noqa: S314 (our own output)


def json_of(response):
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content)


def post_request(client, key, fmt="json", **fields):
    body = {
        "api_key": key,
        "service_code": "01-10",
        "lat": INSIDE_A1["lat"],
        "long": INSIDE_A1["lon"],
        "description": "小区门口垃圾桶满了",
        **fields,
    }
    body = {k: v for k, v in body.items() if v is not None}
    return client.post(f"{BASE}/requests.{fmt}", urlencode(body, doseq=True), content_type=FORM)


def make_case(actor, code="01-10", **changes):
    data = CaseInput(
        category_code=code,
        description="路灯坏了好几天",
        lat=INSIDE_A1["lat"],
        lon=INSIDE_A1["lon"],
        address="1幢东侧",
    )
    case = case_submit(actor=actor, data=data, channel=Channel.WEB)
    if changes:
        Case.objects.filter(pk=case.pk).update(**changes)
        case.refresh_from_db()
    return case


def assert_error(response, status, fmt):
    assert response.status_code == status
    if fmt == "json":
        body = json_of(response)
        assert isinstance(body, list) and len(body) == 1
        assert body[0]["code"] == status and body[0]["description"]
        return body[0]["description"]
    root = xml_of(response)
    assert root.tag == "errors"
    [error] = list(root)
    assert error.tag == "error" and [c.tag for c in error] == ["code", "description"]
    assert error.findtext("code") == str(status) and error.findtext("description")
    return error.findtext("description")


# --- discovery and services -------------------------------------------------------------


def test_discovery_json_and_xml(client, db):
    body = json_of(client.get(f"{BASE}/discovery.json"))
    assert list(body) == ["changeset", "contact", "key_service", "endpoints"]
    [endpoint] = body["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["type"] == "production"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert body["changeset"].endswith("+08:00")

    root = xml_of(client.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery"
    assert [c.tag for c in root] == ["changeset", "contact", "key_service", "endpoints"]
    endpoints = root.find("endpoints")
    assert [c.tag for c in endpoints] == ["endpoint"]
    assert [f.text for f in endpoints.find("endpoint/formats")] == [
        "text/xml",
        "application/json",
    ]
    assert [f.tag for f in endpoints.find("endpoint/formats")] == ["format", "format"]


def test_services_are_the_active_leaf_categories(client, cats):
    Category.objects.filter(code="01-01").update(active=False)
    body = json_of(client.get(f"{BASE}/services.json"))
    codes = [s["service_code"] for s in body]
    leaves = Category.objects.filter(parent__isnull=False, active=True)
    assert sorted(codes) == sorted(leaves.values_list("code", flat=True))
    assert "01" not in codes and "01-01" not in codes
    garbage = next(s for s in body if s["service_code"] == "01-10")
    assert list(garbage) == [
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    ]
    assert garbage["service_name"] == "暴露垃圾" and garbage["group"] == "市容环境"
    assert garbage["metadata"] is True and garbage["type"] == "realtime"

    root = xml_of(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services" and {c.tag for c in root} == {"service"}
    first = root[0]
    assert [c.tag for c in first] == list(garbage)
    assert first.findtext("metadata") == "true"


def test_one_service_is_still_a_list(client, cats):
    Category.objects.filter(parent__isnull=False).exclude(code="01-10").update(active=False)
    assert [s["service_code"] for s in json_of(client.get(f"{BASE}/services.json"))] == ["01-10"]
    root = xml_of(client.get(f"{BASE}/services.xml"))
    assert [c.tag for c in root] == ["service"]
    assert root.findtext("service/service_code") == "01-10"


def test_service_definition_json_and_xml(client, cats):
    body = json_of(client.get(f"{BASE}/services/05-01.json"))  # 路面塌陷, urgent
    assert body["service_code"] == "05-01"
    floor, hazard = body["attributes"]
    assert list(floor) == [
        "variable",
        "code",
        "datatype",
        "required",
        "datatype_description",
        "order",
        "description",
        "values",
    ]
    assert (floor["code"], floor["datatype"], floor["order"], floor["values"]) == (
        "floor",
        "string",
        1,
        [],
    )
    assert hazard["datatype"] == "singlevaluelist" and hazard["order"] == 2
    assert hazard["values"] == [{"key": "yes", "name": "是"}, {"key": "no", "name": "否"}]

    root = xml_of(client.get(f"{BASE}/services/05-01.xml"))
    assert root.tag == "service_definition"
    assert [c.tag for c in root] == ["service_code", "attributes"]
    attributes = root.find("attributes")
    assert [c.tag for c in attributes] == ["attribute", "attribute"]
    values = attributes[1].find("values")
    assert [v.tag for v in values] == ["value", "value"]
    assert [(v.findtext("key"), v.findtext("name")) for v in values] == [
        ("yes", "是"),
        ("no", "否"),
    ]
    assert attributes[0].findtext("required") == "false"

    normal = xml_of(client.get(f"{BASE}/services/01-10.xml"))
    assert [c.tag for c in normal.find("attributes")] == ["attribute"]  # one is still a list
    assert json_of(client.get(f"{BASE}/services/01-10.json"))["attributes"][0]["code"] == "floor"


@pytest.mark.parametrize("code", ["99-99", "01"])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_service_definition_is_404(client, cats, code, fmt):
    assert_error(client.get(f"{BASE}/services/{code}.{fmt}"), 404, fmt)


def test_unknown_format_is_404(client, cats):
    assert_error(client.get(f"{BASE}/services.csv"), 404, "xml")
    assert_error(client.get(f"{BASE}/requests/1.html"), 404, "xml")


def test_wrong_method_is_refused(client, cats):
    response = client.delete(f"{BASE}/requests.json")
    assert_error(response, 405, "json")
    assert "POST" in response["Allow"]
    assert client.post(f"{BASE}/services.json").status_code == 405


# --- POST requests ----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_with_a_good_key_creates_a_case(cats, api_key, fmt):
    client = Client(enforce_csrf_checks=True)  # api_key, not a session: no CSRF token needed
    response = post_request(client, api_key, fmt=fmt, address_string="文三路 1 号门口")
    assert response.status_code == 200, response.content
    case = Case.objects.get()
    if fmt == "json":
        [entry] = json_of(response)
        assert list(entry) == ["service_request_id", "service_notice"]
        assert entry["service_request_id"] == case.tracking_no
        assert case.tracking_no in entry["service_notice"]
    else:
        root = xml_of(response)
        assert root.tag == "service_requests" and [c.tag for c in root] == ["request"]
        assert [c.tag for c in root[0]] == ["service_request_id", "service_notice"]
        assert root.findtext("request/service_request_id") == case.tracking_no
    assert case.channel == Channel.OPEN311 and case.status == Status.RECEIVED
    assert case.category.code == "01-10" and case.owner_unit == cats.chengguan
    assert case.grid == cats.grid_a1 and case.address == "文三路 1 号门口"
    assert case.reporter is None and case.entered_by is None
    key_user = Open311Key.objects.get().user
    assert key_user.username == "open311:city-app" and key_user.role == "partner"
    assert case.events.get().actor == key_user


def test_personal_fields_are_dropped(cats, api_key, client):
    response = post_request(
        client,
        api_key,
        email="zhang.san@example.com",
        first_name="三",
        last_name="张",
        phone="13912345678",
        device_id="dev-42",
        account_id="acct-77",
    )
    assert response.status_code == 200
    case = Case.objects.get()
    stored = json.dumps(
        [
            list(Case.objects.filter(pk=case.pk).values()),
            list(CaseEvent.objects.values()),
            list(AuditEntry.objects.values("data")),
        ],
        default=str,
        ensure_ascii=False,
    )
    for secret in ("zhang.san", "13912345678", "张", "dev-42", "acct-77"):
        assert secret not in stored


def test_attributes_are_appended_to_the_description(cats, api_key, client):
    response = post_request(
        client,
        api_key,
        service_code="05-01",
        **{"attribute[floor]": "3幢北侧路口", "attribute[hazard]": "yes"},
    )
    assert response.status_code == 200, response.content
    description = Case.objects.get().description
    assert description.startswith("小区门口垃圾桶满了")
    assert "位置补充:3幢北侧路口" in description and "安全隐患:是" in description


@pytest.mark.parametrize(
    "fields",
    [
        {"service_code": "05-01", "attribute[hazard]": "maybe"},
        {"service_code": "05-01", "attribute[hazard][]": ["yes", "no"]},
        {"attribute[hazard]": "yes"},  # 01-10 has no hazard attribute
        {"attribute[colour]": "red"},
        {"attribute[floor]": "楼" * 101},
    ],
)
def test_bad_attributes_are_400(cats, api_key, client, fields):
    assert_error(post_request(client, api_key, **fields), 400, "json")
    assert Case.objects.count() == 0


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("key", [None, "", "o311_not-a-real-key", "linli_wrongkind"])
def test_missing_or_bad_key_is_403_and_creates_nothing(cats, client, key, fmt):
    description = assert_error(post_request(client, key, fmt=fmt), 403, fmt)
    assert "api_key" in description
    assert Case.objects.count() == 0


def test_revoked_key_is_403(cats, api_key, client):
    Open311Key.objects.update(revoked_at=timezone.now())
    assert_error(post_request(client, api_key), 403, "json")
    assert Case.objects.count() == 0


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_service_is_404(cats, api_key, client, fmt):
    assert_error(post_request(client, api_key, fmt=fmt, service_code="99-99"), 404, fmt)
    assert_error(post_request(client, api_key, fmt=fmt, service_code="01"), 404, fmt)
    assert Case.objects.count() == 0


@pytest.mark.parametrize(
    "fields",
    [
        {"service_code": ""},
        {"lat": None},
        {"long": None},
        {"lat": None, "long": None, "address_id": "545483"},
        {"lat": None, "long": None, "address_string": "文三路 1 号"},
        {"lat": "north"},
        {"lat": "nan"},
        {"long": "200"},
        {"description": None},
        {"description": "   "},
        {"description": "长" * 2001},
        {"media_url": "javascript:alert(1)"},
    ],
)
def test_incomplete_requests_are_400_and_create_nothing(cats, api_key, client, fields):
    assert_error(post_request(client, api_key, **fields), 400, "json")
    assert Case.objects.count() == 0 and CaseEvent.objects.count() == 0


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_outside_every_grid_is_400_with_the_reason(cats, api_key, client, fmt):
    response = post_request(client, api_key, fmt=fmt, lat="31.5", long="121.5")
    assert assert_error(response, 400, fmt) == OUTSIDE
    assert Case.objects.count() == 0


def test_media_url_is_an_internal_note(cats, api_key, client):
    url = "https://img.example.com/p/1.jpg"
    assert post_request(client, api_key, media_url=url).status_code == 200
    case = Case.objects.get()
    note = case.events.get(kind="note")
    assert url in note.note and note.public is False
    [shown] = json_of(client.get(f"{BASE}/requests/{case.tracking_no}.json"))
    assert shown["media_url"] is None and url not in json.dumps(shown)


# --- GET requests -----------------------------------------------------------------------


def test_request_fields_and_dates(cats, client):
    case = make_case(
        cats["resident"],
        status=Status.DISPATCHED,
        handler_unit=cats.chengguan,
    )
    [body] = json_of(client.get(f"{BASE}/requests/{case.tracking_no}.json"))
    assert list(body) == REQUEST_FIELDS
    assert body["service_request_id"] == case.tracking_no
    assert body["status"] == "open"
    assert body["status_notes"] == "已派遣 · 西湖区城管局"
    assert (body["service_code"], body["service_name"]) == ("01-10", "暴露垃圾")
    assert body["agency_responsible"] == "西湖区城管局"
    assert body["address"] == "1幢东侧"
    # Published rounded to ~100 m so a door cannot be pinpointed.
    assert (body["lat"], body["long"]) == (round(INSIDE_A1["lat"], 3), round(INSIDE_A1["lon"], 3))
    assert body["address_id"] is None and body["zipcode"] is None and body["media_url"] is None
    for name in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert body[name].endswith("+08:00"), body[name]
    assert dt.datetime.fromisoformat(body["requested_datetime"]) == case.created_at.replace(
        microsecond=0
    )
    assert dt.datetime.fromisoformat(body["expected_datetime"]) == case.close_due.replace(
        microsecond=0
    )

    root = xml_of(client.get(f"{BASE}/requests/{case.tracking_no}.xml"))
    assert root.tag == "service_requests" and [c.tag for c in root] == ["request"]
    assert [c.tag for c in root[0]] == REQUEST_FIELDS
    assert root.findtext("request/long") == str(round(INSIDE_A1["lon"], 3))
    assert root.find("request/address_id").text is None  # an empty element


def test_no_personal_data_in_public_output(cats, client):
    resident = cats["resident"]
    resident.full_name, resident.phone = "张秀兰", "13800001111"
    resident.save()
    case = make_case(resident)
    assert case.reporter == resident
    for url in (f"/requests/{case.tracking_no}", "/requests", f"/tokens/{case.tracking_no}"):
        for fmt in ("json", "xml"):
            text = client.get(f"{BASE}{url}.{fmt}").content.decode()
            assert case.tracking_no in text
            for secret in ("张秀兰", "13800001111", "resident", "王秀英", "reporter"):
                assert secret not in text, (url, fmt, secret)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_or_private_request_is_404(cats, client, fmt):
    hidden = make_case(cats["resident"], public=False)
    assert_error(client.get(f"{BASE}/requests/20260101999999.{fmt}"), 404, fmt)
    assert_error(client.get(f"{BASE}/requests/{hidden.tracking_no}.{fmt}"), 404, fmt)
    assert_error(client.get(f"{BASE}/tokens/{hidden.tracking_no}.{fmt}"), 404, fmt)


def test_token_is_the_tracking_number(cats, client):
    case = make_case(cats["resident"])
    body = json_of(client.get(f"{BASE}/tokens/{case.tracking_no}.json"))
    assert body == [{"service_request_id": case.tracking_no, "token": case.tracking_no}]
    root = xml_of(client.get(f"{BASE}/tokens/{case.tracking_no}.xml"))
    assert [c.tag for c in root[0]] == ["service_request_id", "token"]


def _ids(response):
    return [r["service_request_id"] for r in json_of(response)]


def test_get_requests_filters(cats, client):
    now = timezone.now()
    resident = cats["resident"]
    fresh = make_case(resident)
    light = make_case(resident, code="06-07", created_at=now - dt.timedelta(days=3))
    rejected = make_case(resident, status=Status.REJECTED, created_at=now - dt.timedelta(days=5))
    rated = make_case(
        resident,
        status=Status.RATED,
        closed_at=now - dt.timedelta(days=1),
        created_at=now - dt.timedelta(days=10),
    )
    old = make_case(resident, created_at=now - dt.timedelta(days=120))
    make_case(resident, public=False)

    everything = _ids(client.get(f"{BASE}/requests.json"))  # default: the last 90 days
    assert everything == [
        fresh.tracking_no,
        light.tracking_no,
        rejected.tracking_no,
        rated.tracking_no,
    ]

    def ids(**params):
        return _ids(client.get(f"{BASE}/requests.json?{urlencode(params)}"))

    assert ids(status="open") == [fresh.tracking_no, light.tracking_no]
    assert ids(status="closed") == [rejected.tracking_no, rated.tracking_no]
    assert ids(status="open,closed") == everything
    assert ids(service_code="06-07") == [light.tracking_no]
    assert ids(service_code="06-07,01-10", status="closed") == [
        rejected.tracking_no,
        rated.tracking_no,
    ]
    week_ago = (now - dt.timedelta(days=7)).isoformat()
    assert ids(start_date=week_ago) == [fresh.tracking_no, light.tracking_no, rejected.tracking_no]
    start = (now - dt.timedelta(days=150)).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = (now - dt.timedelta(days=100)).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ids(start_date=start, end_date=end) == [old.tracking_no]
    assert ids(end_date=(now - dt.timedelta(days=100)).isoformat()) == [old.tracking_no]
    # service_request_id overrides the other arguments, and never shows a private case
    assert ids(service_request_id=f"{old.tracking_no},{fresh.tracking_no}", status="closed") == [
        fresh.tracking_no,
        old.tracking_no,
    ]

    [closed] = [r for r in json_of(client.get(f"{BASE}/requests.json")) if r["status"] == "closed"][
        :1
    ]
    assert closed["status_notes"] == "不予立案 · 西湖区城管局"
    [rated_row] = json_of(client.get(f"{BASE}/requests/{rated.tracking_no}.json"))
    assert rated_row["updated_datetime"] == timezone.localtime(rated.closed_at).isoformat(
        timespec="seconds"
    )


@pytest.mark.parametrize(
    "params",
    [
        {"start_date": "2026-01-01T00:00:00+08:00", "end_date": "2026-05-01T00:00:00+08:00"},
        {"start_date": "2026-05-01T00:00:00Z", "end_date": "2026-04-01T00:00:00Z"},
        {"start_date": "yesterday"},
        {"status": "pending"},
    ],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_queries_are_400(cats, client, params, fmt):
    assert_error(client.get(f"{BASE}/requests.{fmt}?{urlencode(params)}"), 400, fmt)


def test_ninety_days_exactly_is_allowed(cats, client):
    params = {"start_date": "2026-01-01", "end_date": "2026-03-31"}  # whole days, inclusive
    assert client.get(f"{BASE}/requests.json?{urlencode(params)}").status_code == 200


def test_requests_xml_lists_requests(cats, client):
    make_case(cats["resident"])
    make_case(cats["resident"], code="06-07")
    root = xml_of(client.get(f"{BASE}/requests.xml"))
    assert root.tag == "service_requests" and [c.tag for c in root] == ["request", "request"]
    assert json_of(client.get(f"{BASE}/requests.json?service_code=27-01")) == []
    empty = xml_of(client.get(f"{BASE}/requests.xml?service_code=27-01"))
    assert empty.tag == "service_requests" and len(empty) == 0


def test_user_text_is_escaped_in_xml(cats, client):
    case = make_case(cats["resident"])
    Case.objects.filter(pk=case.pk).update(description='<b>"坏了"</b> & \x01 </request>')
    root = xml_of(client.get(f"{BASE}/requests/{case.tracking_no}.xml"))
    assert root.findtext("request/description") == '<b>"坏了"</b> &  </request>'


def test_media_url_only_after_photo_review(cats, client):
    case = make_case(cats["resident"])
    photo = CasePhoto.objects.create(
        case=case,
        image="cases/2026/11/abc.jpg",
        thumbnail="cases/2026/11/thumbs/abc_t.jpg",
        sha256="0" * 64,
        width=10,
        height=10,
    )
    [row] = json_of(client.get(f"{BASE}/requests/{case.tracking_no}.json"))
    assert row["media_url"] is None
    Case.objects.filter(pk=case.pk).update(photos_reviewed=True)
    [row] = json_of(client.get(f"{BASE}/requests/{case.tracking_no}.json"))
    assert row["media_url"].startswith("http://testserver/")
    assert str(photo.pk) in row["media_url"] or "abc.jpg" in row["media_url"]


def test_request_list_has_no_n_plus_1(cats, client, django_assert_max_num_queries):
    for _ in range(3):
        make_case(cats["resident"])
    with django_assert_max_num_queries(3) as first:
        assert len(json_of(client.get(f"{BASE}/requests.json"))) == 3
    for _ in range(5):
        make_case(cats["resident"], photos_reviewed=True)
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert len(json_of(client.get(f"{BASE}/requests.json"))) == 8


# --- keys -------------------------------------------------------------------------------


def test_key_prefix_never_starts_with_a_dash(cats, monkeypatch):
    from linli.casework.open311 import keys

    bodies = iter(["-dash" + "a" * 38, "Plain" + "b" * 38])
    monkeypatch.setattr(keys.secrets, "token_urlsafe", lambda n: next(bodies))
    call_command("open311_key", "create", "dash-app", stdout=io.StringIO())
    assert Open311Key.objects.get(name="dash-app").prefix == "Plainbbb"


def test_key_command_create_list_revoke(cats, client):
    out = io.StringIO()
    call_command("open311_key", "create", "district-app", stdout=out)
    key = out.getvalue().strip().splitlines()[-1]
    row = Open311Key.objects.get(name="district-app")
    assert key.startswith("o311_") and row.prefix in key
    assert key not in json.dumps(list(Open311Key.objects.values()), default=str)
    assert post_request(client, key).status_code == 200

    listing = io.StringIO()
    call_command("open311_key", "list", stdout=listing)
    assert row.prefix in listing.getvalue() and "有效" in listing.getvalue()
    assert key not in listing.getvalue()

    call_command("open311_key", "revoke", row.prefix, stdout=io.StringIO())
    assert_error(post_request(client, key), 403, "json")
    assert Case.objects.count() == 1
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"open311_key.create", "open311_key.revoke"} <= actions

    # a new key for the same client files under the same account
    again = io.StringIO()
    call_command("open311_key", "create", "district-app", stdout=again)
    assert Open311Key.objects.filter(name="district-app").values("user").distinct().count() == 1


def test_key_command_refuses_bad_input(cats):
    from django.core.management.base import CommandError

    call_command("open311_key", "create", "app", stdout=io.StringIO())
    with pytest.raises(CommandError, match="已有有效密钥"):
        call_command("open311_key", "create", "app", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("open311_key", "revoke", "nosuch", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("open311_key", "create", "two words", stdout=io.StringIO())
    assert Open311Key.objects.count() == 1


def test_labels_stay_chinese_for_an_english_browser(cats, client):
    case = make_case(cats["resident"])
    client.cookies["django_language"] = "en"
    [row] = json_of(client.get(f"{BASE}/requests/{case.tracking_no}.json"))
    assert row["status_notes"].startswith("已受理")
