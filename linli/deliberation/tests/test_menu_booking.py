"""MATCH-6: the service menu's winners are booked through the matching app when the result is
published; a slot that cannot be had is reported on the item and to the publisher, the rest
are booked and the result stands; a plan is put right later and booked at once. Bad plans
are refused and change nothing."""

import datetime as dt

import pytest
from django.utils import timezone

from linli.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from linli.core.notifications.models import Notification
from linli.deliberation.models import MenuItem, Vote
from linli.deliberation.services import menu, results, votes
from linli.deliberation.tests.helpers import assembly, delib_world, draft, rule
from linli.matching.choices import BookingStatus, ResourceKind
from linli.matching.models import Booking
from linli.matching.services import bookings, pool
from linli.testing.openapi import check

# Wednesday 11 March 2026, 10:00; the vote closes at 11:00, the activities run next week.
pytestmark = pytest.mark.clock("2026-03-11 10:00")
J = "application/json"


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def dw(world):
    return delib_world(world)


def venue(dw, name="活动室", community=None, capacity=30):
    return pool.resource_create(
        actor=dw["sysadmin" if community else "secretary"],
        data=pool.ResourceInput(
            kind=ResourceKind.VENUE,
            name=name,
            category="meeting",
            community_id=(community or dw.world.community_a).pk,
            capacity=capacity,
            hours=[[d, "08:00", "20:00"] for d in range(7)],
            calendar_rule="all",
        ),
    )


def menu_vote(dw, room, hall):
    vote = draft(
        dw,
        assembly(dw),
        code="menu",
        question="三月下旬服务菜单",
        items=[
            {"title": "义诊", "venue_id": room.pk, "starts_at": at(18, 9), "ends_at": at(18, 11)},
            {"title": "理发", "venue_id": hall.pk, "starts_at": at(19, 14), "ends_at": at(19, 16)},
            {"title": "书法", "venue_id": room.pk, "starts_at": at(20, 9), "ends_at": at(20, 11)},
            "手机课堂",
        ],
        max_choices=2,
        winners=2,
    )
    return votes.vote_open(actor=dw["secretary"], vote=vote)


def cast_and_close(dw, vote, clock):
    ids = {i.title: i.pk for i in vote.items.all()}
    votes.ballot_cast(actor=dw["resident"], vote=vote, choice=[ids["义诊"], ids["理发"]])
    votes.ballot_cast(actor=dw.adults[dw.homes[1].pk][0], vote=vote, choice=[ids["义诊"]])
    votes.ballot_cast(actor=dw.adults[dw.homes[2].pk][0], vote=vote, choice=[ids["理发"]])
    clock.shift(dt.timedelta(hours=1, minutes=1))
    return ids


def test_publishing_books_each_winners_venue(dw, clock):
    room, hall = venue(dw), venue(dw, "大厅")
    vote = menu_vote(dw, room, hall)
    cast_and_close(dw, vote, clock)
    results.vote_publish(actor=dw["secretary"], vote=vote)
    items = {i.title: i for i in MenuItem.objects.filter(vote=vote)}
    assert {t for t, i in items.items() if i.chosen} == {"义诊", "理发"}
    booked = Booking.objects.filter(status=BookingStatus.BOOKED).order_by("starts_at")
    assert [(b.resource_id, b.starts_at, b.ends_at) for b in booked] == [
        (room.pk, at(18, 9), at(18, 11)),
        (hall.pk, at(19, 14), at(19, 16)),
    ]
    assert items["义诊"].booking_id == booked[0].pk and items["理发"].booking_id == booked[1].pk
    assert "义诊" in booked[0].purpose and booked[0].people == 30  # the venue's capacity
    assert items["书法"].booking_id is None  # lost the vote: nothing booked


def test_a_taken_slot_is_reported_the_rest_booked_and_put_right_later(dw, clock):
    room, hall = venue(dw), venue(dw, "大厅")
    vote = menu_vote(dw, room, hall)
    ids = cast_and_close(dw, vote, clock)
    # Someone books the hall for the haircut's slot while the vote runs.
    bookings.booking_create(
        actor=dw["community_worker"],
        resource_id=hall.pk,
        starts_at=at(19, 15),
        ends_at=at(19, 17),
        people=10,
        purpose="党员活动",
    )
    published = results.vote_publish(actor=dw["secretary"], vote=vote)
    assert published.status == "published"
    haircut, clinic = MenuItem.objects.get(pk=ids["理发"]), MenuItem.objects.get(pk=ids["义诊"])
    assert haircut.booking_id is None and "已被预约" in haircut.booking_problem
    assert clinic.booking_id is not None and clinic.booking_problem == ""
    told = Notification.objects.filter(recipient=dw["secretary"]).values_list("title", flat=True)
    assert any("1 项未能预约" in t and "理发" in t for t in told)

    # The same slot again is refused and changes nothing; a free one is booked at once.
    with pytest.raises(Conflict):
        menu.menu_item_plan(
            actor=dw["secretary"],
            vote=vote,
            item_id=haircut.pk,
            venue_id=hall.pk,
            starts_at=at(19, 14),
            ends_at=at(19, 16),
        )
    haircut.refresh_from_db()
    assert haircut.starts_at == at(19, 14) and haircut.booking_id is None
    menu.menu_item_plan(
        actor=dw["secretary"],
        vote=vote,
        item_id=haircut.pk,
        venue_id=hall.pk,
        starts_at=at(19, 9),
        ends_at=at(19, 11),
    )
    haircut.refresh_from_db()
    assert haircut.booking_id is not None and haircut.booking_problem == ""
    assert haircut.booking.starts_at == at(19, 9)
    with pytest.raises(Conflict) as booked:
        menu.menu_item_plan(
            actor=dw["secretary"],
            vote=vote,
            item_id=haircut.pk,
            venue_id=room.pk,
            starts_at=at(19, 9),
            ends_at=at(19, 11),
        )
    assert booked.value.code == "booked"
    with pytest.raises(Conflict) as loser:
        menu.menu_item_plan(
            actor=dw["secretary"],
            vote=vote,
            item_id=ids["书法"],
            venue_id=room.pk,
            starts_at=at(21, 9),
            ends_at=at(21, 11),
        )
    assert loser.value.code == "not_chosen"


