"""数字助老课堂 (SERVE-3): booked through matching's venue booking (its overlap rule holds),
taught by volunteers, attendance recorded once, points through the ledger's points service."""

import datetime as dt

import pytest
from django.utils import timezone

from linli.core.errors import Conflict, PermissionDenied, ValidationFailed
from linli.ledger.models import PointAward
from linli.matching.choices import BookingStatus, ResourceKind
from linli.matching.models import Booking
from linli.matching.services import pool
from linli.station.models import HelpSession, Seat
from linli.station.services.sessions import attendance_record, session_create, session_enrol
from linli.station.tests.helpers import station_world

# Each test at its own pinned instant (a module mark would share one moving clock).
NOW = pytest.mark.clock("2026-03-11 09:00")


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def sw(world):
    return station_world(world)


@pytest.fixture
def room(sw):
    return pool.resource_create(
        actor=sw.world["community_worker"],
        data=pool.ResourceInput(
            kind=ResourceKind.VENUE,
            name="社区活动室",
            category="meeting",
            community_id=sw.world.community_a.pk,
            capacity=20,
            hours=[[d, "08:00", "18:00"] for d in range(7)],
        ),
    )


def _class(sw, room, start=None):
    return session_create(
        actor=sw.world["community_worker"],
        resource_id=room.pk,
        title="用手机挂号",
        starts_at=start or at(12, 14),
        ends_at=(start or at(12, 14)) + dt.timedelta(hours=1, minutes=30),
        capacity=3,
        volunteer_ids=[sw.world["volunteer"].pk],
    )


@NOW
def test_a_class_books_the_venue_and_the_overlap_rule_holds(sw, room):
    session = _class(sw, room)
    assert session.booking.resource_id == room.pk and session.booking.status == BookingStatus.BOOKED
    with pytest.raises(Conflict) as exc:  # the same venue, overlapping
        _class(sw, room, start=at(12, 15))
    assert exc.value.code == "overlap"
    assert HelpSession.objects.count() == 1 and Booking.objects.count() == 1


@NOW
def test_bad_classes_are_refused(sw, room):
    with pytest.raises(PermissionDenied):
        session_create(
            actor=sw.world["resident"],
            resource_id=room.pk,
            title="课",
            starts_at=at(12, 14),
            ends_at=at(12, 15),
            capacity=2,
            volunteer_ids=[sw.world["volunteer"].pk],
        )
    with pytest.raises(ValidationFailed) as exc:  # a resident is not a volunteer
        session_create(
            actor=sw.world["community_worker"],
            resource_id=room.pk,
            title="用手机挂号",
            starts_at=at(12, 14),
            ends_at=at(12, 15),
            capacity=2,
            volunteer_ids=[sw.world["resident"].pk],
        )
    assert exc.value.field == "volunteer_ids"
    assert not Booking.objects.exists()


@NOW
def test_enrol_attend_and_points_once(sw, room, clock):
    session = _class(sw, room)
    session_enrol(actor=sw.world["resident"], session_id=session.pk)
    session_enrol(actor=sw.world["community_worker"], session_id=session.pk, resident_id=sw.li.pk)
    with pytest.raises(Conflict) as exc:
        session_enrol(actor=sw.world["resident"], session_id=session.pk)
    assert exc.value.code == "duplicate"
    assert Seat.objects.count() == 2
    with pytest.raises(Conflict):  # not started yet
        attendance_record(
            actor=sw.world["community_worker"], session_id=session.pk, resident_ids=[sw.wang.pk]
        )
    clock.shift(at(12, 14, 5) - timezone.now())
    with pytest.raises(PermissionDenied):
        attendance_record(
            actor=sw.world["secretary"], session_id=session.pk, resident_ids=[sw.wang.pk]
        )
    awards = attendance_record(
        actor=sw.world["community_worker"],
        session_id=session.pk,
        resident_ids=[sw.wang.pk, sw.li.pk],
    )
    assert awards == 2  # 王秀英 (李桂兰 has no account) and the volunteer
    assert Booking.objects.get().status == BookingStatus.CHECKED_IN
    assert Seat.objects.filter(attended_at__isnull=False).count() == 2
    got = dict(PointAward.objects.values_list("user__username", "points"))
    assert got == {"resident": 5, "volunteer": 10}
    attendance_record(
        actor=sw.world["community_worker"], session_id=session.pk, resident_ids=[sw.wang.pk]
    )
    assert PointAward.objects.count() == 2


