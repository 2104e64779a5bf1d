"""The people pages in English: with the language cookie set to "en" the resident list, a
record, access grants, the import page, the data access audit, the correction list and the
residents' and families' own pages read in English, and no Chinese is left but the data
(names, addresses, tags, what people typed); without the cookie the pages are the same Chinese
as before."""

import datetime as dt

import pytest

from linli.people.models import Resident, Tag
from linli.people.reports.audit import audit_report_for
from linli.people.services import rights
from linli.people.services.grants import grant_request
from linli.people.services.records import resident_read
from linli.people.validation import id_check_digit
from linli.people.views import PURPOSES
from linli.testing import english as en
from linli.testing.english import as_user, text

from . import audit_fixtures
from .audit_fixtures import WEDNESDAY, WEEK, read_at
from .test_rights import ID_NUMBER, rich_record

town = audit_fixtures.town
fresh_chain_status = audit_fixtures.fresh_chain_status

# The data of the test world and of the scenes below: names, places, tags, free text.
DATA = (
    "甲社区1号网格",
    "甲社区2号网格",
    "甲社区",
    "乙社区",
    "王秀英",
    "王强",
    "李阿姨",
    "儿子",
    "邻居",
    "高血压",
    "低保",
    "独居老人",
    "越剧",
    "腿脚不便",
    "换号了",
    "办理慢病补贴",
    "1幢",
    "3幢",
    "1单元",
    "甲居民",
)
# What the correction list records as the purpose of opening a record: in a link, not shown.
PURPOSE_LINK = "?purpose=处理更正申请"


def english(html: str, *more: str) -> str:
    return en.english(html.replace(PURPOSE_LINK, ""), (*more, *DATA))


@pytest.fixture
def record(world) -> Resident:
    return rich_record(world)


# Staff ---------------------------------------------------------------------------------------


def test_resident_list_in_english(world, record):
    gw = as_user(world["grid_worker"])
    html = english(text(gw.get("/people/")), *_tags(), *_purpose_values())
    assert "<h1>Resident records</h1>" in html and 'placeholder="Search by name"' in html
    assert "<th>Ability</th>" in html and "Page 1 / 1, 1 people" in html
    assert ">Home visit</option>" in html and 'value="走访慰问"' in html
    assert "Every view is logged." in html
    other = "33010619500101002"
    r = gw.post("/people/", {"id_number": other + id_check_digit(other)})
    html = english(text(r), *_tags(), *_purpose_values())
    assert "No resident with this ID card number in your area." in html
    html = english(
        text(as_user(world["community_worker"]).get("/people/")), *_tags(), *_purpose_values()
    )
    assert "Import from Excel" in html


def _tags() -> list[str]:
    """The names of the tags are data, kept in the database (migration 0003)."""
    return sorted(Tag.objects.values_list("name", flat=True), key=len, reverse=True)


def _purpose_values() -> list[str]:
    """The purpose options send the Chinese value the audit log records; they show English."""
    return [f'value="{p}"' for p in PURPOSES]


def test_record_and_grant_pages_in_english(world, record):
    gw = as_user(world["grid_worker"])
    html = english(text(gw.get(f"/people/{record.pk}/?purpose=走访慰问")))
    assert "<dt>Sex</dt>" in html and "<dt>Relation to head of household</dt>" in html
    assert '<dd class="field-ability">Semi-disabled' in html
    assert "Not shown: Identity, Health, Finances and assistance." in html
    assert ">Request access</a>" in html and "This view has been logged." in html
    html = english(text(gw.get(f"/people/{record.pk}/grant/")))
    assert "<h1>Request access to sensitive data</h1>" in html and "Days valid" in html
    assert ">Send the request</button>" in html
    r = gw.post(
        f"/people/{record.pk}/grant/",
        {"tiers": ["health"], "purpose": "办理慢病补贴", "days": 3},
        follow=True,
    )
    html = english(text(r))
    assert "Request sent." in html and "<h2>My requests</h2>" in html and "Pending" in html


def test_grants_page_in_english(world, record):
    grant_request(
        actor=world["grid_worker"],
        resident_id=record.pk,
        tiers=["health", "finance"],
        purpose="办理慢病补贴",
    )
    secretary = as_user(world["secretary"])
    html = english(text(secretary.get("/people/grants/")))
    assert "<h1>Data access approvals</h1>" in html and "Waiting for my decision" in html
    assert "<strong>grid_worker</strong> asks to see <strong>王秀英</strong>'s" in html
    assert "Finances and assistance, Health (7 days)" in html
    assert ">Approve</button>" in html and ">Refuse</button>" in html
    assert "You have not sent any requests yet." in html


def test_import_page_in_english(world):
    cw = as_user(world["community_worker"])
    html = english(text(cw.get("/people/import/")), *_import_columns())
    assert "<h1>Import residents from Excel</h1>" in html and "1. Download the template" in html
    assert ">Upload and import</button>" in html and "How to fill in each column" in html
    html = english(text(cw.post("/people/import/", {})), *_import_columns())
    assert "Please choose the Excel file to import first." in html


def _import_columns() -> list[str]:
    """The sheet's column names and their notes stay Chinese (they name the sheet's columns)."""
    from linli.people.services.importing import COLUMNS

    parts = [str(how) for *_, how in COLUMNS] + [str(header) for header, *_ in COLUMNS]
    return sorted(parts, key=len, reverse=True)


