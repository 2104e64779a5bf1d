"""The pages without a browser: who sees what, errors in Chinese on the page with nothing
changed, the menu vote on the page, the result notice PDF read back with poppler."""

import datetime as dt
import shutil
import subprocess

import pytest

from conftest import IN_CI
from linli.deliberation.models import Body, Participation, Vote
from linli.deliberation.services import results, votes
from linli.deliberation.tests.helpers import assembly, delib_world, opened, rule
from linli.testing.world import make_user


@pytest.fixture
def dw(world):
    return delib_world(world)


def test_resident_votes_once_and_sees_the_error_on_the_page(dw, login):
    vote = opened(dw, assembly(dw))
    home = dw.homes[1]
    first, second = dw.adults[home.pk]
    from django.test import Client

    c1, c2 = Client(), Client()
    c1.force_login(first)
    c2.force_login(second)
    page = c1.get("/deliberation/").content.decode()
    assert "去投票" in page and vote.question in page
    r = c1.post(f"/deliberation/{vote.pk}/cast/", {"choice": "yes"}, follow=True)
    assert "投票成功" in r.content.decode() and "回执码" in r.content.decode()
    # The second adult's page says the household voted; a forged post is refused too.
    assert "已于" in c2.get(f"/deliberation/{vote.pk}/").content.decode()
    r = c2.post(f"/deliberation/{vote.pk}/cast/", {"choice": "no"}, follow=True)
    assert "不能重复投票" in r.content.decode()
    assert Participation.objects.filter(vote=vote).count() == 1


def test_outsiders_get_not_found_and_results_wait_for_closing(dw, login, clock):
    vote = opened(dw, assembly(dw))
    outsider = make_user("b-resident", "resident")
    from django.test import Client

    c = Client()
    c.force_login(outsider)
    assert c.get(f"/deliberation/{vote.pk}/").status_code == 404
    page = login("resident").get(f"/deliberation/{vote.pk}/").content.decode()
    assert "投票截止后公布结果" in page and 'data-testid="result"' not in page
    clock.shift(dt.timedelta(hours=1))
    page = login("resident").get(f"/deliberation/{vote.pk}/").content.decode()
    assert 'data-testid="result"' in page


def test_staff_create_a_vote_on_the_page_and_see_errors(dw, login):
    body = assembly(dw)
    staff = login("secretary")
    assert staff.get("/deliberation/new/").status_code == 200
    bad = staff.post(
        "/deliberation/new/",
        {
            "body_id": body.pk,
            "question": "清理楼道杂物",
            "rule_id": rule("simple-majority").pk,
            "opens_at": "2026-12-10T10:00",
            "closes_at": "2026-12-01T10:00",
        },
    ).content.decode()
    assert "截止时间应晚于开始时间" in bad and "清理楼道杂物" in bad  # what was typed stays
    assert not Vote.objects.exists()
    ok = staff.post(
        "/deliberation/new/",
        {
            "body_id": body.pk,
            "question": "清理楼道杂物",
            "rule_id": rule("simple-majority").pk,
            "opens_at": "2026-12-01T10:00",
            "closes_at": "2099-12-10T10:00",
        },
        follow=True,
    )
    assert "草稿" in ok.content.decode()
    vote = Vote.objects.get()
    r = staff.post(f"/deliberation/{vote.pk}/do/open/", follow=True).content.decode()
    assert "表决名单已确定" in r
    assert Vote.objects.get().electorate_size == 4
    r = login("grid_worker").post(f"/deliberation/{vote.pk}/do/publish/")
    assert r.status_code == 403


def test_body_created_on_the_list_page(dw, login):
    r = login("secretary").post(
        "/deliberation/bodies/new/",
        {
            "community_id": dw.world.community_a.pk,
            "kind": "council",
            "name": "居民议事会",
            "electorate": "members",
        },
        follow=True,
    )
    assert (
        "议事机构已创建" in r.content.decode() and Body.objects.filter(name="居民议事会").exists()
    )


