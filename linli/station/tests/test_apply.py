"""Apply once (SERVE-1): prefill from the record with an audit entry naming the fields,
documents reused from an accepted application, consent per application and tier, and the
bad paths (consent, eligibility, duplicate, missing document) changing nothing."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from linli.core.audit.models import AuditEntry
from linli.core.errors import Conflict, ValidationFailed
from linli.people.choices import AuditAction as PeopleAudit
from linli.people.models import CorrectionRequest
from linli.station.choices import Source, Status
from linli.station.models import Application, Document, Receipt, Service, Value
from linli.station.services.applications import form_prepare, services_for, typed_counts
from linli.station.services.workflow import application_step
from linli.station.tests.helpers import ALL_TIERS, apply_as, station_world


@pytest.fixture
def sw(world):
    return station_world(world)


def _counts():
    return (Application.objects.count(), Receipt.objects.count(), Value.objects.count())


def test_prefill_reads_the_record_and_audits_the_fields_read(sw):
    resident = sw.world["resident"]
    services, _b = services_for(codes=["elder_card"])
    before = AuditEntry.objects.filter(action=PeopleAudit.VIEWED).count()
    form = form_prepare(actor=resident, resident_id=None, services=services)
    assert {k: p.source for k, p in form.prefill.items()} == {
        "full_name": Source.RECORD,
        "id_number": Source.RECORD,
        "address": Source.RECORD,
        "phone": Source.RECORD,
    }
    assert form.prefill["id_number"].value == sw.wang.id_number
    assert form.typed == ["photo"]  # no photo accepted yet
    entry = AuditEntry.objects.filter(action=PeopleAudit.VIEWED).order_by("-seq").first()
    assert AuditEntry.objects.filter(action=PeopleAudit.VIEWED).count() == before + 1
    assert entry.object_id == str(sw.wang.pk)
    assert entry.data["fields"] == ["address", "full_name", "id_number", "phone"]
    assert entry.data["purpose"].startswith("综合服务申请预填")


def test_window_staff_read_protected_tiers_only_with_consent(sw):
    clerk = sw.world["community_worker"]
    services, _b = services_for(codes=["elder_card"])
    without = form_prepare(actor=clerk, resident_id=sw.li.pk, services=services)
    assert "id_number" not in without.prefill and "full_name" in without.prefill
    # Consent counts only with the resident present at the window.
    absent = form_prepare(
        actor=clerk, resident_id=sw.li.pk, services=services, consent_tiers=["identity"]
    )
    assert "id_number" not in absent.prefill
    with_consent = form_prepare(
        actor=clerk,
        resident_id=sw.li.pk,
        services=services,
        consent_tiers=["identity"],
        present=True,
    )
    assert with_consent.prefill["id_number"].value == sw.li.id_number
    entry = AuditEntry.objects.filter(action=PeopleAudit.VIEWED).order_by("-seq").first()
    assert "id_number" in entry.data["fields"] and entry.data["consent"] == ["identity"]


def test_apply_for_elder_card_on_the_phone(sw):
    receipt = apply_as(
        sw.world["resident"], service_codes=["elder_card"], values={"photo": "二寸照片 2026-11"}
    )
    (a,) = receipt.applications.all()
    assert a.status == Status.SUBMITTED and a.department == sw.minzheng
    assert a.consent == {"tiers": sorted(ALL_TIERS), "present": False}
    values = {v.key: (v.value, v.source) for v in a.values.all()}
    assert values["id_number"] == (sw.wang.id_number, Source.RECORD)
    assert values["photo"] == ("二寸照片 2026-11", Source.TYPED)
    assert a.due_at > timezone.now()
    # Ciphertext at rest: the raw column does not hold the ID number.
    raw = Value.objects.filter(pk=a.values.get(key="id_number").pk).values_list("value", flat=True)
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT value FROM station_value WHERE application_id = %s", [a.pk])
        stored = [row[0] for row in cur.fetchall()]
    assert all(sw.wang.id_number not in s for s in stored) and list(raw)


def test_consent_not_given_changes_nothing(sw):
    before = _counts()
    with pytest.raises(ValidationFailed) as exc:
        apply_as(
            sw.world["resident"],
            service_codes=["elder_card"],
            values={"photo": "照片"},
            consent_tiers=["basic"],
        )
    assert exc.value.code == "consent_missing" and "身份信息" in exc.value.message
    assert _counts() == before


def test_window_without_the_resident_present_is_refused(sw):
    before = _counts()
    with pytest.raises(ValidationFailed) as exc:
        apply_as(sw.world["community_worker"], resident_id=sw.li.pk, service_codes=["health_check"])
    assert exc.value.code == "consent_missing" and exc.value.field == "present"
    assert _counts() == before


def test_not_eligible_by_age_and_existing_grant(sw):
    before = _counts()
    clerk = sw.world["community_worker"]
    sw.wang.birth_year = timezone.localdate().year - 50
    sw.wang.save(update_fields=["birth_year"])
    with pytest.raises(ValidationFailed) as exc:
        apply_as(sw.world["resident"], service_codes=["health_check"], values={"hukou": "户口簿"})
    assert exc.value.code == "not_eligible" and "65周岁" in exc.value.message
    # 李桂兰 already holds a 老年证: applying for a first one is refused.
    with pytest.raises(ValidationFailed) as exc:
        apply_as(clerk, resident_id=sw.li.pk, service_codes=["elder_card"], present=True)
    assert exc.value.code == "not_eligible"
    assert _counts() == before


def test_missing_required_document_names_it(sw):
    before = _counts()
    with pytest.raises(ValidationFailed) as exc:
        apply_as(sw.world["resident"], service_codes=["elder_card"])
    assert exc.value.code == "missing_document" and exc.value.field == "photo"
    assert "二寸免冠照片" in exc.value.message
    assert _counts() == before


def test_a_duplicate_open_application_is_refused(sw):
    resident = sw.world["resident"]
    apply_as(resident, service_codes=["elder_card"], values={"photo": "照片"})
    before = _counts()
    with pytest.raises(Conflict) as exc:
        apply_as(resident, service_codes=["elder_card"], values={"photo": "照片"})
    assert exc.value.code == "duplicate"
    assert _counts() == before


def test_the_database_refuses_a_second_open_application(sw):
    first = apply_as(sw.world["resident"], service_codes=["elder_card"], values={"photo": "照片"})
    a = first.applications.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(
            number="FW-DUP",
            service=a.service,
            department=a.department,
            resident=a.resident,
            receipt=first,
            entered_by=a.entered_by,
            channel=a.channel,
            consent=a.consent,
            consent_at=a.consent_at,
            submitted_at=a.submitted_at,
            due_at=a.due_at,
        )
    # Once decided, a new application is allowed again (the constraint is partial).
    Application.objects.filter(pk=a.pk).update(status=Status.DONE)
    apply_as(
        sw.world["resident"],
        service_codes=["residence_proof"],
        values={"tenancy": "房产证", "reason": "办社保"},
    )


def test_a_second_application_reuses_the_first_ones_accepted_documents(sw):
    """The plan's example (§3.2): after the 低保 procedure, the elderly health check does
    not ask for the household register again."""
    resident = sw.world["resident"]
    first = apply_as(
        resident,
        service_codes=["dibao"],
        values={"hukou": "户口簿本人页(2026-10 复印)", "income": "街道出具收入证明 2026-11"},
    ).applications.get()
    # Not accepted yet: nothing to reuse.
    services, _b = services_for(codes=["health_check"])
    assert "hukou" in form_prepare(actor=resident, resident_id=None, services=services).typed
    application_step(actor=sw.officer, application_id=first.pk, action="accept")
    form = form_prepare(actor=resident, resident_id=None, services=services)
    assert form.prefill["hukou"].source == Source.DOCUMENT
    assert form.prefill["hukou"].value == "户口簿本人页(2026-10 复印)"
    second = apply_as(resident, service_codes=["health_check"]).applications.get()
    assert second.values.get(key="hukou").source == Source.DOCUMENT
    assert Document.objects.filter(resident=sw.wang, kind="hukou").count() == 1


def test_a_correction_goes_to_the_peoples_correction_flow(sw):
    resident = sw.world["resident"]
    receipt = apply_as(
        resident,
        service_codes=["elder_card"],
        values={"photo": "照片"},
        corrections={"phone": "13700003333"},
    )
    value = receipt.applications.get().values.get(key="phone")
    assert (value.value, value.source) == ("13700003333", Source.CORRECTED)
    correction = CorrectionRequest.objects.get(resident=sw.wang)
    assert correction.field == "phone" and "13700003333" in correction.message
    sw.wang.refresh_from_db()
    assert sw.wang.phone == "13800001111"  # the record changes when the community applies it


def test_a_bad_correction_is_refused_and_changes_nothing(sw):
    before = _counts()
    with pytest.raises(ValidationFailed) as exc:
        apply_as(
            sw.world["resident"],
            service_codes=["elder_card"],
            values={"photo": "照片"},
            corrections={"id_number": "123"},
        )
    assert exc.value.field == "id_number" and "身份证号" in exc.value.message
    assert _counts() == before and not CorrectionRequest.objects.exists()


def test_80th_birthday_bundle_fields_typed_with_and_without_prefill(sw):
    """The figure the issue asks for: fields a resident fills in for the bundle."""
    resident = sw.world["resident"]
    from linli.people.models import Credential

    Credential.objects.create(
        resident=sw.wang, kind="elder_card", name="老年证", number="LN-1", issued_on="2016-03-15"
    )
    services, bundle = services_for(bundle_code="turning_80")
    assert [s.code for s in services] == [
        "elder_card_update",
        "longevity_allowance",
        "health_check",
    ]
    form = form_prepare(actor=resident, resident_id=None, services=services, bundle=bundle)
    separate, once, typed = typed_counts(form)
    assert (separate, once) == (15, 9)
    assert sorted(form.typed) == ["bank_card", "health", "hukou", "photo"]
    # With the documents of an accepted earlier application (户口簿, 照片) on file:
    first = apply_as(
        resident,
        service_codes=["dibao"],
        values={"hukou": "户口簿", "income": "收入证明"},
    ).applications.get()
    application_step(actor=sw.officer, application_id=first.pk, action="accept")
    form = form_prepare(actor=resident, resident_id=None, services=services, bundle=bundle)
    assert sorted(form.typed) == ["bank_card", "health", "photo"]
    receipt = apply_as(
        resident,
        bundle_code="turning_80",
        values={"bank_card": "社保卡 6217…", "photo": "照片"},
    )
    apps = list(receipt.applications.select_related("service", "department"))
    assert {a.service.code: a.department.short_name for a in apps} == {
        "elder_card_update": "民政",
        "longevity_allowance": "民政",
        "health_check": "卫健",
    }
    # Each application holds only its own service's fields.
    for a in apps:
        keys = {v.key for v in a.values.all()}
        assert keys <= {str(f["key"]) for f in Service.objects.get(pk=a.service_id).fields}


def test_a_bundle_fails_as_a_whole(sw):
    """One service not eligible: no application of the bundle is made."""
    before = _counts()
    with pytest.raises(ValidationFailed) as exc:  # 王秀英 holds no 老年证 to update
        apply_as(
            sw.world["resident"],
            bundle_code="turning_80",
            values={"bank_card": "卡", "photo": "照片", "hukou": "户口簿"},
        )
    assert exc.value.code == "not_eligible"
    assert _counts() == before
