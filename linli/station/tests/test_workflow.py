"""Tracking (SERVE-2): the transition table, decisions written on the record (a 老年证
number and date; 低保 as its finance-tier tag), what the deciding department sees, and the
sweep's warning and overdue on the working-day deadline."""

import datetime as dt

import pytest
from django.utils import timezone

from linli.core.audit.models import AuditEntry
from linli.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from linli.core.notifications.models import Notification
from linli.people.models import Credential, ResidentTag
from linli.people.services.records import resident_read
from linli.station.choices import AuditAction, Status
from linli.station.models import Application, Step
from linli.station.scheduled import station_sweep
from linli.station.selectors import application_view
from linli.station.services.workflow import application_step
from linli.station.tests.helpers import apply_as, station_world


@pytest.fixture
def sw(world):
    return station_world(world)


def _elder_card(sw):
    return apply_as(
        sw.world["resident"], service_codes=["elder_card"], values={"photo": "照片"}
    ).applications.get()


def test_the_whole_way_to_a_granted_elder_card_written_on_the_record(sw):
    a = _elder_card(sw)
    resident_user = sw.world["resident"]
    application_step(actor=sw.officer, application_id=a.pk, action="accept")
    with pytest.raises(ValidationFailed) as exc:
        application_step(actor=sw.officer, application_id=a.pk, action="grant")
    assert exc.value.field == "number"
    assert not Credential.objects.filter(resident=sw.wang).exists()
    application_step(actor=sw.officer, application_id=a.pk, action="grant", number="LN-2026-0101")
    cred = Credential.objects.get(resident=sw.wang, kind="elder_card")
    assert cred.number == "LN-2026-0101" and cred.issued_on == timezone.localdate()
    assert cred.source == a.number
    application_step(actor=sw.officer, application_id=a.pk, action="close")
    a.refresh_from_db()
    assert a.status == Status.DONE and a.decided_at is not None
    assert [s.action for s in Step.objects.filter(application=a)] == [
        "submit",
        "accept",
        "grant",
        "close",
    ]
    titles = list(
        Notification.objects.filter(recipient=resident_user).values_list("title", flat=True)
    )
    assert any("已批准" in t for t in titles) and any("已办结" in t for t in titles)


def test_a_refusal_needs_a_reason_and_the_resident_reads_it(sw):
    a = _elder_card(sw)
    with pytest.raises(ValidationFailed):
        application_step(actor=sw.officer, application_id=a.pk, action="refuse", note="")
    a.refresh_from_db()
    assert a.status == Status.SUBMITTED
    application_step(actor=sw.officer, application_id=a.pk, action="refuse", note="照片不符合要求")
    view = application_view(actor=sw.world["resident"], application_id=a.pk)
    assert view.application.status == Status.REFUSED and view.application.reason == "照片不符合要求"
    assert view.actions == []  # the resident cannot close it; the window or department does


def test_more_needed_then_supplemented(sw):
    a = _elder_card(sw)
    application_step(actor=sw.officer, application_id=a.pk, action="more", note="请补交近期照片")
    application_step(
        actor=sw.world["resident"],
        application_id=a.pk,
        action="supplement",
        documents={"photo": "新拍二寸照片 2026-12"},
    )
    a.refresh_from_db()
    assert a.status == Status.SUBMITTED
    assert a.values.get(key="photo").value == "新拍二寸照片 2026-12"


def test_illegal_steps_and_wrong_actors_change_nothing(sw):
    a = _elder_card(sw)
    with pytest.raises(Conflict):  # not accepted yet
        application_step(actor=sw.officer, application_id=a.pk, action="grant", number="X")
    with pytest.raises(PermissionDenied):  # the resident cannot accept
        application_step(actor=sw.world["resident"], application_id=a.pk, action="accept")
    with pytest.raises(NotFound):  # 城管 does not decide 老年证: not even visible
        application_step(actor=sw.world["dept_officer"], application_id=a.pk, action="accept")
    with pytest.raises(NotFound):  # 卫健 neither
        application_step(actor=sw.health_officer, application_id=a.pk, action="accept")
    a.refresh_from_db()
    assert a.status == Status.SUBMITTED and a.steps.count() == 1


