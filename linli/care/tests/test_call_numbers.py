"""Someone to call from the app (PLAT-2, CARE-6): the resident rings their grid worker from
home; whoever handles a one-key call rings the elder and the family in one tap,
an audited read of contact data that the wrong people never get."""

import pytest
from django.utils import timezone

from linli.care.services.calls import button_pressed
from linli.care.tests.care_helpers import make_care
from linli.core.audit.models import AuditEntry
from linli.people.models import Resident


@pytest.fixture
def call(world, django_capture_on_commit_callbacks):
    care = make_care(world)
    resident = Resident.objects.get(pk=care.resident.pk)
    resident.phone = "13900000009"
    resident.save()
    with django_capture_on_commit_callbacks(execute=True):
        return button_pressed(device_id=care.button.pk, at=timezone.now()).alert


def test_grid_worker_rings_the_elder_and_the_family_from_the_call(call, login):
    html = login("grid_worker").get(f"/care/alerts/{call.pk}/").content.decode()
    assert 'href="tel:13900000009"' in html and "打电话给本人" in html
    assert 'href="tel:13900000002"' in html and "李红(女儿)" in html
    worker_list = login("grid_worker").get("/care/").content.decode()
    assert 'href="tel:13900000002"' in worker_list  # on the alert card too
    read = AuditEntry.objects.filter(action="resident.viewed", object_id=str(call.resident_id))
    assert read.exists() and "一键呼叫" in read.last().data["purpose"]


def test_the_numbers_are_not_shown_to_those_who_do_not_handle_the_call(call, login):
    for role in ("supervisor", "dept_officer"):
        response = login(role).get(f"/care/alerts/{call.pk}/")
        assert "tel:1390000000" not in response.content.decode()


def test_resident_rings_their_grid_worker_from_home(world, login):
    worker = world["grid_worker"]
    worker.phone = "13900000001"
    worker.save()
    html = login("resident").get("/").content.decode()
    assert 'href="tel:13900000001"' in html and "打电话给网格员" in html