def test_bad_plans_are_refused_and_change_nothing(dw, clock):
    room = venue(dw)
    elsewhere = venue(dw, "乙社区活动室", community=dw.world.community_b)
    body = assembly(dw)

    def create(item):
        return draft(dw, body, code="menu", question="菜单", items=[item, "理发"], winners=1)

    good = {"title": "义诊", "venue_id": room.pk, "starts_at": at(18, 9), "ends_at": at(18, 11)}
    cases = [
        ({**good, "venue_id": elsewhere.pk}, NotFound, "items.0.venue_id"),
        ({**good, "venue_id": 999999}, NotFound, "items.0.venue_id"),
        ({**good, "starts_at": at(11, 10, 30)}, ValidationFailed, "items.0.starts_at"),
        ({**good, "ends_at": at(18, 8)}, ValidationFailed, "items.0.ends_at"),
        ({**good, "people": 31}, ValidationFailed, "items.0.people"),
        ({**good, "starts_at": None}, ValidationFailed, "items.0.starts_at"),
    ]
    for item, error, field in cases:
        with pytest.raises(error) as refused:
            create(item)
        assert refused.value.field == field, item
    assert Vote.objects.count() == 0 and MenuItem.objects.count() == 0

    vote = create(good)
    item = vote.items.get(title="理发")
    with pytest.raises(PermissionDenied):
        menu.menu_item_plan(
            actor=dw["resident"],
            vote=vote,
            item_id=item.pk,
            venue_id=room.pk,
            starts_at=at(18, 14),
            ends_at=at(18, 15),
        )
    decision = draft(dw, body, question="是否同意")
    with pytest.raises(Conflict) as not_menu:
        menu.menu_item_plan(
            actor=dw["secretary"],
            vote=decision,
            item_id=item.pk,
            venue_id=room.pk,
            starts_at=at(18, 14),
            ends_at=at(18, 15),
        )
    assert not_menu.value.code == "not_menu"
    item.refresh_from_db()
    assert item.venue_id is None and Booking.objects.count() == 0


def test_menu_plans_through_the_api_and_the_page(dw, login, client, clock):
    room = venue(dw)
    schema = client.get("/api/openapi.json").json()
    staff = login("secretary")
    body = assembly(dw)
    created = check(
        schema,
        staff.post(
            "/api/deliberation/votes",
            {
                "body_id": body.pk,
                "question": "三月下旬服务菜单",
                "rule_id": rule("menu").pk,
                "opens_at": clock.now().isoformat(),
                "closes_at": (clock.now() + dt.timedelta(hours=1)).isoformat(),
                "items": [
                    {"title": "义诊", "venue_id": room.pk, "starts_at": "2026-03-18T09:00:00"},
                    "理发",
                ],
                "winners": 1,
            },
            content_type=J,
        ),
        "/api/deliberation/votes",
        "post",
        400,
    )
    assert created["error"]["field"] == "items.0.ends_at" and Vote.objects.count() == 0
    created = check(
        schema,
        staff.post(
            "/api/deliberation/votes",
            {
                "body_id": body.pk,
                "question": "三月下旬服务菜单",
                "rule_id": rule("menu").pk,
                "opens_at": clock.now().isoformat(),
                "closes_at": (clock.now() + dt.timedelta(hours=1)).isoformat(),
                "items": ["义诊", "理发"],
                "winners": 1,
            },
            content_type=J,
        ),
        "/api/deliberation/votes",
        "post",
        201,
    )
    first = created["menu"][0]
    path = "/api/deliberation/votes/{vote_id}/menu/{item_id}/plan"
    url = f"/api/deliberation/votes/{created['id']}/menu/{first['id']}/plan"
    plan = {"venue_id": room.pk, "starts_at": "2026-03-18T09:00", "ends_at": "2026-03-18T11:00"}
    refused = login("resident").post(url, plan, content_type=J)
    assert refused.status_code == 403
    detail = check(schema, staff.post(url, plan, content_type=J), path, "post", 200)
    assert detail["menu"][0]["venue"] == "活动室"
    assert detail["menu"][0]["starts_at"] == "2026-03-18T01:00:00Z"  # 09:00 in Shanghai

    # The page: the second candidate planned by the form, shown with its venue.
    second = created["menu"][1]["id"]
    r = staff.post(
        f"/deliberation/{created['id']}/do/plan/",
        {
            "item_id": second,
            "venue_id": room.pk,
            "day": "2026-03-19",
            "start": "14:00",
            "end": "16:00",
        },
        follow=True,
    )
    page = r.content.decode()
    assert "已保存活动的场地和时间" in page and "03月19日 14:00–16:00" in page
    r = staff.post(
        f"/deliberation/{created['id']}/do/plan/",
        {
            "item_id": second,
            "venue_id": room.pk,
            "day": "2026-03-11",
            "start": "10:30",
            "end": "12:00",
        },
        follow=True,
    )
    assert "活动时间须在投票截止之后" in r.content.decode()
    assert MenuItem.objects.get(pk=second).starts_at == at(19, 14)
