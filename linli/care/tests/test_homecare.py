"""CARE-7: services by ability level, home services recorded, and the list of people living
alone who got fewer than two home services this month."""

import datetime as dt

import pytest
from django.utils import timezone

from linli.care.models import HomeService, ServiceKind
from linli.care.services.homecare import (
    home_service_record,
    month_bounds,
    services_for_ability,
    short_of_services,
)
from linli.care.tests.care_helpers import alone_tag, grid_worker_a2, make_care
from linli.core.audit.models import AuditEntry
from linli.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from linli.geo.models import Household
from linli.people.models import Resident, ResidentTag


@pytest.fixture
def care(world):
    return make_care(world)


def test_tiers_follow_the_ability_level():
    assert services_for_ability("self_care")[0] == ServiceKind.CARE_PACK
    assert services_for_ability("semi")[0] == ServiceKind.BATHING
    assert services_for_ability("disabled")[0] == ServiceKind.MEDICAL_LINK
    # Not assessed yet: only the services everyone may have.
    assert ServiceKind.BATHING not in services_for_ability("")
    assert ServiceKind.CLEANING in services_for_ability("")


def record(actor, resident, **kw):
    data = {
        "kind": ServiceKind.BATHING,
        "provided_at": timezone.now() - dt.timedelta(hours=1),
        "provider": "幸福里助浴队",
        "note": "",
    }
    data.update(kw)
    return home_service_record(actor=actor, resident_id=resident.pk, **data)


def test_grid_worker_records_a_home_service(care, world):
    s = record(world["grid_worker"], care.resident, note="顺利")
    assert s.resident == care.resident and s.recorded_by == world["grid_worker"]
    assert s.provider_name == "幸福里助浴队" and s.kind == ServiceKind.BATHING
    entry = AuditEntry.objects.get(action="care.home_service_record")
    assert entry.object_id == str(s.pk) and "幸福里" not in str(entry.data)


def test_the_same_service_twice_is_refused(care, world):
    at = timezone.now() - dt.timedelta(hours=2)
    record(world["grid_worker"], care.resident, provided_at=at)
    with pytest.raises(Conflict, match="已经登记过"):
        record(world["community_worker"], care.resident, provided_at=at)
    assert HomeService.objects.count() == 1


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"kind": "massage"}, "kind"),
        ({"provided_at": timezone.now() + dt.timedelta(hours=2)}, "provided_at"),
        ({"provided_at": timezone.now() - dt.timedelta(days=70)}, "provided_at"),
        ({"provider": "   "}, "provider"),
        ({"provider": "人" * 101}, "provider"),
        ({"note": "字" * 301}, "note"),
    ],
)
def test_bad_service_changes_nothing(care, world, kw, field):
    with pytest.raises(ValidationFailed) as err:
        record(world["grid_worker"], care.resident, **kw)
    assert err.value.field == field
    assert not HomeService.objects.exists()


def test_wrong_callers_cannot_record(care, world):
    for actor in (grid_worker_a2(world), care.family, world["resident"], world["dept_officer"]):
        with pytest.raises(NotFound):
            record(actor, care.resident)
    with pytest.raises(NotFound):  # 乙社区
        record(world["community_worker"], care.other_resident)
    with pytest.raises(PermissionDenied):
        record(world["street_admin"], care.resident)
    assert not HomeService.objects.exists()


def _alone(world, name, room, *, valid_until=None):
    household = Household.objects.create(
        building=Household.objects.get(room="101").building, unit="2单元", room=room
    )
    r = Resident.objects.create(household=household, full_name=name, sex="F", birth_year=1938)
    ResidentTag.objects.create(resident=r, tag=alone_tag(), valid_until=valid_until)
    return r


@pytest.mark.clock("2026-03-11 15:00")  # services at 09:00 on the 1st are in the past
def test_short_of_services_this_month(care, world):
    today = timezone.localdate()
    start, _ = month_bounds(today)
    two = _alone(world, "两次", "201")
    one = _alone(world, "一次", "202")
    expired = _alone(world, "标签过期", "203", valid_until=start.date() - dt.timedelta(days=1))
    Resident.objects.create(  # not living alone: never listed
        household=two.household, full_name="老伴", sex="M", birth_year=1937
    )
    gw = world["grid_worker"]
    record(gw, two, provided_at=start + dt.timedelta(hours=9))
    record(gw, two, kind=ServiceKind.MEALS, provided_at=start + dt.timedelta(hours=10))
    record(gw, one, provided_at=start + dt.timedelta(hours=9))
    # A service last month does not count for this month.
    record(gw, care.resident, provided_at=start - dt.timedelta(days=3))
    rows = short_of_services(community=world.community_a, month=today)
    names = [r.full_name for r in rows]
    assert names == ["王秀英", "一次"]  # fewest first; 两次, 标签过期, 老伴, 乙社区 absent
    first = rows[0]
    assert (first.done, first.missing, first.suggested) == (0, 2, "上门助浴")
    assert first.address == "1幢1单元101" and first.ability == "半失能"
    assert expired.full_name not in names
    other = short_of_services(community=world.community_b, month=today)
    assert [r.full_name for r in other] == ["赵大爷"]
    assert other[0].ability == "未评估"


def test_short_list_is_one_query(care, world, django_assert_num_queries):
    for i in range(20):
        _alone(world, f"老人{i}", f"3{i:02d}")
    with django_assert_num_queries(1):
        rows = short_of_services(community=world.community_a, month=timezone.localdate())
    assert len(rows) == 21


def test_short_list_for_one_grid(care, world):
    rows = short_of_services(
        community=world.community_a, month=timezone.localdate(), grid=world.grid_a2
    )
    assert rows == []


def test_admin_shows_services_but_changes_nothing(care, world, login):
    s = record(world["grid_worker"], care.resident)
    admin = login("sysadmin")
    page = admin.get("/admin/care/homeservice/")
    assert page.status_code == 200 and "幸福里助浴队" in page.content.decode()
    for url in ("/admin/care/callpress/", "/admin/care/awayperiod/"):
        assert admin.get(url).status_code == 200
    assert admin.get("/admin/care/homeservice/add/").status_code == 403
    changed = admin.post(f"/admin/care/homeservice/{s.pk}/change/", {"provider_name": "x"})
    assert changed.status_code == 403
    assert admin.post(f"/admin/care/homeservice/{s.pk}/delete/", {"post": "yes"}).status_code == 403
    assert HomeService.objects.get(pk=s.pk).provider_name == "幸福里助浴队"
    # Staff without the admin site are turned away.
    assert login("grid_worker").get("/admin/care/homeservice/").status_code == 302