def test_menu_vote_on_the_page(dw, login, clock):
    vote = opened(
        dw,
        assembly(dw),
        code="menu",
        question="一月服务菜单",
        items=["义诊", "理发", "书法"],
        max_choices=2,
        winners=1,
    )
    items = list(vote.items.values_list("pk", flat=True))
    c = login("resident")
    r = c.post(
        f"/deliberation/{vote.pk}/cast/", {"choice": [items[0], items[1], items[2]]}, follow=True
    )
    assert "最多可选 2 项" in r.content.decode()
    r = c.post(f"/deliberation/{vote.pk}/cast/", {"choice": [items[1]]}, follow=True)
    assert "投票成功" in r.content.decode()
    clock.shift(dt.timedelta(hours=1))
    results.vote_publish(actor=dw["secretary"], vote=vote)
    page = c.get(f"/deliberation/{vote.pk}/").content.decode()
    assert "★ 理发" in page


def test_topics_pages(dw, login):
    c = login("resident")
    r = c.post(
        "/deliberation/topics/",
        {"community_id": dw.world.community_a.pk, "title": "楼道灯坏了很久", "professional": ""},
        follow=True,
    )
    assert "楼道灯坏了很久" in r.content.decode()
    topic_url = r.redirect_chain[-1][0]
    r = login("grid_worker").post(topic_url, {"text": "已报修"}, follow=True)
    assert "已报修" in r.content.decode()
    empty = c.post("/deliberation/topics/", {"community_id": dw.world.community_a.pk, "title": " "})
    assert "请填写议题" in empty.content.decode() or "议题" in empty.content.decode()


def test_the_result_notice_pdf_reads_back_in_chinese(dw, login, clock, tmp_path):
    vote = opened(dw, assembly(dw), code="renovation-cost", question="外墙翻新费用分摊")
    for home in dw.homes:
        votes.ballot_cast(actor=dw.adults[home.pk][0], vote=vote, choice="yes")
    clock.shift(dt.timedelta(hours=1))
    c = login("resident")
    assert c.get(f"/deliberation/{vote.pk}/notice.pdf").status_code == 409
    results.vote_publish(actor=dw["secretary"], vote=vote)
    r = c.get(f"/deliberation/{vote.pk}/notice.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF-")
    tool = shutil.which("pdftotext")
    if tool is None:
        if IN_CI:
            pytest.fail("pdftotext not found: CI must install poppler-utils")
        pytest.skip("pdftotext is not installed")
    pdf = tmp_path / "notice.pdf"
    pdf.write_bytes(r.content)
    command = [tool, str(pdf), "-"]
    out = subprocess.run(  # noqa: S603 (a poppler tool found on PATH, our own file)
        command, capture_output=True, text=True, check=True
    ).stdout
    for phrase in ("表决结果公告", "外墙翻新费用分摊", "同意 4", "表决结果:通过", "2幢:3 / 3"):
        assert phrase in out, (phrase, out)
    public = login("resident").get(f"/deliberation/public/{dw.world.community_a.pk}/")
    assert "外墙翻新费用分摊" in public.content.decode()


