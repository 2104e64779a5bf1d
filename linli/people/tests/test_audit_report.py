"""The data-access audit report (PEOPLE-4 数据安全审计): access per user, flags for bulk
reading, off-hours access and access without a reason, scoped to the secretary's community or
the street; the command, the page and the API; the hash chain after thousands of reads.

Entries are written by the real services (resident_read, residents_list); to place them in
time only the clock is set, by patching django.utils.timezone.now around the call."""

import datetime as dt
import io
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from linli.accounts.choices import MembershipKind, Role
from linli.accounts.models import Membership
from linli.casework.models import Case, Category
from linli.core.audit.models import AuditEntry
from linli.core.audit.services import audit_record, audit_verify
from linli.core.calendar.services import calendar_load_year
from linli.core.errors import NotFound, PermissionDenied, ValidationFailed
from linli.core.testing.world import World, make_user
from linli.geo.models import Building, Community, Household
from linli.people.models import Resident
from linli.people.reports.audit import (
    CHAIN_CACHE_KEY,
    AuditReport,
    audit_report,
    audit_report_for,
)
from linli.people.reports.audit_data import period_parse, scope_all, scope_for
from linli.people.services.grants import grant_decide, grant_request
from linli.people.services.records import resident_read, residents_list

TZ = timezone.get_default_timezone()
WEDNESDAY = dt.datetime(2026, 3, 4, 10, 0, tzinfo=TZ)  # an ordinary working day
WEEK = {"since": "2026-03-02", "until": "2026-03-08"}
SECRET_NAMES = ("甲居民", "乙居民", "王秀英")  # resident names: never in any report output


@pytest.fixture(autouse=True)
def _fresh_chain_status() -> Iterator[None]:
    """Pages reuse a chain check for 10 minutes (in the process's cache): start each test
    without one."""
    cache.delete(CHAIN_CACHE_KEY)
    yield
    cache.delete(CHAIN_CACHE_KEY)


@contextmanager
def clock(when: dt.datetime) -> Iterator[None]:
    """Entries written inside get `when` as their time (audit_record stamps timezone.now())."""
    with mock.patch("django.utils.timezone.now", return_value=when):
        yield


def read_at(when: dt.datetime, actor: Any, resident_id: int, **extra: Any) -> None:
    with clock(when):
        resident_read(actor=actor, resident_id=resident_id, **extra)


def _residents(building: Building, prefix: str, n: int) -> list[Resident]:
    households = Household.objects.bulk_create(
        [Household(building=building, unit="1单元", room=f"{i + 1:03d}") for i in range(n)]
    )
    return Resident.objects.bulk_create(
        [
            Resident(household=h, full_name=f"{prefix}{i:03d}", sex="F", birth_year=1950)
            for i, h in enumerate(households)
        ]
    )


@pytest.fixture
def town(world: World) -> dict[str, Any]:
    """45 residents in grid a1 and 10 in a2 (community 甲), 10 in b1 (乙); a secretary for 乙."""
    a1 = Building.objects.create(grid=world.grid_a1, name="3幢", lat=30.2725, lon=120.1225)
    a2 = Building.objects.create(grid=world.grid_a2, name="5幢", lat=30.2725, lon=120.1275)
    b1 = Building.objects.create(grid=world.grid_b1, name="9幢", lat=30.2725, lon=120.1325)
    secretary_b = make_user("secretary_b", Role.SECRETARY, full_name="乙书记")
    Membership.objects.create(
        user=secretary_b, kind=MembershipKind.SECRETARY, community=world.community_b
    )
    return {
        "a1": _residents(a1, "甲居民", 45),
        "a2": _residents(a2, "甲居民二", 10),
        "b1": _residents(b1, "乙居民", 10),
        "secretary_b": secretary_b,
    }


def report_for(actor: Any, since: str = WEEK["since"], until: str = WEEK["until"]) -> AuditReport:
    return audit_report_for(actor=actor, since=since, until=until)


def flags_of(report: AuditReport, username: str, kind: str | None = None) -> list[Any]:
    return [f for f in report.flags if f.username == username and kind in (None, f.kind)]


def row_of(report: AuditReport, username: str) -> Any:
    return next(u for u in report.users if u.username == username)


# ---- Thousands of reads -----------------------------------------------------------------


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


# ---- Command ----------------------------------------------------------------------------


def run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("people_audit_report", *args, stdout=out)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue()
    return 0, out.getvalue()


