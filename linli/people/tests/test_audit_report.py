"""The data-access audit report service (PEOPLE-4 数据安全审计): access per user, flags for
bulk reading, off-hours access and access without a reason, scoped to the secretary's
community or the street; the hash chain after thousands of audited reads. The command, page
and API are in test_audit_report_outputs.py."""

import datetime as dt
import io
import time
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from linli.casework.models import Case, Category
from linli.core.audit.models import AuditEntry
from linli.core.audit.services import audit_record, audit_verify
from linli.core.calendar.services import calendar_load_year
from linli.core.errors import NotFound, PermissionDenied, ValidationFailed
from linli.core.roles import Role
from linli.geo.models import Community
from linli.people.models import Resident
from linli.people.reports.audit import audit_report, audit_report_for
from linli.people.reports.audit_data import period_parse, scope_all, scope_for
from linli.people.services.grants import grant_decide, grant_request
from linli.people.services.records import resident_read, residents_list

from . import audit_fixtures
from .audit_fixtures import (
    TZ,
    WEDNESDAY,
    WEEK,
    clock,
    flags_of,
    read_at,
    report_for,
    row_of,
)

# Fixtures shared with the other audit test module.
town = audit_fixtures.town
fresh_chain_status = audit_fixtures.fresh_chain_status

# ---- Thousands of reads -----------------------------------------------------------------


@pytest.mark.clock("12:00")  # reports "today": the 2,000 reads must not straddle midnight
def test_thousands_of_audited_reads_keep_the_chain_and_report_fast(world, town):
    """2,000 audited reads by five staff personas through the real services (1,600 record
    views, 400 list pages naming 8,000 records); the hash chain verifies (service and command)
    and the report over them takes well under a second with a fixed number of queries."""
    in_a = [r.pk for r in town["a1"] + town["a2"]]
    readers: list[tuple[Any, list[int]]] = [
        (world["grid_worker"], [r.pk for r in town["a1"]]),
        (world["community_worker"], in_a),
        (world["secretary"], in_a),
        (world["street_admin"], in_a + [r.pk for r in town["b1"]]),
    ]
    reads = 0
    for n in range(1600):
        actor, ids = readers[n % len(readers)]
        purpose = "走访核对" if actor.role == Role.STREET_ADMIN else ""
        resident_read(actor=actor, resident_id=ids[n % len(ids)], purpose=purpose)
        reads += 1
    for n in range(400):
        actor = (world["grid_worker"], world["community_worker"], town["secretary_b"])[n % 3]
        residents_list(actor=actor, page=n % 3 + 1, page_size=20)
        reads += 1
    assert reads == 2000
    assert AuditEntry.objects.filter(object_type="people.resident").count() == 2000

    result = audit_verify()
    assert result.ok and result.checked >= 2000
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    assert f"{result.checked} entries verified" in out.getvalue()

    today = timezone.localdate().isoformat()
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        report = audit_report(
            period=period_parse(since=today, until=today), scope=scope_all(), thresholds=None
        )
    elapsed = time.perf_counter() - started
    assert elapsed < 1.0, elapsed
    assert len(queries.captured_queries) <= 8
    assert row_of(report, "grid_worker").views == 400
    assert row_of(report, "grid_worker").lists == 134
    assert row_of(report, "secretary_b").residents == 10  # the list shows only 乙's residents
    assert row_of(report, "street_admin").residents == 65
    started = time.perf_counter()
    mine = audit_report_for(actor=town["secretary_b"], since=today, until=today)
    assert time.perf_counter() - started < 1.0
    assert {u.username for u in mine.users} == {"street_admin", "secretary_b"}


# ---- Bulk reading -----------------------------------------------------------------------