def test_corrections_page_in_english(world, record):
    rights.correction_request(actor=world["resident"], field="phone", message="换号了")
    cw = as_user(world["community_worker"])
    html = english(text(cw.get("/people/corrections/")))
    assert "<h1>Residents' correction requests</h1>" in html
    assert "To correct: <strong>Phone</strong>" in html and ">Correct it</button>" in html
    assert ">Do not correct</button>" in html and 'placeholder="Why it is not corrected"' in html
    c = rights.correction_request(actor=world["resident"], field="full_name", message="换号了")
    r = cw.post(f"/people/corrections/{c.pk}/refuse/", {"reply": "换号了"}, follow=True)
    html = english(text(r))
    assert "The resident has been answered." in html and "Recently handled" in html


def test_audit_pages_in_english(world, town):
    gw = world["grid_worker"]
    for i, r in enumerate(town["a1"][:31]):
        read_at(WEDNESDAY + dt.timedelta(seconds=9 * i), gw, r.pk, purpose="走访慰问")
    # The reasons of the flags are written by the report in Chinese (reports/audit_flags.py).
    report = audit_report_for(actor=world["secretary"], **WEEK)
    reasons = [f.reason for f in report.flags]
    secretary = as_user(world["secretary"])
    html = english(text(secretary.get("/people/audit/", WEEK)), *reasons)
    assert "<h1>Data access audit</h1>" in html and "The audit log is complete" in html
    assert "Scope: <strong>甲社区</strong> · 2 Mar 2026 to 8 Mar 2026" in html
    assert "Access to look at (1)" in html and "Bulk reading" in html
    assert "<th>Records opened</th>" in html and "Flag rules" in html
    html = english(text(secretary.get(f"/people/audit/user/{gw.pk}/", WEEK)), *reasons)
    assert "Access by grid_worker" in html and "account grid_worker" in html
    assert "Every entry (newest first)" in html and "4 Mar 10:00" in html
    # Each cell carries its column's name (a labelled line of a card on a phone).
    assert '<td class="nowrap" data-label="Action">Records opened</td>' in html
    assert '<td data-label="What it is for">Home visit</td>' in html
    assert '<span class="flag-kind">Bulk reading</span>' in html


# Residents and families ------------------------------------------------------------------------


def test_my_data_page_in_english(world, record):
    resident_read(actor=world["grid_worker"], resident_id=record.pk, purpose="走访慰问")
    rights.correction_request(actor=world["resident"], field="phone", message="换号了")
    html = english(text(as_user(world["resident"]).get("/people/me/")))
    assert "<h1>My data</h1>" in html and "Ask for a correction" in html
    assert "<dt>ID card number</dt>" in html and ID_NUMBER in html
    assert "Emergency contacts" in html and "linked to a family account" in html
    assert "Who may see my sensitive data" in html and "My correction requests" in html
    assert "Viewed the record" in html and "Purpose: Home visit" in html
    assert "Views of your data in the last 90 days: 1. <a" in html


def test_my_forms_in_english(world, record):
    me = as_user(world["resident"])
    html = english(text(me.get("/people/me/correction/")))
    assert "1. What is wrong" in html and ">Ability level</option>" in html
    html = english(text(me.get("/people/me/optional/")))
    assert "Health notes (written by you)" in html and ">Agree and save</button>" in html
    html = english(text(me.get("/people/me/privacy/")))
    assert "Who sees <strong>alerts</strong>" in html and "Grid worker and family" in html
    html = english(text(me.get("/people/me/consent/withdraw/")))
    assert "<h1>Withdraw consent</h1>" in html and "Contact you gave" in html
    html = english(text(me.get("/people/me/export/")))
    assert "Personal data of 王秀英" in html and ">Print</button>" in html
    r = me.post("/people/me/privacy/", {"alerts_audience": "grid", "optional_audience": "grid"})
    assert r.status_code == 302
    assert "Privacy settings saved." in english(text(me.get("/people/me/")))


def test_resident_without_a_record_in_english(world):
    Resident.objects.filter(user=world["resident"]).update(user=None)
    r = as_user(world["resident"]).get("/people/me/")
    assert r.status_code == 404
    html = r.content.decode()
    assert "Please bring your ID card to register." in html


def test_family_page_in_english(world, record):
    html = english(text(as_user(world["family"]).get("/people/family/")))
    assert "<h1>My family</h1>" in html and "<dt>Ability level</dt>" in html
    assert "Each of your views is logged" in html


# Chinese stays as it was ---------------------------------------------------------------------


def test_default_pages_are_still_chinese(world, record):
    html = text(as_user(world["grid_worker"], lang=None).get("/people/"))
    assert '<html lang="zh-hans">' in html
    assert "<h1>居民档案</h1>" in html and "第 1 / 1 页,共 1 人" in html
    assert ">走访慰问</option>" in html and "Resident records" not in html
    html = text(as_user(world["resident"], lang=None).get("/people/me/"))
    assert "<h1>我的信息</h1>" in html and "申请更正" in html and "My data" not in html
    html = text(as_user(world["family"], lang=None).get("/people/family/"))
    assert "<h1>我的家人</h1>" in html and "老人能力等级" in html
