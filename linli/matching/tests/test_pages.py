"""The matching pages through Django's client: publish (and its error, kept on the page in
Chinese), review a run, answer an invitation in one tap, book a venue; every page renders
for the roles it is for."""

import pytest
from django.test import Client

from linli.matching.choices import MatchStatus, NeedStatus
from linli.matching.models import Booking, Match, MatchRun, Need
from linli.matching.services import pool
from linli.matching.tests.helpers import add_volunteer, match_world, tomorrow

pytestmark = pytest.mark.clock("2026-03-11 10:00")


@pytest.fixture
def mw(world):
    return match_world(world)


def as_(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def body(response) -> str:
    return response.content.decode()


def test_publish_run_review_send_accept_through_the_pages(mw):
    resident = as_(mw["resident"])
    page = body(resident.get("/matching/"))
    assert "我需要帮忙" in page and "发布需求" in page
    r = resident.post(
        "/matching/needs/new/",
        {
            "skill": "repair",
            "title": "冰箱不制冷",
            "starts_at": tomorrow(9).strftime("%Y-%m-%dT%H:%M"),
            "hours": "1",
        },
        follow=True,
    )
    assert "需求已发布" in body(r)
    need = Need.objects.get()
    bad = resident.post(
        "/matching/needs/new/",
        {"skill": "repair", "title": "", "starts_at": tomorrow(9).strftime("%Y-%m-%dT%H:%M")},
        follow=True,
    )
    assert "请填写需求。" in body(bad) and Need.objects.count() == 1
    staff = as_(mw["community_worker"])
    assert "运行匹配" in body(staff.get("/matching/staff/"))
    r = staff.post(
        "/matching/runs/new/",
        {
            "community": mw.world.community_a.pk,
            "window_start": tomorrow(0).strftime("%Y-%m-%dT%H:%M"),
            "window_end": tomorrow(0, days=2).strftime("%Y-%m-%dT%H:%M"),
            "cap": "3",
        },
        follow=True,
    )
    html = body(r)
    run = MatchRun.objects.get()
    assert "审核无误,发送邀请" in html and "技能匹配" in html and "合计" in html
    staff.post(f"/matching/runs/{run.pk}/send/")
    vol = as_(mw["volunteer"])
    html = body(vol.get("/matching/invitations/"))
    assert "为什么是我" in html and "冰箱不制冷" in html
    match = Match.objects.get()
    html = body(vol.post(f"/matching/invitations/{match.pk}/accept/", follow=True))
    assert "已接受" in html
    html = body(vol.post(f"/matching/invitations/{match.pk}/accept/", follow=True))
    assert "不能接受邀请" in html  # twice: told so, nothing changed
    assert Match.objects.get().status == MatchStatus.ACCEPTED
    assert Need.objects.get(pk=need.pk).status == NeedStatus.ACCEPTED
    # Someone else's invitation is "not found".
    add_volunteer(mw, "other")
    assert as_(mw["other"]).post(f"/matching/invitations/{match.pk}/decline/").status_code == 404
    # The resident sees the match on their need but cannot answer for the volunteer.
    assert as_(mw["resident"]).post(f"/matching/invitations/{match.pk}/decline/").status_code == 403


def test_every_page_renders_for_its_roles(mw):
    pool.resource_create(
        actor=mw["community_worker"],
        data=pool.ResourceInput(
            kind="venue",
            name="活动室",
            category="meeting",
            community_id=mw.world.community_a.pk,
            capacity=30,
            hours=[[d, "08:00", "18:00"] for d in range(7)],
        ),
    )
    pages = {
        "resident": [
            "/matching/",
            "/matching/bookings/",
            f"/matching/bookings/?starts_at={tomorrow(9).strftime('%Y-%m-%dT%H:%M')}&hours=2&people=5",
        ],
        "volunteer": ["/matching/invitations/", "/matching/"],
        "community_worker": [
            "/matching/staff/",
            "/matching/idle/",
            "/matching/partners/",
            "/matching/bookings/",
        ],
        "street_admin": ["/matching/idle/", "/matching/partners/"],
    }
    for role, urls in pages.items():
        c = as_(mw[role])
        for url in urls:
            assert c.get(url).status_code == 200, (role, url)
    html = body(as_(mw["resident"]).get(pages["resident"][2]))
    assert "活动室" in html and "预约" in html
    assert as_(mw["resident"]).get("/matching/staff/").status_code == 403


def test_booking_from_the_page_and_the_overlap_message(mw):
    room = pool.resource_create(
        actor=mw["community_worker"],
        data=pool.ResourceInput(
            kind="venue",
            name="活动室",
            category="meeting",
            community_id=mw.world.community_a.pk,
            capacity=30,
            hours=[[d, "08:00", "18:00"] for d in range(7)],
        ),
    )
    form = {
        "resource_id": room.pk,
        "starts_at": tomorrow(9).strftime("%Y-%m-%dT%H:%M"),
        "hours": "2",
        "people": "5",
        "purpose": "书法班",
    }
    assert "预约成功 1 次" in body(
        as_(mw["resident"]).post("/matching/bookings/new/", form, follow=True)
    )
    html = body(as_(mw["volunteer"]).post("/matching/bookings/new/", form, follow=True))
    assert "该时段已被预约" in html and Booking.objects.count() == 1


def test_a_resident_lists_a_resource_and_staff_approve_it(mw):
    from linli.matching.choices import ResourceStatus
    from linli.matching.models import Resource

    resident = as_(mw["resident"])
    form = {
        "kind": "venue",
        "name": "我家小院",
        "category": "meeting",
        "days": ["5", "6"],
        "from": "09:00",
        "to": "17:00",
        "capacity": "8",
    }
    html = body(resident.post("/matching/resources/new/", form, follow=True))
    assert "审核后上架" in html
    r = Resource.objects.get(name="我家小院")
    assert r.status == ResourceStatus.PENDING and r.hours == [
        [5, "09:00", "17:00"],
        [6, "09:00", "17:00"],
    ]
    bad = body(
        resident.post(
            "/matching/resources/new/",
            {**form, "name": "坏时段", "from": "18:00", "to": "09:00"},
            follow=True,
        )
    )
    assert "结束须晚于开始" in bad and not Resource.objects.filter(name="坏时段").exists()
    staff = as_(mw["community_worker"])
    assert "我家小院" in body(staff.get("/matching/staff/"))
    staff.post(f"/matching/resources/{r.pk}/review/", {"approve": "1"})
    r.refresh_from_db()
    assert r.status == ResourceStatus.APPROVED


def test_an_owner_publishes_a_time_and_neighbours_see_it(mw):
    from linli.matching.choices import ResourceStatus
    from linli.matching.models import Offer, Resource

    resident = as_(mw["resident"])
    form = {
        "kind": "person",
        "name": "会修电器的王阿姨",
        "category": "repair",
        "days": ["5"],
        "from": "09:00",
        "to": "12:00",
        "capacity": "1",
    }
    resident.post("/matching/resources/new/", form)
    r = Resource.objects.get(name="会修电器的王阿姨")
    # Not yet approved: no time can be published, and the page offers no form for it.
    offer = {
        "resource_id": str(r.pk),
        "title": "周六上午修小家电",
        "starts_at": "2026-03-14T09:00",
        "hours": "3",
    }
    html = body(resident.post("/matching/offers/new/", offer, follow=True))
    assert "资源审核通过后才能发布供给" in html and not Offer.objects.exists()
    assert f'data-testid="offer-form-{r.pk}"' not in html
    Resource.objects.filter(pk=r.pk).update(status=ResourceStatus.APPROVED)
    assert f'data-testid="offer-form-{r.pk}"' in body(resident.get("/matching/"))
    # A time already over is refused with its reason; nothing is stored.
    past = {**offer, "starts_at": "2026-03-10T09:00"}
    html = body(resident.post("/matching/offers/new/", past, follow=True))
    assert "不能发布已经过去的时段" in html and not Offer.objects.exists()
    html = body(resident.post("/matching/offers/new/", offer, follow=True))
    assert "已发布" in html
    o = Offer.objects.get()
    assert (o.title, o.resource_id, o.published_by_id) == (
        "周六上午修小家电",
        r.pk,
        mw["resident"].pk,
    )
    assert (o.ends_at - o.starts_at).total_seconds() == 3 * 3600
    # Someone else cannot publish on this resource.
    html = body(as_(mw["volunteer"]).post("/matching/offers/new/", offer, follow=True))
    assert "只能为自己的资源发布供给" in html and Offer.objects.count() == 1
    # A neighbour of the same community sees the time on their page.
    from linli.core.roles import Role
    from linli.people.models import Resident
    from linli.testing.world import make_user

    neighbour = make_user("neighbour", Role.RESIDENT)
    home = Resident.objects.get(user=mw["resident"]).household
    Resident.objects.create(
        household=home, full_name="邻居", sex="M", birth_year=1960, user=neighbour
    )
    times = body(as_(neighbour).get("/matching/"))
    assert 'data-testid="offer-times"' in times and "周六上午修小家电" in times


def test_staff_register_a_partner_from_the_page(mw):
    from linli.matching.models import Partner

    staff = as_(mw["community_worker"])
    page = f"/matching/partners/?community={mw.world.community_a.pk}"
    assert 'data-testid="partner-form"' in body(staff.get(page))
    form = {
        "community_id": str(mw.world.community_a.pk),
        "name": "阳光助老社",
        "kind": "social",
        "posts_total": "10",
        "posts_local": "1",
    }
    bad = body(staff.post("/matching/partners/new/", {**form, "posts_local": "11"}, follow=True))
    assert "本社区居民任职数不能超过岗位数" in bad and not Partner.objects.exists()
    html = body(staff.post("/matching/partners/new/", form, follow=True))
    assert "已登记合伙单位" in html and "阳光助老社" in html
    assert "低于 20%" in html  # 1 of 10 posts held by local residents
    # Another community's staff cannot register one here.
    other = {**form, "community_id": str(mw.world.community_b.pk), "name": "别处的单位"}
    html = body(staff.post("/matching/partners/new/", other, follow=True))
    assert "只有本社区工作人员可以登记合伙单位" in html
    assert list(Partner.objects.values_list("name", flat=True)) == ["阳光助老社"]


def test_staff_close_a_venue_for_a_day_and_it_cannot_be_booked(mw):
    from linli.matching.models import ResourceClosure

    room = pool.resource_create(
        actor=mw["community_worker"],
        data=pool.ResourceInput(
            kind="venue",
            name="活动室",
            category="meeting",
            community_id=mw.world.community_a.pk,
            capacity=30,
            hours=[[d, "08:00", "18:00"] for d in range(7)],
        ),
    )
    staff = as_(mw["community_worker"])
    assert 'data-testid="closure-form"' in body(staff.get("/matching/staff/"))
    day = tomorrow(9).date()
    bad = body(
        staff.post(
            "/matching/resources/close/", {"resource_id": room.pk, "day": "2020-01-01"}, follow=True
        )
    )
    assert "日期应在今天到一年之内" in bad and not ResourceClosure.objects.exists()
    html = body(
        staff.post(
            "/matching/resources/close/",
            {"resource_id": room.pk, "day": day.isoformat(), "reason": "刷墙"},
            follow=True,
        )
    )
    assert "已登记停用日" in html
    assert ResourceClosure.objects.get().reason == "刷墙"
    form = {
        "resource_id": room.pk,
        "starts_at": tomorrow(9).strftime("%Y-%m-%dT%H:%M"),
        "hours": "2",
        "people": "5",
        "purpose": "书法班",
    }
    html = body(as_(mw["resident"]).post("/matching/bookings/new/", form, follow=True))
    assert not Booking.objects.exists() and "预约成功" not in html
    # A resident cannot close a venue.
    assert (
        as_(mw["resident"]).post("/matching/resources/close/", {"resource_id": room.pk}).status_code
        == 403
    )


def test_cancelling_a_need_asks_first(mw):
    resident = as_(mw["resident"])
    form = {
        "skill": "repair",
        "title": "冰箱不制冷",
        "starts_at": tomorrow(9).strftime("%Y-%m-%dT%H:%M"),
    }
    resident.post("/matching/needs/new/", form)
    need = Need.objects.get()
    page = body(resident.get("/matching/"))
    # One tap only opens the question; the form's own button says what it does.
    asks = page.index('<summary class="button">不需要了,取消</summary>')
    assert page.index("取消后志愿者不会再来。确定取消吗?", asks) < page.index(
        ">确定取消</button>", asks
    )
    resident.post(f"/matching/needs/{need.pk}/do/cancel/")
    need.refresh_from_db()
    assert need.status == NeedStatus.CANCELLED