def test_a_bulk_reader_is_flagged_and_a_normal_user_is_not(world, town):
    gw, cw = world["grid_worker"], world["community_worker"]
    for i, r in enumerate(town["a1"][:40]):  # 40 records in 4 min 40 s
        read_at(WEDNESDAY + dt.timedelta(seconds=7 * i), gw, r.pk)
    for i, r in enumerate(town["a2"][:5]):  # a normal morning: 5 records
        read_at(WEDNESDAY + dt.timedelta(minutes=3 * i), cw, r.pk)
    for i in range(40):  # the same 5 records opened again and again is not bulk reading
        read_at(WEDNESDAY + dt.timedelta(hours=2, seconds=5 * i), cw, town["a2"][i % 5].pk)

    report = report_for(world["secretary"])
    (flag,) = flags_of(report, "grid_worker", "bulk")
    assert flag.kind_label == "批量读取"
    assert "多达40位居民" in flag.reason and "10分钟内30人" in flag.reason
    assert sorted(flag.residents) == sorted(r.pk for r in town["a1"][:40])
    assert len(flag.seqs) == 40
    assert flag.start == WEDNESDAY and flag.end == WEDNESDAY + dt.timedelta(seconds=273)
    assert not flags_of(report, "community_worker")
    assert row_of(report, "grid_worker").flags == 1
    assert row_of(report, "community_worker").views == 45
    assert row_of(report, "community_worker").residents == 5
    assert report.users[0].username == "grid_worker"  # flagged users come first


def test_records_read_slowly_are_not_bulk_and_threshold_is_configurable(world, town):
    gw = world["grid_worker"]
    for i, r in enumerate(town["a1"][:40]):  # 40 records, one every 3 minutes
        read_at(WEDNESDAY + dt.timedelta(minutes=3 * i), gw, r.pk)
    assert not flags_of(report_for(world["secretary"]), "grid_worker")
    with override_settings(LINLI_AUDIT_BULK_COUNT=3, LINLI_AUDIT_BULK_MINUTES=10):
        (flag,) = flags_of(report_for(world["secretary"]), "grid_worker", "bulk")
    assert (
        "10分钟内打开了多达4位居民的档案" in flag.reason
    )  # any 10 minutes hold 4 reads 3 minutes apart


def test_paging_through_lists_is_flagged_at_its_own_threshold(world, town):
    gw = world["grid_worker"]
    with clock(WEDNESDAY):
        residents_list(actor=gw, page=1, page_size=20)
    with override_settings(LINLI_AUDIT_LIST_COUNT=40):
        assert not flags_of(report_for(world["secretary"]), "grid_worker")  # one page is normal
        for page in (2, 3):
            with clock(WEDNESDAY + dt.timedelta(minutes=page)):
                residents_list(actor=gw, page=page, page_size=20)
        report = report_for(world["secretary"])
    (flag,) = flags_of(report, "grid_worker", "bulk")
    assert "在名单中看到了多达46位居民" in flag.reason  # 45 in 3幢 + 王秀英
    assert row_of(report, "grid_worker").lists == 3
    assert row_of(report, "grid_worker").views == 0


# ---- Off hours --------------------------------------------------------------------------


def test_off_hours_and_days_off_are_flagged(world, town):
    calendar_load_year(actor=None, year=2026)
    gw, a1 = world["grid_worker"], town["a1"]
    read_at(WEDNESDAY.replace(hour=22, minute=30), gw, a1[0].pk)  # Wednesday night
    read_at(dt.datetime(2026, 3, 8, 10, 0, tzinfo=TZ), gw, a1[1].pk)  # Sunday
    read_at(dt.datetime(2026, 3, 5, 17, 59, tzinfo=TZ), gw, a1[2].pk)  # in time
    read_at(dt.datetime(2026, 3, 6, 8, 0, tzinfo=TZ), gw, a1[3].pk)  # in time
    report = report_for(world["secretary"])
    night, sunday = flags_of(report, "grid_worker", "off_hours")
    assert night.reason == ("2026-03-04(周三)在工作时间(08:00–18:00)以外访问居民档案1次(22:30)。")
    assert sunday.reason == "2026-03-08(周日)是周末,不是工作日,访问居民档案1次。"
    assert sunday.residents == [a1[1].pk]

    # The official calendar: National Day is off, the 调休 Sunday before it is worked.
    read_at(dt.datetime(2026, 10, 1, 10, 0, tzinfo=TZ), gw, a1[4].pk)
    read_at(dt.datetime(2026, 9, 20, 10, 0, tzinfo=TZ), gw, a1[5].pk)
    report = report_for(world["secretary"], since="2026-09-14", until="2026-10-04")
    (holiday,) = flags_of(report, "grid_worker", "off_hours")
    assert "2026-10-01(周四)是法定节假日" in holiday.reason