def test_meeting_pages_sign_in_minutes_decisions_and_observers(dw, login, clock):
    from linli.deliberation.models import Meeting, ObserverDuty
    from linli.ledger.models import PointRule

    PointRule.objects.create(code="meeting", name="参加居民议事会", points=20, daily_cap=20)
    staff = login("secretary")
    r = staff.post(
        "/deliberation/meetings/",
        {
            "form": "meeting",
            "community_id": dw.world.community_a.pk,
            "kind": "minqing",
            "title": "民情恳谈会",
            "held_at": "2026-12-03T19:00",
        },
        follow=True,
    )
    assert "会议已创建" in r.content.decode()
    m = Meeting.objects.get()
    url = f"/deliberation/meetings/{m.pk}/"
    r = staff.post(url, {"step": "sign", "username": "resident"}, follow=True)
    assert "已签到,积分已发放" in r.content.decode()
    staff.post(url, {"step": "minutes", "text": "居民反映停车难"})
    r = staff.post(url, {"step": "freeze"}, follow=True).content.decode()
    assert "纪要已定稿" in r and "SHA-256" in r
    r = staff.post(
        url,
        {
            "step": "decision",
            "text": "增划停车位",
            "owner": "community_worker",
            "due": "2026-11-01",
        },
        follow=True,
    ).content.decode()
    assert "增划停车位" in r and "已超期" in r
    assert "增划停车位" in staff.get("/deliberation/meetings/").content.decode()
    # A resident reads the meeting but cannot take its steps.
    resident = login("resident")
    assert "居民反映停车难" in resident.get(url).content.decode()
    r = resident.post(url, {"step": "minutes", "text": "改写"}, follow=True).content.decode()
    assert "找不到该社区,或您不能管理它" in r
    # Observers: a resident volunteers on the page; staff draw.
    r = resident.post("/deliberation/meetings/", {"form": "volunteer"}, follow=True)
    assert "已报名" in r.content.decode()
    r = staff.post(
        "/deliberation/meetings/",
        {
            "form": "draw",
            "community_id": dw.world.community_a.pk,
            "month": "2026-12",
            "count": "1",
            "seed": "s",
        },
        follow=True,
    )
    assert "观察员已抽取" in r.content.decode() and ObserverDuty.objects.count() == 1
    assert 'data-testid="my-duty"' in resident.get("/deliberation/meetings/").content.decode()


def test_the_vote_list_does_not_grow_queries_with_votes(dw, login, django_assert_max_num_queries):
    body = assembly(dw)
    for i in range(2):
        opened(dw, body, question=f"事项{i}")
    c = login("resident")
    c.get("/deliberation/")
    with django_assert_max_num_queries(14) as few:
        c.get("/deliberation/")
    for i in range(8):
        opened(dw, body, question=f"更多事项{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = c.get("/deliberation/").content.decode()
    assert "更多事项7" in page


def test_staff_add_members_on_the_body_page(dw, login):
    staff = login("secretary")
    staff.post(
        "/deliberation/bodies/new/",
        {
            "community_id": dw.world.community_a.pk,
            "kind": "committee",
            "name": "治理委员会",
            "electorate": "members",
        },
    )
    body = Body.objects.get(name="治理委员会")
    url = f"/deliberation/bodies/{body.pk}/"
    page = staff.get(url, {"q": "住户1-0"}).content.decode()
    assert "2幢1单元201" in page
    from linli.people.models import Resident

    who = Resident.objects.get(full_name="住户1-0")
    r = staff.post(url, {"resident_id": who.pk}, follow=True).content.decode()
    assert "成员已添加" in r and "住户1-0" in r
    r = staff.post(url, {"resident_id": who.pk}, follow=True).content.decode()
    assert "这位居民已是成员" in r
    assert body.members.count() == 1
    assert login("resident").get(url).status_code == 403


def test_ranked_menu_vote_on_the_page(dw, login, clock):
    vote = opened(
        dw,
        assembly(dw),
        code="menu",
        question="三月服务菜单",
        items=["义诊", "理发", "书法"],
        max_choices=2,
        winners=1,
        ranked=True,
    )
    a, b, c = vote.items.values_list("pk", flat=True)
    page = login("resident").get(f"/deliberation/{vote.pk}/").content.decode()
    assert "第 1 选择" in page and "第 2 选择" in page
    r = login("resident").post(
        f"/deliberation/{vote.pk}/cast/", {"choice": [str(c), ""]}, follow=True
    )
    assert "投票成功" in r.content.decode()
    clock.shift(dt.timedelta(hours=1))
    page = login("resident").get(f"/deliberation/{vote.pk}/").content.decode()
    assert "2 分" in page
