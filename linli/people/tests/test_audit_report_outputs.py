"""The audit report's outputs (PEOPLE-4): the command (table, flags, JSON, exit codes), the
page /people/audit/ with its user detail, the API GET /api/people/audit, and the page in a
real chromium."""

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from linli.geo.models import Building
from linli.people.services.grants import grant_decide, grant_request

from . import audit_fixtures
from .audit_fixtures import (
    SECRET_NAMES,
    WEDNESDAY,
    WEEK,
    clock,
    make_residents,
    read_at,
    run,
    tamper_last_entry,
)

# Fixtures shared with the other audit test module.
town = audit_fixtures.town
fresh_chain_status = audit_fixtures.fresh_chain_status

# ---- Command ----------------------------------------------------------------------------


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
    tamper_last_entry()
    code, text = run("--since", "2026-03-02", "--until", "2026-03-08", "--fail-on-flags")
    assert code == 2 and "审计日志:在第" in text and "被破坏" in text


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
    tamper_last_entry()
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
    from linli.testing.world import PERSONA_PASSWORD

    building = Building.objects.create(
        grid=live_world.grid_a1, name="3幢", lat=30.2725, lon=120.1225
    )
    residents = make_residents(building, "甲居民", 36)
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
    from linli.people.home import audit_tiles as home_tiles

    for role in ("secretary", "street_admin"):
        (tile,) = home_tiles(world[role])
        assert tile["title"] == "数据使用审计" and tile["url"] == "/people/audit/"
    for role in ("grid_worker", "community_worker", "supervisor", "resident"):
        assert home_tiles(world[role]) == []