def test_a_year_without_calendar_falls_back_to_weekends(world, town):
    gw = world["grid_worker"]
    read_at(dt.datetime(2031, 5, 3, 11, 0, tzinfo=TZ), gw, town["a1"][0].pk)  # a Saturday
    read_at(dt.datetime(2031, 5, 5, 11, 0, tzinfo=TZ), gw, town["a1"][1].pk)  # a Monday
    report = report_for(world["secretary"], since="2031-05-01", until="2031-05-07")
    (flag,) = flags_of(report, "grid_worker")
    assert "2031-05-03(周六)是周末" in flag.reason


def test_residents_are_never_flagged_for_their_own_record_at_night(world, town):
    resident_id = Resident.objects.get(user=world["resident"]).pk
    read_at(WEDNESDAY.replace(hour=23), world["resident"], resident_id, purpose="本人查看")
    assert AuditEntry.objects.filter(object_id=str(resident_id), data__own=True).exists()
    report = report_for(world["secretary"])
    assert report.users == [] and report.flags == []


# ---- No reason --------------------------------------------------------------------------


@pytest.fixture
def open_case(world, town) -> Case:
    """An open case about a resident of 乙, handled by the 城管 officer."""
    now = timezone.now()
    return Case.objects.create(
        tracking_no="T-AUDIT-1",
        channel="window",
        category=Category.objects.create(code="01", name="市容环境"),
        description="占道",
        resident=town["b1"][0],
        lat=30.2726,
        lon=120.1326,
        grid=world.grid_b1,
        community=world.community_b,
        owner_unit=world.chengguan,
        handler_unit=world.chengguan,
        respond_due=now + dt.timedelta(hours=2),
        close_due=now + dt.timedelta(days=5),
    )


def test_reads_without_a_case_purpose_or_grant_are_flagged(world, town, open_case):
    officer, street = world["dept_officer"], world["street_admin"]
    b1 = town["b1"][0]
    read_at(WEDNESDAY, officer, b1.pk)  # no case named
    read_at(WEDNESDAY, officer, b1.pk, case_id=open_case.pk)
    read_at(WEDNESDAY, street, b1.pk)  # no purpose
    read_at(WEDNESDAY, street, b1.pk, purpose="核对低保名单")
    # A view of protected fields whose entry names no grant (as a bypass would leave it).
    with clock(WEDNESDAY):
        audit_record(
            actor=world["community_worker"],
            action="resident.viewed",
            obj=town["a1"][0],
            data={"fields": ["full_name", "id_number", "health_conditions"], "grants": []},
        )
    report = report_for(street)
    (case_flag,) = flags_of(report, "dept_officer")
    assert case_flag.kind == "no_reason" and case_flag.kind_label == "无理由访问"
    assert case_flag.reason == "职能部门查看居民档案1次,没有关联所办理的诉求。"
    (purpose_flag,) = flags_of(report, "street_admin")
    assert purpose_flag.reason == "街道办查看单份居民档案1次,没有填写用途。"
    (grant_flag,) = flags_of(report, "community_worker")
    assert "受保护信息(身份证号、健康状况)" in grant_flag.reason
    assert "没有有效的查看授权" in grant_flag.reason
    assert row_of(report, "dept_officer").views == 2