@NOW
def test_classes_page_and_api(sw, room, login, client, clock):
    from linli.testing.openapi import check

    schema = client.get("/api/openapi.json").json()
    session = _class(sw, room)
    me = login("resident")
    listed = check(schema, me.get("/api/station/sessions"), "/api/station/sessions", "get", 200)
    assert [s["title"] for s in listed] == ["用手机挂号"]
    path = "/api/station/sessions/{session_id}/enrol"
    url = f"/api/station/sessions/{session.pk}/enrol"
    check(schema, me.post(url, content_type="application/json"), path, "post", 201)
    again = check(schema, me.post(url, content_type="application/json"), path, "post", 409)
    assert again["error"]["code"] == "duplicate"
    assert login("volunteer").post(url, content_type="application/json").status_code == 403
    page = me.get("/station/classes/").content.decode()
    assert "用手机挂号" in page and "已报名" in page
    # Only the organiser records attendance, on the page too.
    clock.shift(at(12, 14, 5) - timezone.now())
    other = login("secretary").post(
        f"/station/classes/{session.pk}/attendance/", {"came": [sw.wang.pk]}
    )
    assert other.status_code == 403 and not PointAward.objects.exists()
    assert me.post(f"/station/classes/{session.pk}/attendance/").status_code == 403
    staff = login("community_worker")
    assert "王秀英" in staff.get("/station/classes/").content.decode()
    done = staff.post(f"/station/classes/{session.pk}/attendance/", {"came": [sw.wang.pk]})
    assert done.status_code == 302 and PointAward.objects.count() == 2


@NOW
def test_create_and_record_attendance_through_the_api(sw, room, login, client, clock):
    from linli.testing.openapi import check

    schema = client.get("/api/openapi.json").json()
    staff = login("community_worker")
    body = {
        "resource_id": room.pk,
        "title": "视频通话入门",
        "starts_at": at(13, 10).isoformat(),
        "ends_at": at(13, 11).isoformat(),
        "capacity": 5,
        "volunteer_ids": [sw.world["volunteer"].pk],
    }
    made = check(
        schema,
        staff.post("/api/station/sessions", body, content_type="application/json"),
        "/api/station/sessions",
        "post",
        201,
    )
    assert made["venue"] == "社区活动室" and Booking.objects.count() == 1
    bad = staff.post("/api/station/sessions", body, content_type="application/json")
    assert bad.status_code == 409 and bad.json()["error"]["code"] == "overlap"
    refused = login("resident").post("/api/station/sessions", body, content_type="application/json")
    assert refused.status_code == 403 and HelpSession.objects.count() == 1
    session_enrol(actor=sw.world["resident"], session_id=made["id"])
    clock.shift(at(13, 10, 2) - timezone.now())
    path = "/api/station/sessions/{session_id}/attendance"
    url = f"/api/station/sessions/{made['id']}/attendance"
    out = check(
        schema,
        staff.post(url, {"resident_ids": [sw.wang.pk]}, content_type="application/json"),
        path,
        "post",
        200,
    )
    assert out["awards"] == 2
    unknown = staff.post(url, {"resident_ids": [sw.li.pk]}, content_type="application/json")
    assert unknown.status_code == 400 and unknown.json()["error"]["field"] == "resident_ids"
    assert PointAward.objects.count() == 2