def test_command_prints_the_table_and_flags_and_exit_codes(world, town):
    quiet = ("--since", "2026-03-02", "--until", "2026-03-08")
    read_at(WEDNESDAY, world["community_worker"], town["a2"][0].pk)
    code, text = run(*quiet, "--fail-on-flags")
    assert code == 0
    assert "数据使用审计报告 2026-03-02 至 2026-03-08 · 范围:全部社区" in text
    assert "审计日志:完整" in text and "按人员统计" in text
    assert "community_worker" in text and "(没有发现异常访问)" in text

    for i, r in enumerate(town["a1"][:35]):
        read_at(WEDNESDAY + dt.timedelta(seconds=5 * i), world["grid_worker"], r.pk)
    code, text = run(*quiet)
    assert code == 0  # without --fail-on-flags the report never fails
    assert "需要关注的访问(1)" in text and "[批量读取] grid_worker(grid_worker)" in text
    assert f"#{town['a1'][0].pk}" in text and "等共 35 个" in text
    assert not any(name in text for name in SECRET_NAMES)
    code, _text = run(*quiet, "--fail-on-flags")
    assert code == 2

    code, text = run(*quiet, "--user", "community_worker", "--fail-on-flags")
    assert code == 0 and "grid_worker" not in text
    code, text = run(*quiet, "--community", "002")  # 乙: nobody read there
    assert "范围:乙社区" in text and "(这段时间没有访问居民档案的记录)" in text
    code, text = run(*quiet, "--community", "330106001001", "--json")
    data = json.loads(text)
    assert data["scope"] == "甲社区" and data["chain"]["ok"] is True
    assert set(data) == {"since", "until", "scope", "thresholds", "chain", "users", "flags"}
    assert data["thresholds"] == {
        "bulk_count": 30,
        "bulk_minutes": 10,
        "list_count": 300,
        "work_hours": "08:00-18:00",
    }
    (flag,) = data["flags"]
    assert flag["kind"] == "bulk" and len(flag["entries"]) == 35
    assert {u["username"] for u in data["users"]} == {"grid_worker", "community_worker"}
    assert not any(name in text for name in SECRET_NAMES)


def test_command_refuses_bad_input_and_reports_a_broken_chain(world, town):
    with pytest.raises(CommandError, match="开始日期不能晚于结束日期"):
        call_command("people_audit_report", "--since", "2026-03-09", "--until", "2026-03-01")
    with pytest.raises(CommandError, match="没有社区码为 777 的社区"):
        call_command("people_audit_report", "--community", "777")
    read_at(WEDNESDAY, world["community_worker"], town["a2"][0].pk)
    _tamper_last_entry()
    code, text = run("--since", "2026-03-02", "--until", "2026-03-08", "--fail-on-flags")
    assert code == 2 and "审计日志:在第" in text and "被破坏" in text


def _tamper_last_entry() -> None:
    """Change a stored entry the way someone with database access would: past the app and
    its trigger (inside the test's transaction, so the trigger comes back afterwards)."""
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry is not None
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER core_auditentry_no_update")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS core_auditentry_no_update")
        cursor.execute(f"UPDATE {table} SET actor_label = %s WHERE seq = %s", ["x", entry.seq])  # noqa: S608


# ---- Page and API -----------------------------------------------------------------------


def test_page_shows_users_flags_and_chain_without_resident_names(world, town, login):
    for i, r in enumerate(town["a1"][:31]):
        read_at(WEDNESDAY + dt.timedelta(seconds=9 * i), world["grid_worker"], r.pk)
    page = login("secretary").get("/people/audit/", WEEK)
    html = page.content.decode()
    assert page.status_code == 200
    assert "范围:<strong>甲社区</strong>" in html and "2026年3月2日 至 2026年3月8日" in html
    assert "审计日志完整" in html and "需要关注的访问(1)" in html and "批量读取" in html
    assert f"/people/audit/user/{world['grid_worker'].pk}/?since=2026-03-02" in html
    assert not any(name in html for name in SECRET_NAMES)

    detail = login("secretary").get(f"/people/audit/user/{world['grid_worker'].pk}/", WEEK)
    html = detail.content.decode()
    assert detail.status_code == 200
    assert html.count('class="flagged"') == 31 and "查看档案" in html
    assert f'href="/people/{town["a1"][0].pk}/?purpose=' in html
    assert not any(name in html for name in SECRET_NAMES)


def test_page_default_period_errors_and_broken_chain(world, town, login):
    client = login("street_admin")
    page = client.get("/people/audit/")
    html = page.content.decode()
    today = timezone.localdate()
    assert page.status_code == 200 and f'value="{today.isoformat()}"' in html
    assert f'value="{(today - dt.timedelta(days=6)).isoformat()}"' in html
    assert "这段时间内没有人访问测试街道居民的档案" in html
    assert "甲社区</option>" in html and "乙社区</option>" in html  # the street's communities

    bad = client.get("/people/audit/", {"since": "2026-03-09", "until": "2026-03-01"})
    assert bad.status_code == 400 and "开始日期不能晚于结束日期" in bad.content.decode()
    missing = client.get("/people/audit/", {"community": 999999})
    assert missing.status_code == 404 and "不在您的管辖范围内" in missing.content.decode()

    read_at(WEDNESDAY, world["grid_worker"], town["a1"][0].pk)
    _tamper_last_entry()
    html = client.get("/people/audit/", WEEK).content.decode()
    assert "审计日志完整" in html  # the check of a moment ago is reused ...
    assert "verify=1" in html
    html = client.get("/people/audit/", {**WEEK, "verify": "1"}).content.decode()
    assert "审计日志在第" in html and "内容与校验值不符" in html  # ... until checked again
    assert "请立即报告街道办和系统管理员" in html