def test_protected_fields_read_with_an_approved_grant_are_not_flagged(world, town):
    gw, resident = world["grid_worker"], town["a1"][0]
    with clock(WEDNESDAY):
        grant = grant_request(
            actor=gw, resident_id=resident.pk, tiers=["health"], purpose="办理残疾人补贴"
        )
        grant_decide(actor=world["secretary"], grant_id=grant.pk, approve=True)
        view = resident_read(actor=gw, resident_id=resident.pk)
    assert "health_conditions" in view.access.fields and view.access.grant_ids == [grant.pk]
    report = report_for(world["secretary"])
    assert report.flags == []
    assert row_of(report, "grid_worker").views == 1


# ---- Scope ------------------------------------------------------------------------------


def test_each_secretary_sees_only_reads_of_their_own_residents(world, town, login):
    street = world["street_admin"]
    read_at(WEDNESDAY, world["grid_worker"], town["a1"][0].pk)
    read_at(WEDNESDAY, street, town["a1"][1].pk, purpose="走访")
    read_at(WEDNESDAY, street, town["b1"][0].pk, purpose="走访")
    with clock(WEDNESDAY):
        residents_list(actor=street, page_size=100)  # 66 residents of both communities

    report_a = report_for(world["secretary"])
    assert {u.username for u in report_a.users} == {"grid_worker", "street_admin"}
    assert row_of(report_a, "street_admin").residents == 56  # 45 + 10 + 王秀英, not 乙's
    report_b = report_for(town["secretary_b"])
    assert {u.username for u in report_b.users} == {"street_admin"}
    assert row_of(report_b, "street_admin").residents == 10
    assert report_b.scope.label == "乙社区"
    whole = report_for(street)
    assert row_of(whole, "street_admin").residents == 66 and whole.scope.label == "测试街道"
    only_b = audit_report_for(actor=street, community_id=world.community_b.pk, **WEEK)
    assert row_of(only_b, "street_admin").residents == 10

    # 乙's secretary cannot open the accesses of a user who only read 甲's residents.
    gw_id = world["grid_worker"].pk
    client = Client()  # login() knows only the world's personas
    client.force_login(town["secretary_b"])
    refused = client.get(f"/people/audit/user/{gw_id}/", WEEK)
    assert refused.status_code == 404
    assert "没有访问您管辖范围内居民档案的记录" in refused.content.decode()
    api = client.get("/api/people/audit", {**WEEK, "user_id": gw_id})
    assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"
    seen = login("secretary").get(f"/people/audit/user/{gw_id}/", WEEK)
    assert seen.status_code == 200


def test_a_street_admin_cannot_pick_a_community_of_another_street(world, town):
    other = Community.objects.create(
        street=world.street.__class__.objects.create(
            district=world.district, code="002", name="别的街道"
        ),
        code="009",
        name="外街社区",
    )
    with pytest.raises(NotFound):
        scope_for(actor=world["street_admin"], community_id=other.pk)
    with pytest.raises(NotFound):
        scope_for(actor=world["secretary"], community_id=world.community_b.pk)
    for role in ("grid_worker", "community_worker", "supervisor", "sysadmin", "resident"):
        with pytest.raises(PermissionDenied):
            scope_for(actor=world[role])


def test_bad_periods_are_refused_in_chinese():
    with pytest.raises(ValidationFailed, match="开始日期不能晚于结束日期"):
        period_parse(since="2026-03-08", until="2026-03-01")
    with pytest.raises(ValidationFailed, match="日期格式应为"):
        period_parse(since="3月1日")
    with pytest.raises(ValidationFailed, match="一次最多查询366天"):
        period_parse(since="2024-01-01", until="2026-01-01")
    default = period_parse()
    assert default.until == timezone.localdate()
    assert (default.until - default.since).days == 6
