"""PEOPLE-7 services: my data and who accessed it, export, corrections handled by the community
workers, withdrawing consent (erased, not hidden)."""

import pytest
from django.db import connection
from django.utils import timezone

from linli.accounts.choices import MembershipKind
from linli.accounts.models import Membership
from linli.core.audit.models import AuditEntry
from linli.core.audit.services import audit_verify
from linli.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from linli.core.notifications.models import Notification
from linli.core.roles import Role
from linli.geo.models import Building, Household
from linli.people.choices import CorrectionStatus
from linli.people.models import Contact, CorrectionRequest, Resident, Tag
from linli.people.services import grants as grant_services
from linli.people.services import rights
from linli.people.services.records import id_number_hash, resident_read, residents_list, tags_set
from linli.people.services.rights_data import export_dict, my_data, my_export
from linli.people.services.rights_history import access_history
from linli.people.validation import id_check_digit
from linli.testing.world import make_user

ID_NUMBER = "33010619460315002" + id_check_digit("33010619460315002")  # female, 1946


def rich_record(world) -> Resident:
    """The world's resident 王秀英 with data of every tier, a family link and optional data."""
    r = Resident.objects.get(user=world["resident"])
    r.phone, r.phone_masked = "13812345678", "138****5678"
    r.id_number, r.id_number_hash = ID_NUMBER, id_number_hash(ID_NUMBER)
    r.health_conditions, r.assistance, r.ability = "高血压", "低保", "semi"
    r.skills, r.health_notes, r.optional_consent_at = "越剧", "腿脚不便", timezone.now()
    r.save()
    # A transactional test before this one may have flushed the tags of migration 0003.
    Tag.objects.get_or_create(code="alone_elderly", defaults={"name": "独居老人"})
    Tag.objects.get_or_create(code="dibao", defaults={"name": "低保", "tier": "finance"})
    tags_set(resident=r, codes=["alone_elderly", "dibao"])
    Contact.objects.create(
        resident=r,
        name="王强",
        relation="儿子",
        phone="13900001111",
        phone_masked="139****1111",
        user=world["family"],
    )
    Contact.objects.create(
        resident=r,
        name="李阿姨",
        relation="邻居",
        phone="13700002222",
        phone_masked="137****2222",
        optional=True,
    )
    return r


def other_community(world) -> dict:
    """A resident of community 乙 with an account, and a community worker of 乙."""
    building = Building.objects.create(grid=world.grid_b1, name="9幢", lat=30.27, lon=120.13)
    household = Household.objects.create(building=building, unit="1单元", room="901")
    user = make_user("resident_b", Role.RESIDENT, full_name="赵大爷")
    resident = Resident.objects.create(
        household=household, full_name="赵大爷", sex="M", birth_year=1940, user=user
    )
    worker = make_user("worker_b", Role.COMMUNITY_WORKER, full_name="乙社工")
    Membership.objects.create(
        user=worker, kind=MembershipKind.COMMUNITY_WORKER, community=world.community_b
    )
    return {"resident": resident, "user": user, "worker": worker}