def test_api_returns_the_same_report_as_json(world, town, login):
    for i, r in enumerate(town["a1"][:30]):
        read_at(WEDNESDAY.replace(hour=7) + dt.timedelta(seconds=5 * i), world["grid_worker"], r.pk)
    client = login("secretary")
    body = client.get("/api/people/audit", WEEK).json()
    assert body["scope"] == "甲社区" and body["chain"]["ok"] is True
    assert "entries" not in body or body["entries"] is None
    (user,) = body["users"]
    assert user["username"] == "grid_worker" and user["views"] == 30 and user["flags"] == 2
    assert {f["kind"] for f in body["flags"]} == {"bulk", "off_hours"}
    detail = client.get(
        "/api/people/audit", {**WEEK, "user_id": world["grid_worker"].pk, "verify": "false"}
    ).json()
    assert detail["chain"] is None and len(detail["entries"]) == 30
    first = detail["entries"][0]
    assert first["action"] == "resident.viewed" and first["action_label"] == "查看档案"
    assert first["flags"] == ["批量读取", "非工作时间访问"]
    assert first["residents"] == [town["a1"][0].pk]

    bad = client.get("/api/people/audit", {"since": "2026-03-09", "until": "2026-03-01"})
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "since"
    assert client.get("/api/people/audit", {"since": "yesterday"}).status_code == 400
    assert login("grid_worker").get("/api/people/audit").status_code == 403


# ---- In a browser -----------------------------------------------------------------------


@pytest.mark.browser
def test_secretary_reads_the_audit_page_in_a_browser(live_server, live_world, desktop):
    """The secretary picks the week, sees the bulk reader and the street admin's read without
    a purpose highlighted, and opens the grid worker's accesses entry by entry."""
    from conftest import screenshot
    from linli.core.testing.world import PERSONA_PASSWORD

    building = Building.objects.create(
        grid=live_world.grid_a1, name="3幢", lat=30.2725, lon=120.1225
    )
    residents = _residents(building, "甲居民", 36)
    gw = live_world["grid_worker"]
    morning = WEDNESDAY - dt.timedelta(hours=1)
    with clock(morning):
        grant = grant_request(
            actor=gw, resident_id=residents[0].pk, tiers=["health"], purpose="办理残疾人补贴"
        )
        grant_decide(actor=live_world["secretary"], grant_id=grant.pk, approve=True)
    read_at(morning, gw, residents[0].pk, purpose="办理残疾人补贴")
    for i, r in enumerate(residents):
        read_at(WEDNESDAY + dt.timedelta(seconds=8 * i), gw, r.pk)
    for r in residents[:3]:
        read_at(WEDNESDAY, live_world["community_worker"], r.pk)
    read_at(WEDNESDAY, live_world["street_admin"], residents[0].pk)

    base = live_server.url
    desktop.goto(f"{base}/accounts/login/")
    desktop.get_by_label("用户名").fill("secretary")
    desktop.get_by_label("密码").fill(PERSONA_PASSWORD)
    desktop.get_by_role("button", name="登录", exact=True).click()
    desktop.wait_for_url(f"{base}/")
    desktop.goto(f"{base}/people/audit/")
    assert "这段时间内没有人访问甲社区居民的档案" in desktop.content()  # default: last 7 days
    desktop.get_by_label("从").fill(WEEK["since"])
    desktop.get_by_label("到").fill(WEEK["until"])
    with desktop.expect_navigation():
        desktop.get_by_role("button", name="查询").click()
    assert "审计日志完整" in desktop.get_by_test_id("chain").inner_text()
    flags = desktop.get_by_test_id("flags").inner_text()
    assert "批量读取" in flags and "打开了多达36位居民的档案" in flags
    assert "街道办查看单份居民档案1次,没有填写用途" in flags
    table = desktop.get_by_test_id("users")
    assert table.locator("tr.flagged").count() == 2
    assert "community_worker" in table.inner_text()
    assert "甲居民" not in desktop.content()
    screenshot(desktop, "people-audit-secretary")

    row = table.locator("tr", has_text="grid_worker")
    row.get_by_role("link", name="明细").click()
    desktop.wait_for_url(f"{base}/people/audit/user/{gw.pk}/?since=2026-03-02&until=2026-03-08")
    entries = desktop.get_by_test_id("entries")
    assert entries.locator("tbody tr").count() == 38  # 36 + the grant request + its read
    assert entries.locator("tr.flagged").count() == 36
    asked, read = entries.locator("tbody tr").last, entries.locator("tbody tr").nth(36)
    assert "申请查看敏感信息" in asked.inner_text()
    assert "健康信息" in read.inner_text() and "办理残疾人补贴" in read.inner_text()
    assert "甲居民" not in desktop.content()
    screenshot(desktop, "people-audit-user")


def test_home_tile_for_secretary_and_street_office_only(world):
    from linli.people.views_audit import home_tiles

    for role in ("secretary", "street_admin"):
        (tile,) = home_tiles(world[role])
        assert tile["title"] == "数据使用审计" and tile["url"] == "/people/audit/"
    for role in ("grid_worker", "community_worker", "supervisor", "resident"):
        assert home_tiles(world[role]) == []