def test_dibao_granted_is_written_as_its_finance_tier_tag(sw):
    a = apply_as(
        sw.world["resident"],
        service_codes=["dibao"],
        values={"hukou": "户口簿", "income": "收入证明"},
    ).applications.get()
    application_step(actor=sw.officer, application_id=a.pk, action="accept")
    application_step(actor=sw.officer, application_id=a.pk, action="grant")
    link = ResidentTag.objects.get(resident=sw.wang, tag__code="dibao")
    assert link.valid_until == timezone.localdate().replace(year=timezone.localdate().year + 1)
    sw.wang.refresh_from_db()
    assert sw.wang.assistance == "低保"
    # Tier protection: the grid worker's view of the record shows neither the tag nor the field.
    view = resident_read(actor=sw.world["grid_worker"], resident_id=sw.wang.pk)
    assert "assistance" not in view.data
    assert all(t["code"] != "dibao" for t in view.data["tags"])


def test_the_department_sees_only_the_fields_the_service_needs(sw):
    """A 卫健 officer deciding the health check of a bundle sees that service's fields and
    nothing of the 高龄津贴 bank card next to it; the read is audited."""
    Credential.objects.create(
        resident=sw.wang,
        kind="elder_card",
        name="老年证",
        number="LN-1",
        issued_on=dt.date(2016, 3, 15),
    )
    receipt = apply_as(
        sw.world["resident"],
        bundle_code="turning_80",
        values={"bank_card": "社保卡 6217", "photo": "照片", "hukou": "户口簿"},
    )
    check = receipt.applications.get(service__code="health_check")
    allowance = receipt.applications.get(service__code="longevity_allowance")
    view = application_view(actor=sw.health_officer, application_id=check.pk)
    assert {v.key for v in view.values} == {"full_name", "id_number", "address", "phone", "hukou"}
    assert all(v.shown for v in view.values)
    assert "社保卡 6217" not in [v.value for v in view.values]
    entry = AuditEntry.objects.filter(action=AuditAction.DEPT_VIEWED).latest("seq")
    assert entry.object_id == str(check.pk) and "hukou" in entry.data["fields"]
    with pytest.raises(NotFound):
        application_view(actor=sw.health_officer, application_id=allowance.pk)
    # Window staff see the labels; protected values (ID number) stay hidden from them.
    staff = application_view(actor=sw.world["community_worker"], application_id=check.pk)
    shown = {v.key: v.shown for v in staff.values}
    assert shown["full_name"] and not shown["id_number"] and not shown["hukou"]


def test_sweep_warns_then_marks_overdue_once(sw, clock):
    a = _elder_card(sw)  # 5 working days
    total = a.due_at - a.submitted_at
    clock.shift(total * 0.5)
    assert station_sweep().warned == 0
    a.refresh_from_db()
    assert a.warned_at is None and not a.overdue
    clock.shift(total * 0.3)
    result = station_sweep()
    a.refresh_from_db()
    assert (result.warned, result.overdue) == (1, 0) and a.warned_at is not None
    assert Notification.objects.filter(recipient=sw.officer, title__contains="临近").count() == 1
    clock.shift(total * 0.25)
    result = station_sweep()
    a.refresh_from_db()
    assert (result.warned, result.overdue) == (0, 1) and a.overdue
    assert Notification.objects.filter(
        recipient=sw.world["community_worker"], title__contains="超过"
    ).exists()
    assert station_sweep().overdue == 0  # a second run changes nothing
    assert AuditEntry.objects.filter(action=AuditAction.SWEEP).count() == 2


def test_sweep_leaves_decided_applications_alone(sw, clock):
    a = _elder_card(sw)
    application_step(actor=sw.officer, application_id=a.pk, action="refuse", note="不符合")
    clock.shift(dt.timedelta(days=60))
    assert station_sweep().overdue == 0
    assert not Application.objects.get(pk=a.pk).overdue