def raw_row(table: str, pk: int, *columns: str) -> tuple:
    with connection.cursor() as cur:
        cur.execute(f"SELECT {', '.join(columns)} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cur.fetchone()


# ---- My data and who accessed it --------------------------------------------------------


def test_my_data_holds_everything_and_the_view_is_audited(world):
    r = rich_record(world)
    data = my_data(actor=world["resident"])
    shown = {f["name"]: f for f in data.fields}
    assert shown["id_number"]["display"] == ID_NUMBER
    assert shown["health_conditions"]["display"] == "高血压"
    assert shown["ability"]["display"] == "半失能" and shown["sex"]["display"] == "女"
    assert shown["address"]["display"] == "1幢1单元101"
    assert shown["phone"]["label"] == "电话"
    # Sensitive tags are shown to the resident too.
    assert {t["name"] for t in data.tags} == {"独居老人", "低保"}
    assert {c.name for c in data.contacts} == {"王强", "李阿姨"}
    entry = AuditEntry.objects.filter(action="resident.viewed", object_id=str(r.pk)).get()
    assert entry.actor_id == world["resident"].pk and entry.data["own"] is True


def test_resident_without_a_record_gets_a_clear_not_found(world):
    Resident.objects.filter(user=world["resident"]).update(user=None)
    with pytest.raises(NotFound) as exc:
        my_data(actor=world["resident"])
    assert "还没有您的居民档案" in exc.value.message


def test_history_names_staff_fields_and_purpose_but_not_own_views(world):
    r = rich_record(world)
    resident_read(actor=world["grid_worker"], resident_id=r.pk, purpose="入户走访")
    my_data(actor=world["resident"])  # the resident's own view is not listed
    events = access_history(resident=r).events
    assert len(events) == 1
    e = events[0]
    assert e.role == "网格员" and e.who == "grid_worker" and "1号网格" in e.unit
    assert e.action_label == "查看了档案" and e.purpose == "入户走访"
    assert "姓名" in e.fields and "身份证号" not in e.fields


def test_history_includes_lists_that_showed_the_record_and_only_those(world):
    r = rich_record(world)
    other = other_community(world)["resident"]
    residents_list(actor=world["community_worker"])  # shows 王秀英
    residents_list(actor=world["street_admin"], q="赵")  # shows only 赵大爷
    events = access_history(resident=r).events
    assert [(e.action, e.role) for e in events] == [("resident.listed", "社区工作者")]
    assert events[0].purpose == "查看居民名单" and "电话(部分隐藏)" in events[0].fields
    assert [e.role for e in access_history(resident=other).events] == ["街道办"]


def test_history_is_newest_first_limited_and_windowed(world):
    r = rich_record(world)
    for purpose in ("一", "二", "三"):
        resident_read(actor=world["community_worker"], resident_id=r.pk, purpose=purpose)
    history = access_history(resident=r, limit=2)
    assert [e.purpose for e in history.events] == ["三", "二"] and history.truncated
    assert access_history(resident=r, days=0).events == []


def test_export_is_audited_and_carries_labels_and_history(world):
    r = rich_record(world)
    resident_read(actor=world["grid_worker"], resident_id=r.pk)
    body = export_dict(my_export(actor=world["resident"], fmt="json"))
    assert body["id"] == r.pk
    assert {"name": "id_number", "label": "身份证号"}.items() <= {
        k: v for f in body["fields"] if f["name"] == "id_number" for k, v in f.items()
    }.items()
    assert body["privacy"]["alerts_audience_label"] == "网格员和家属"
    assert body["access"][0]["role"] == "网格员"
    entry = AuditEntry.objects.filter(action="resident.exported").get()
    assert entry.data["format"] == "json" and ID_NUMBER not in str(entry.data)
    with pytest.raises(ValidationFailed):
        my_export(actor=world["resident"], fmt="pdf")


# ---- Corrections ------------------------------------------------------------------------


def test_correction_request_is_encrypted_and_a_task_for_the_community_workers(world):
    other_community(world)
    r = rich_record(world)
    c = rights.correction_request(
        actor=world["resident"], field="phone", message="新号码 13911112222"
    )
    assert c.status == CorrectionStatus.OPEN and c.resident == r
    (stored,) = raw_row("people_correctionrequest", c.pk, "message")
    assert "13911112222" not in stored
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert told == {"community_worker"}  # not the other community's worker, not the grid
    entry = AuditEntry.objects.get(action="correction.requested")
    assert entry.data == {"resident": r.pk, "field": "phone"}


@pytest.mark.parametrize(
    ("field", "message", "error_field"),
    [
        ("shoe_size", "43码", "field"),
        ("phone_masked", "不对", "field"),
        ("skills", "不对", "field"),
        ("phone", "  ", "message"),
        ("phone", "长" * 501, "message"),
    ],
)
def test_bad_correction_requests_change_nothing(world, field, message, error_field):
    rich_record(world)
    with pytest.raises(ValidationFailed) as exc:
        rights.correction_request(actor=world["resident"], field=field, message=message)
    assert exc.value.field == error_field
    assert not CorrectionRequest.objects.exists() and not Notification.objects.exists()


def test_one_open_request_per_field(world):
    rich_record(world)
    rights.correction_request(actor=world["resident"], field="phone", message="号码换了")
    with pytest.raises(Conflict):
        rights.correction_request(actor=world["resident"], field="phone", message="再说一次")
    assert CorrectionRequest.objects.count() == 1


def test_only_residents_with_a_record_may_ask(world):
    with pytest.raises(NotFound):
        rights.correction_request(actor=world["grid_worker"], field="phone", message="改一下")


def test_worker_applies_a_correction_through_the_record_rules(world):
    r = rich_record(world)
    c = rights.correction_request(actor=world["resident"], field="phone", message="号码换了")
    rights.correction_apply(
        actor=world["community_worker"], correction_id=c.pk, value="139 1111 2222"
    )
    r.refresh_from_db()
    c.refresh_from_db()
    assert r.phone == "13911112222" and r.phone_masked == "139****2222"
    assert c.status == CorrectionStatus.DONE and c.handled_by == world["community_worker"]
    note = Notification.objects.get(recipient=world["resident"])
    assert note.title == "您的信息更正申请已办理" and "电话" in note.body
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert "resident.changed" in actions and "correction.applied" in actions
    assert audit_verify().ok


def test_a_bad_value_is_refused_and_changes_nothing(world):
    r = rich_record(world)
    c = rights.correction_request(actor=world["resident"], field="phone", message="号码换了")
    with pytest.raises(ValidationFailed) as exc:
        rights.correction_apply(actor=world["community_worker"], correction_id=c.pk, value="123")
    assert "电话号码格式不正确" in exc.value.message
    with pytest.raises(ValidationFailed):
        rights.correction_apply(actor=world["community_worker"], correction_id=c.pk, value="")
    c2 = rights.correction_request(actor=world["resident"], field="birth_year", message="1947")
    with pytest.raises(ValidationFailed) as exc:
        rights.correction_apply(actor=world["community_worker"], correction_id=c2.pk, value="一九")
    assert exc.value.field == "value"
    r.refresh_from_db()
    c.refresh_from_db()
    assert r.phone == "13812345678" and c.status == CorrectionStatus.OPEN
    assert not AuditEntry.objects.filter(action="resident.changed").exists()


def test_a_worker_of_another_community_cannot_find_the_request(world):
    rich_record(world)
    b = other_community(world)
    c = rights.correction_request(actor=world["resident"], field="phone", message="号码换了")
    assert not rights.corrections_to_handle(actor=b["worker"]).exists()
    for act in (
        lambda: rights.correction_apply(actor=b["worker"], correction_id=c.pk, value="13911112222"),
        lambda: rights.correction_refuse(actor=b["worker"], correction_id=c.pk, reply="不改"),
        lambda: rights.correction_apply(actor=world["grid_worker"], correction_id=c.pk, value="x"),
    ):
        with pytest.raises(NotFound):
            act()
    c.refresh_from_db()
    assert c.status == CorrectionStatus.OPEN


def test_protected_fields_need_an_access_grant(world):
    r = rich_record(world)
    c = rights.correction_request(
        actor=world["resident"], field="health_conditions", message="没有高血压了"
    )
    worker = world["community_worker"]
    with pytest.raises(PermissionDenied) as exc:
        rights.correction_apply(actor=worker, correction_id=c.pk, value="血压正常")
    assert "申请查看权限" in exc.value.message
    grant = grant_services.grant_request(
        actor=worker, resident_id=r.pk, tiers=["health"], purpose="处理居民更正申请"
    )
    grant_services.grant_decide(actor=world["secretary"], grant_id=grant.pk, approve=True)
    rights.correction_apply(actor=worker, correction_id=c.pk, value="", clear=True)
    r.refresh_from_db()
    assert r.health_conditions == ""


def test_refusal_needs_a_reply_and_tells_the_resident(world):
    rich_record(world)
    c = rights.correction_request(actor=world["resident"], field="full_name", message="王秀瑛")
    with pytest.raises(ValidationFailed):
        rights.correction_refuse(actor=world["secretary"], correction_id=c.pk, reply="")
    rights.correction_refuse(
        actor=world["secretary"], correction_id=c.pk, reply="与户口簿不一致,请带户口簿来"
    )
    c.refresh_from_db()
    assert c.status == CorrectionStatus.REFUSED and c.reply.startswith("与户口簿")
    note = Notification.objects.get(recipient=world["resident"])
    assert note.title == "您的信息更正申请未能办理" and "户口簿" in note.body
    with pytest.raises(Conflict):
        rights.correction_apply(actor=world["secretary"], correction_id=c.pk, value="王秀瑛")


def test_address_is_confirmed_with_a_reply_not_a_value(world):
    rich_record(world)
    c = rights.correction_request(actor=world["resident"], field="address", message="是102室")
    with pytest.raises(ValidationFailed) as exc:
        rights.correction_apply(actor=world["community_worker"], correction_id=c.pk)
    assert exc.value.field == "reply"
    rights.correction_apply(
        actor=world["community_worker"], correction_id=c.pk, reply="已改为1幢1单元102"
    )
    assert CorrectionRequest.objects.get().status == CorrectionStatus.DONE


# ---- Consent for optional data ----------------------------------------------------------


def test_withdrawing_consent_erases_the_ciphertext(world):
    r = rich_record(world)
    skills_before, notes_before = raw_row("people_resident", r.pk, "skills", "health_notes")
    assert skills_before and notes_before and "越剧" not in skills_before
    erased = rights.consent_withdraw(actor=world["resident"])
    assert erased == ["skills", "health_notes", "contacts"]
    assert raw_row("people_resident", r.pk, "skills", "health_notes", "optional_consent_at") == (
        "",
        "",
        None,
    )
    # The optional contact row is gone; the family link registered by staff stays.
    assert list(Contact.objects.values_list("name", flat=True)) == ["王强"]
    entry = AuditEntry.objects.get(action="resident.consent_withdrawn")
    assert entry.data == {"fields": ["skills", "health_notes", "contacts"], "contacts_deleted": 1}
    with pytest.raises(ValidationFailed):
        rights.consent_withdraw(actor=world["resident"])


def test_optional_data_can_be_given_again(world):
    r = rich_record(world)
    rights.consent_withdraw(actor=world["resident"])
    with pytest.raises(ValidationFailed):
        rights.optional_data_give(actor=world["resident"], skills=" ", health_notes="")
    rights.optional_data_give(actor=world["resident"], skills="书法", health_notes="")
    r.refresh_from_db()
    assert r.skills == "书法" and r.optional_consent_at is not None
    assert AuditEntry.objects.filter(action="resident.optional_given").get().data == {
        "fields": ["skills"]
    }
