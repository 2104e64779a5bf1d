"""Intake's per-process caches (casework.lookups) and the 201 built from memory.

An edit made by another process fires no signal here: those edits are made below with
QuerySet.update / bulk_create / _raw_delete, which send none either, so only the stamp
statement can notice them."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from linli.casework.models import Case, CaseEvent, Category
from linli.casework.services import intake
from linli.core.audit.models import AuditEntry
from linli.core.audit.services import audit_verify
from linli.core.notifications.models import Delivery, Notification
from linli.geo.models import Department, ResponsibilityRule

from .conftest import INSIDE_A1

LATER = dt.timedelta(minutes=5)


def _post(client, **overrides):
    body = {"category": "01-10", "description": "楼下垃圾堆了三天没人清理", **INSIDE_A1}
    body.update(overrides)
    return client.post("/api/cases", body, content_type="application/json")


def _instants(body):
    """Times as instants: the 201 gives deadlines in local time, a read back in UTC (as
    before the 201 was built from memory)."""
    out = dict(body)
    for key in ("respond_due", "close_due", "created_at"):
        out[key] = dt.datetime.fromisoformat(out[key])
    out["timeline"] = [{**e, "at": dt.datetime.fromisoformat(e["at"])} for e in out["timeline"]]
    return out


def _elsewhere(model, pk, **values):
    """An edit as another process makes it: no signal reaches this process's cache."""
    model.objects.filter(pk=pk).update(updated_at=timezone.now() + LATER, **values)


def test_the_201_is_what_a_read_back_shows(cats, login):
    client = login("resident")
    response = _post(client)
    assert response.status_code == 201
    created = response.json()
    again = client.get(f"/api/cases/{created['tracking_no']}").json()
    assert _instants(created) == _instants(again)
    assert [e["kind"] for e in created["timeline"]] == ["submitted"]
    assert created["timeline"][0]["actor"] is None  # a resident never sees who


def test_the_staff_201_shows_the_internal_timeline_as_a_read_back(cats, login):
    client = login("grid_worker")
    body = {"category": "01-10", "description": "居民来电:垃圾没清", "channel": "hotline"}
    response = client.post("/api/cases/staff", {**body, **INSIDE_A1}, "application/json")
    assert response.status_code == 201, response.content
    created = response.json()
    again = client.get(f"/api/cases/{created['tracking_no']}").json()
    assert _instants(created) == _instants(again)
    assert created["timeline"][0]["actor"]  # staff see who entered it


def test_a_submission_reads_no_reference_table_once_cached(cats, login):
    client = login("resident")
    assert _post(client).status_code == 201  # fills the cache
    with CaptureQueriesContext(connection) as ctx:
        assert _post(client).status_code == 201
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    for table in ("casework_category", "geo_responsibilityrule", "geo_grid", "geo_department"):
        # only inside the one stamp statement
        assert sql.count(f'"{table}"') == 1, table
    assert 'FROM "casework_case" WHERE' not in sql  # no tracking-number lookup
    assert 'FROM "casework_caseevent"' not in sql  # the timeline is not read back
    assert len(ctx.captured_queries) <= 14


def test_a_category_switched_off_elsewhere_is_refused_at_once(cats, login):
    client = login("resident")
    assert _post(client).status_code == 201
    _elsewhere(Category, Category.objects.get(code="01-10").pk, active=False)
    response = _post(client)
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "category"


def test_a_category_made_private_elsewhere_makes_the_next_case_private(cats, login):
    client = login("resident")
    assert Case.objects.get(tracking_no=_post(client).json()["tracking_no"]).public
    _elsewhere(Category, Category.objects.get(code="01-10").pk, public=False)
    assert not Case.objects.get(tracking_no=_post(client).json()["tracking_no"]).public


def test_responsibility_rules_added_and_removed_elsewhere_route_the_next_case(cats, login):
    client = login("resident")
    assert _post(client).json()["owner_unit"] == cats.chengguan.name
    (rule,) = ResponsibilityRule.objects.bulk_create(
        [ResponsibilityRule(category_code="01-10", unit=cats.street_office)]
    )
    assert _post(client).json()["owner_unit"] == cats.street_office.name  # more specific
    ResponsibilityRule.objects.filter(pk=rule.pk)._raw_delete(connection.alias)
    assert _post(client).json()["owner_unit"] == cats.chengguan.name
    # No rule at all: the community's 居委会, and its renaming elsewhere is seen too.
    ResponsibilityRule.objects.all()._raw_delete(connection.alias)
    committee = Department.objects.get(community=cats.community_a)
    assert _post(client).json()["owner_unit"] == committee.name
    _elsewhere(Department, committee.pk, name="甲社区居委会(新)")
    assert _post(client).json()["owner_unit"] == "甲社区居委会(新)"


def test_an_edit_in_this_process_is_seen_even_under_a_frozen_clock(cats, login):
    client = login("resident")
    assert _post(client).status_code == 201
    category = Category.objects.get(code="01-10")
    category.public = False
    category.save()  # same second, same count: the signal drops the cache
    assert not Case.objects.get(tracking_no=_post(client).json()["tracking_no"]).public


def test_a_taken_tracking_number_is_drawn_again(cats, login, monkeypatch):
    client = login("resident")
    taken = _post(client).json()["tracking_no"]
    draws = iter([taken, taken, "20990101000001"])
    monkeypatch.setattr(intake, "_tracking_no", lambda: next(draws))
    before = Case.objects.count(), AuditEntry.objects.count(), Notification.objects.count()
    response = _post(client)
    assert response.status_code == 201
    assert response.json()["tracking_no"] == "20990101000001"
    after = Case.objects.count(), AuditEntry.objects.count(), Notification.objects.count()
    assert after == (before[0] + 1, before[1] + 1, before[2] + 1)  # no leftovers of the tries
    assert CaseEvent.objects.filter(case__tracking_no="20990101000001").count() == 1
    assert audit_verify().ok


def test_tracking_numbers_that_stay_taken_fail_with_nothing_written(cats, monkeypatch):
    first = intake.case_submit(
        actor=cats["resident"],
        data=intake.CaseInput("01-10", "垃圾", INSIDE_A1["lat"], INSIDE_A1["lon"]),
    )
    monkeypatch.setattr(intake, "_tracking_no", lambda: first.tracking_no)
    counts = Case.objects.count(), Delivery.objects.count(), AuditEntry.objects.count()
    with pytest.raises(IntegrityError):
        intake.case_submit(
            actor=cats["resident"],
            data=intake.CaseInput("01-10", "垃圾", INSIDE_A1["lat"], INSIDE_A1["lon"]),
        )
    assert (Case.objects.count(), Delivery.objects.count(), AuditEntry.objects.count()) == counts
