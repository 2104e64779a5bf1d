"""The selectors other apps read residents through: each list shown is one audit entry."""

import datetime as dt

import pytest

from linli.core.audit.models import AuditEntry
from linli.geo.models import Building, Household
from linli.people.models import Contact, Resident, ResidentTag, Tag
from linli.people.selectors import (
    ResidentBrief,
    alert_audiences,
    resident_of_user,
    resident_reachable,
    residents_brief,
    residents_of_households,
)


@pytest.fixture
def homes(world):
    b2 = Building.objects.create(grid=world.grid_a2, name="2幢", lat=30.27, lon=120.126)
    h2 = Household.objects.create(building=b2, unit="1单元", room="201")
    hb = Household.objects.create(
        building=Building.objects.create(grid=world.grid_b1, name="9幢", lat=30.27, lon=120.13),
        unit="2单元",
        room="301",
    )
    wang = Resident.objects.get(full_name="王秀英")
    li = Resident.objects.create(
        household=h2, full_name="李建国", sex="M", birth_year=1940, ability="semi"
    )
    zhao = Resident.objects.create(household=hb, full_name="赵强", sex="M", birth_year=1950)
    alone = Tag.objects.get(code="alone_elderly")
    ResidentTag.objects.create(resident=wang, tag=alone)
    ResidentTag.objects.create(resident=zhao, tag=Tag.objects.get(code="dibao"))
    return {"wang": wang, "li": li, "zhao": zhao}


def _listed() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action="resident.listed").order_by("seq"))


def test_brief_lists_only_the_actors_place_and_audits_once(world, homes):
    before = len(_listed())
    found = residents_brief(actor=world["community_worker"], purpose="看护看板")
    assert set(found) == {homes["wang"].pk, homes["li"].pk}  # 乙社区's 赵强 is out of reach
    wang = found[homes["wang"].pk]
    assert isinstance(wang, ResidentBrief)
    assert wang.address == "1幢1单元101" and wang.building == "1幢"
    assert wang.tags == ("独居老人",) and wang.grid_id == world.grid_a1.pk
    assert found[homes["li"].pk].ability == "semi" and found[homes["li"].pk].ability_label
    entries = _listed()
    assert len(entries) == before + 1
    assert sorted(entries[-1].data["ids"]) == sorted(found)
    assert entries[-1].data["purpose"] == "看护看板"


def test_brief_hides_protected_tags(world, homes):
    found = residents_brief(actor=world["street_admin"], ids=[homes["zhao"].pk], purpose="x")
    assert found[homes["zhao"].pk].tags == ()  # 低保 is finance tier


def test_brief_filters(world, homes):
    actor = world["secretary"]
    assert list(residents_brief(actor=actor, purpose="p", elderly=True)) == [
        homes["wang"].pk,
        homes["li"].pk,
    ]
    hh = homes["li"].household_id
    assert list(residents_brief(actor=actor, purpose="p", household_ids=[hh])) == [homes["li"].pk]
    assert list(residents_brief(actor=actor, purpose="p", full_name="李建国")) == [homes["li"].pk]
    assert list(residents_brief(actor=actor, purpose="p", tag="alone_elderly")) == [
        homes["wang"].pk
    ]
    past = dt.date(2000, 1, 1)
    ResidentTag.objects.filter(resident=homes["wang"]).update(valid_until=past)
    assert residents_brief(actor=actor, purpose="p", tag="alone_elderly") == {}
    with pytest.raises(TypeError):
        residents_brief(actor=actor, purpose="p", household__building=1)


def test_nothing_found_writes_nothing(world, homes):
    before = len(_listed())
    assert (
        residents_brief(actor=world["community_worker"], ids=[homes["zhao"].pk], purpose="p") == {}
    )
    assert residents_brief(actor=world["sysadmin"], purpose="p") == {}
    assert residents_brief(actor=world["community_worker"], ids=[], purpose="p") == {}
    assert len(_listed()) == before


def test_volunteer_names_the_residents_of_their_grid(world, homes):
    volunteer = world["volunteer"]
    assert list(residents_brief(actor=volunteer, purpose="服务登记")) == [homes["wang"].pk]
    assert resident_reachable(actor=volunteer, resident_id=homes["wang"].pk)
    assert not resident_reachable(actor=volunteer, resident_id=homes["li"].pk)
    # Naming is not opening: the record itself stays out of reach.
    assert not Resident.objects.visible_to(volunteer).exists()


def test_family_sees_relatives(world, homes):
    family = world["family"]
    Contact.objects.create(resident=homes["li"], name="李", relation="子", user=family)
    assert list(residents_brief(actor=family, purpose="p")) == [homes["li"].pk]
    assert alert_audiences([homes["li"].pk, homes["wang"].pk]) == {
        homes["li"].pk: [family],
        homes["wang"].pk: [],
    }


def test_unaudited_helpers(world, homes):
    before = len(_listed())
    mine = resident_of_user(world["resident"])
    assert mine is not None and mine.id == homes["wang"].pk
    assert resident_of_user(world["grid_worker"]) is None
    hh = homes["li"].household_id
    assert [b.id for b in residents_of_households([hh])[hh]] == [homes["li"].pk]
    assert len(_listed()) == before
