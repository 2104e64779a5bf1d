"""CASE-10: nearby open cases of the same category are offered; residents add "me too".

casework.api mounts the duplicates router before /{tracking_no} (otherwise GET
/api/cases/nearby is read as a tracking number).
"""

import pytest
from django.test import Client

from linli.casework.choices import EventKind, Status
from linli.casework.models import Case, Category, MeToo
from linli.casework.services.duplicates import case_me_too, distance_m, nearby_open_cases
from linli.core.errors import Conflict, PermissionDenied
from linli.core.roles import Role
from linli.testing.world import make_user

from .conftest import INSIDE_A1

LAT, LON = INSIDE_A1["lat"], INSIDE_A1["lon"]


def north(metres):
    """The point `metres` due north of INSIDE_A1."""
    return LAT + metres / 111_320, LON


def east(metres):
    import math

    return LAT, LON + metres / (111_320 * math.cos(math.radians(LAT)))


def post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


@pytest.fixture
def case(submit):
    return Case.objects.get(tracking_no=submit()["tracking_no"])


def found(category="01-10", at=(LAT, LON)):
    cat = Category.objects.get(code=category)
    return [c.tracking_no for c in nearby_open_cases(category=cat, lat=at[0], lon=at[1])]


def test_distance_is_haversine():
    assert distance_m(*north(50), LAT, LON) == pytest.approx(50, abs=0.5)
    assert distance_m(*east(50), LAT, LON) == pytest.approx(50, abs=0.5)


def test_within_50_m_found_60_m_not(case):
    assert found(at=north(45)) == [case.tracking_no]
    assert found(at=east(45)) == [case.tracking_no]
    assert found(at=north(60)) == []
    assert found(at=east(60)) == []


def test_diagonal_inside_the_box_but_beyond_the_circle_is_not_found(case):
    # 40 m north and 40 m east: inside the 50 m bounding box, 56.6 m away.
    lat, _ = north(40)
    _, lon = east(40)
    assert found(at=(lat, lon)) == []


def test_other_category_and_closed_cases_are_not_offered(case, cats):
    assert found(category="20-02") == []
    for status in (Status.CLOSED, Status.RATED, Status.MERGED, Status.REJECTED):
        Case.objects.filter(pk=case.pk).update(status=status)
        assert found() == []
    Case.objects.filter(pk=case.pk).update(status=Status.HANDLING, public=False)
    assert found() == []


def test_nearest_first(submit):
    far = submit(lat=north(30)[0])["tracking_no"]
    near = submit()["tracking_no"]
    assert found(at=north(5)) == [near, far]


def test_me_too_once(case, cats):
    volunteer = cats["volunteer"]
    updated = case_me_too(actor=volunteer, case=case)
    assert updated.me_too_count == 1
    event = case.events.get(kind=EventKind.ME_TOO)
    assert event.public and event.actor == volunteer
    with pytest.raises(Conflict) as err:
        case_me_too(actor=volunteer, case=case)
    assert err.value.code == "already_joined" and "已经" in err.value.message
    assert Case.objects.get(pk=case.pk).me_too_count == 1
    case_me_too(actor=cats["family"], case=case)
    assert Case.objects.get(pk=case.pk).me_too_count == 2
    assert MeToo.objects.filter(case=case).count() == 2


def test_me_too_refusals(case, cats):
    with pytest.raises(PermissionDenied):
        case_me_too(actor=cats["dept_officer"], case=case)
    with pytest.raises(Conflict) as err:
        case_me_too(actor=cats["resident"], case=case)  # the reporter
    assert err.value.code == "own_case"
    Case.objects.filter(pk=case.pk).update(status=Status.CLOSED)
    with pytest.raises(Conflict):
        case_me_too(actor=cats["volunteer"], case=case)
    assert not MeToo.objects.exists()


# --- API (/api/cases/…, needs the router mounted) -----------------------------------------


def test_api_nearby(case, cats, login):
    lat, lon = north(30)
    url = f"/api/cases/nearby?category=01-10&lat={lat}&lon={lon}"
    response = login("family").get(url)
    assert response.status_code == 200, response.content
    [item] = response.json()
    assert item["tracking_no"] == case.tracking_no and item["category_name"] == "暴露垃圾"
    assert item["distance_m"] == pytest.approx(30, abs=0.5) and item["me_too_count"] == 0
    assert set(item) == {
        "tracking_no",
        "category_name",
        "status_label",
        "distance_m",
        "me_too_count",
        "created_at",
    }
    far = login("family").get(f"/api/cases/nearby?category=01-10&lat={north(60)[0]}&lon={LON}")
    assert far.json() == []
    assert Client().get(url).status_code == 401
    bad = login("family").get(f"/api/cases/nearby?category=99-99&lat={lat}&lon={lon}")
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "category"


def test_api_me_too(case, cats, login):
    url = f"/api/cases/{case.tracking_no}/me-too"
    first = post(login("volunteer"), url)
    assert first.status_code == 200, first.content
    assert first.json() == {"tracking_no": case.tracking_no, "me_too_count": 1, "joined": True}
    again = post(login("volunteer"), url)
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_joined"
    assert post(Client(), url).status_code == 401
    assert post(login("dept_officer"), url).status_code == 403
    assert post(login("family"), "/api/cases/nope/me-too").status_code == 404
    neighbour = make_user("neighbour", Role.RESIDENT)
    client = Client()
    client.force_login(neighbour)
    assert post(client, url).json()["me_too_count"] == 2
    # The reporter sees the step on their timeline, without who pressed it.
    timeline = login("resident").get(f"/api/cases/{case.tracking_no}").json()["timeline"]
    me_too = [e for e in timeline if e["kind"] == "me_too"]
    assert len(me_too) == 2 and all(e["actor"] is None for e in me_too)
