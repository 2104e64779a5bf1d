"""Smaller SERVE-1..3 paths: a correction entered at the window, a withdrawal, the home
tiles, the catalogue edited in the admin, the pages in English."""

import pytest

from linli.core.registry import tiles_for
from linli.people.models import CorrectionRequest
from linli.station.choices import Status
from linli.station.models import Application, Service
from linli.station.services.workflow import application_step
from linli.station.tests.helpers import apply_as, station_world


@pytest.fixture
def sw(world):
    return station_world(world)


def test_a_correction_at_the_window_is_a_task_for_the_community(sw):
    clerk = sw.world["community_worker"]
    receipt = apply_as(
        clerk,
        resident_id=sw.li.pk,
        service_codes=["health_check"],
        values={"hukou": "户口簿"},
        corrections={"phone": "13600004444"},
        present=True,
    )
    assert receipt.applications.get().values.get(key="phone").value == "13600004444"
    correction = CorrectionRequest.objects.get(resident=sw.li)
    assert correction.requested_by == clerk and correction.field == "phone"


def test_the_resident_withdraws_an_open_application(sw):
    a = apply_as(sw.world["resident"], service_codes=["elder_card"], values={"photo": "照片"})
    a = a.applications.get()
    application_step(actor=sw.world["resident"], application_id=a.pk, action="withdraw")
    a.refresh_from_db()
    assert a.status == Status.WITHDRAWN
    # A withdrawn application is not open: a new one may be made.
    apply_as(sw.world["resident"], service_codes=["elder_card"], values={"photo": "照片"})


def test_home_tiles_per_role(sw):
    titles = {
        r: [t.title for t in tiles_for(sw.world[r])]
        for r in ("resident", "community_worker", "volunteer")
    }
    assert "办事服务" in titles["resident"]
    assert "综合服务窗口" in titles["community_worker"]
    assert not {"办事服务", "综合服务窗口", "服务申请审批"} & set(titles["volunteer"])
    assert "服务申请审批" in [t.title for t in tiles_for(sw.officer)]


def test_the_catalogue_is_edited_in_the_admin(sw, login):
    admin = login("sysadmin")
    service = Service.objects.get(code="elder_card")
    page = admin.get(f"/admin/station/service/{service.pk}/change/")
    assert page.status_code == 200 and "大字版办事指南" in page.content.decode()
    assert admin.get("/admin/station/bundle/").status_code == 200
    assert login("community_worker").get("/admin/station/service/").status_code == 302


def test_station_pages_in_english(sw, login):
    me = login("resident")
    me.post("/core/language/", {"language": "en", "next": "/"})
    page = me.get("/station/").content.decode()
    assert "Community service station" in page and "Large-print guide" in page
    out = me.post(
        "/station/apply/elder_card/", {"stage": "submit", "v_photo": "x"}
    ).content.decode()
    assert "Please confirm consent to give the deciding department" in out
    assert not Application.objects.exists()


def test_the_department_decides_on_the_page(sw, login, client):
    a = apply_as(sw.world["resident"], service_codes=["elder_card"], values={"photo": "照片"})
    a = a.applications.get()
    client.force_login(sw.officer)
    page = client.get(f"/station/a/{a.pk}/").content.decode()
    assert 'data-testid="do-accept"' in page and sw.wang.id_number in page
    assert client.post(f"/station/a/{a.pk}/do/accept/").status_code == 302
    bad = client.post(f"/station/a/{a.pk}/do/refuse/", {"note": ""}, follow=True)
    assert "不予批准须写明理由" in bad.content.decode()
    a.refresh_from_db()
    assert a.status == Status.ACCEPTED
    me = login("resident")
    refused = me.post(f"/station/a/{a.pk}/do/grant/", {"number": "X"})
    assert refused.status_code == 403 and "您没有办理这一步的权限" in refused.content.decode()
    a.refresh_from_db()
    assert a.status == Status.ACCEPTED
    assert login("grid_worker").post(f"/station/a/{a.pk}/do/accept/").status_code == 403
    assert login("secretary").get(f"/station/a/{a.pk}/").status_code == 200  # the window
    assert login("secretary").post(f"/station/a/{a.pk}/do/grant/").status_code == 403
    a.refresh_from_db()
    assert a.status == Status.ACCEPTED
    client.post(f"/station/a/{a.pk}/do/grant/", {"number": "LN-7"})
    a.refresh_from_db()
    assert a.status == Status.GRANTED and a.decision_number == "LN-7"
