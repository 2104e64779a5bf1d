"""Writing and reading resident records. Every read of personal data and every change is an
audit entry naming who, whose record, which fields, the purpose and the grant (PEOPLE-4)."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.audit.services import audit_record
from linli.core.crypto import blind_index
from linli.core.errors import Conflict, PermissionDenied, ValidationFailed
from linli.geo.models import Household
from linli.geo.scope import Scope
from linli.people.choices import FIELDS, Ability, AuditAction, Tier
from linli.people.models import Contact, Resident, ResidentTag, Tag
from linli.people.selectors import Access, access_for, list_audited, resident_get, visible_to
from linli.people.validation import (
    id_number_cross_check,
    id_number_parse,
    phone_mask,
    phone_normalise,
)

ID_CONTEXT = "people.resident.id_number"
TEXT_LIMIT = 500
# Fields a staff form may write, by the tier that writing them needs.
WRITABLE = (
    "full_name",
    "sex",
    "birth_year",
    "relation_to_head",
    "ability",
    "phone",
    "id_number",
    "health_conditions",
    "disability",
    "assistance",
    "finance_note",
    "skills",
    "health_notes",
)


def id_number_hash(number: str) -> str:
    return blind_index(number, context=ID_CONTEXT)


def _clean(resident: Resident, values: dict[str, Any]) -> list[str]:
    """Validate and apply `values` to `resident` (not saved). Returns the changed field names."""
    changed: list[str] = []
    for name, raw in values.items():
        if name not in WRITABLE:
            raise ValidationFailed(_("不能修改这个项目。"), field=name)
        value = raw.strip() if isinstance(raw, str) else raw
        if name == "full_name" and not 1 <= len(value or "") <= 50:
            raise ValidationFailed(_("请填写姓名(50字以内)。"), field=name)
        if name == "sex" and value not in ("M", "F"):
            raise ValidationFailed(_("请选择性别。"), field=name)
        if name == "birth_year":
            try:
                value = int(value or 0)
            except (TypeError, ValueError):
                value = 0
            if not dt.date.today().year - 130 <= value <= dt.date.today().year:
                raise ValidationFailed(_("出生年份不正确。"), field=name)
        if name == "ability" and value and value not in Ability.values:
            raise ValidationFailed(_("老人能力等级只能是自理、半失能或失能。"), field=name)
        if name == "phone" and value:
            value = phone_normalise(value)
        if name == "id_number" and value:
            value = id_number_parse(value).number
        # The column's own length where it has one (a relation is 20), else the text limit.
        limit = getattr(Resident._meta.get_field(name), "max_length", None) or TEXT_LIMIT
        if isinstance(value, str) and len(value) > limit:
            raise ValidationFailed(
                _("内容过长(不超过%(limit)s字)。") % {"limit": limit}, field=name
            )
        if getattr(resident, name) != value:
            setattr(resident, name, value)
            changed.append(name)
    resident.phone_masked = phone_mask(resident.phone)
    if resident.id_number:
        info = id_number_parse(resident.id_number)
        id_number_cross_check(info, sex=resident.sex, birth_year=resident.birth_year)
        resident.id_number_hash = id_number_hash(info.number)
    else:
        resident.id_number_hash = ""
    if {"skills", "health_notes"} & set(changed) and resident.optional_consent_at is None:
        resident.optional_consent_at = timezone.now()
    return changed


def _save(resident: Resident) -> None:
    try:
        with transaction.atomic():
            resident.save()
    except IntegrityError:
        raise Conflict(_("这个身份证号已经登记在另一份档案中。"), field="id_number") from None


@transaction.atomic
def resident_create(
    *, actor: Any, household: Any, values: dict[str, Any], tags: list[str] | None = None
) -> Resident:
    """Staff register a resident in a household of their place."""
    if (
        household is None
        or not Household.objects.filter(pk=household.pk).filter(_household_place(actor)).exists()
    ):
        raise PermissionDenied(_("只能在自己负责的区域登记居民。"))
    resident = Resident(household=household)
    for required in ("full_name", "sex", "birth_year"):
        if not values.get(required):
            label = _(FIELDS.get(required, ("", required))[1])
            raise ValidationFailed(_("请填写%(field)s。") % {"field": label}, field=required)
    changed = _clean(resident, values)
    _save(resident)
    tag_names = tags_set(resident=resident, codes=tags or [])
    audit_record(
        actor=actor,
        action=AuditAction.CREATED,
        obj=resident,
        data={"fields": sorted(changed), "tags": tag_names},
    )
    return resident


def _household_place(actor: Any) -> Q:
    """Households a staff member may register residents in: their grids or community."""
    return Scope.for_actor(actor).q(grid="building__grid", community="building__grid__community")


def tags_set(*, resident: Resident, codes: list[str]) -> list[str]:
    """Replace the resident's tags by `codes` (validated). Returns the codes set."""
    wanted = {c.strip() for c in codes if c.strip()}
    found = {t.code: t for t in Tag.objects.filter(code__in=wanted)}
    unknown = wanted - set(found)
    if unknown:
        raise ValidationFailed(
            _("有不认识的标签。"), field="tags", extra={"unknown": sorted(unknown)}
        )
    ResidentTag.objects.filter(resident=resident).exclude(tag__code__in=wanted).delete()
    have = set(resident.tag_links.values_list("tag__code", flat=True))
    ResidentTag.objects.bulk_create(
        [ResidentTag(resident=resident, tag=found[c]) for c in sorted(wanted - have)]
    )
    return sorted(wanted)


@transaction.atomic
def resident_update(
    *, actor: Any, resident_id: int, values: dict[str, Any], purpose: str = ""
) -> Resident:
    """A staff member changes fields they may see (and so may change); the resident changes
    only through a correction request (PEOPLE-7)."""
    resident = resident_get(actor=actor, resident_id=resident_id)
    access = access_for(actor=actor, resident=resident)
    if access.own:
        raise PermissionDenied(_("请通过“申请更正”修改自己的信息。"))
    refused = [n for n in values if not access.allows(n)]
    if refused:
        raise PermissionDenied(_("您无权修改这些信息。"), field=refused[0])
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    changed = _clean(resident, values)
    if changed:
        _save(resident)
        audit_record(
            actor=actor,
            action=AuditAction.CHANGED,
            obj=resident,
            data={"fields": changed, "purpose": purpose[:100], "grants": access.grant_ids},
        )
    return resident


def _tags(resident: Resident, access: Access) -> list[dict[str, str]]:
    """A 低保 tag says as much as the assistance field: shown only with that tier."""
    tiers = {FIELDS[f][0] for f in access.fields} | {Tier.BASIC}
    return [
        {"code": link.tag.code, "name": link.tag.name}
        for link in resident.tag_links.select_related("tag")
        if link.tag.tier in tiers
    ]


def present(resident: Resident, access: Access) -> dict[str, Any]:
    """The record as the actor may see it: only allowed fields are in the result."""
    out: dict[str, Any] = {"id": resident.pk}
    for name in access.fields:
        if name == "tags":
            out[name] = _tags(resident, access)
        elif name == "contacts":
            out[name] = [
                {"name": c.name, "relation": c.relation, "phone": c.phone}
                for c in resident.contacts.all()
            ]
        elif name == "address":
            out[name] = resident.address
        else:
            out[name] = getattr(resident, name)
    return out


@dataclass
class RecordView:
    resident: Resident
    access: Access
    data: dict[str, Any]


@transaction.atomic
def resident_read(
    *, actor: Any, resident_id: int, purpose: str = "", case_id: int | None = None
) -> RecordView:
    """Open one record: what the actor may see of it, and an audit entry saying so."""
    resident = resident_get(actor=actor, resident_id=resident_id)
    access = access_for(actor=actor, resident=resident)
    data = present(resident, access)
    audit_record(
        actor=actor,
        action=AuditAction.VIEWED,
        obj=resident,
        data={
            "fields": [f for f in access.fields if f in data],
            "purpose": purpose[:100],
            "grants": access.grant_ids,
            "case": case_id,
            "own": access.own,
        },
    )
    return RecordView(resident=resident, access=access, data=data)


@dataclass
class ListPage:
    rows: list[Resident]
    total: int
    page: int
    pages: int


LIST_FIELDS = ("full_name", "sex", "birth_year", "phone_masked", "address", "tags", "ability")
PAGE_SIZE = 50


@transaction.atomic
def residents_list(
    *,
    actor: Any,
    q: str = "",
    grid_id: int | None = None,
    tag: str = "",
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> ListPage:
    """A staff member's list of residents (basic fields only), audited as one entry naming
    the records shown, so bulk reading shows up in the audit report."""
    qs = visible_to(actor).only(
        "id",
        "full_name",
        "sex",
        "birth_year",
        "phone_masked",
        "ability",
        "household__unit",
        "household__room",
        "household__building__name",
    )
    if q:
        qs = qs.filter(full_name__contains=q.strip()[:50])
    if grid_id:
        qs = qs.filter(household__building__grid_id=grid_id)
    if tag:
        qs = qs.filter(tag_links__tag__code=tag, tag_links__tag__tier=Tier.BASIC)
    total = qs.count()
    pages = max(1, (total + page_size - 1) // page_size)
    page = min(max(1, page), pages)
    rows = list(
        qs.select_related("household__building").order_by(
            "household__building__name", "household__unit", "household__room", "id"
        )[(page - 1) * page_size : page * page_size]
    )
    list_audited(actor=actor, ids=[r.pk for r in rows], fields=LIST_FIELDS)
    return ListPage(rows=rows, total=total, page=page, pages=pages)


@transaction.atomic
def contact_add(
    *,
    actor: Any,
    resident_id: int,
    name: str,
    relation: str,
    phone: str,
    user: Any = None,
    optional: bool = False,
) -> Contact:
    resident = resident_get(actor=actor, resident_id=resident_id)
    access = access_for(actor=actor, resident=resident)
    if not (access.own or access.allows("contacts")):
        raise PermissionDenied(_("您无权登记紧急联系人。"))
    name, relation = (name or "").strip(), (relation or "").strip()
    if not 1 <= len(name) <= 50:
        raise ValidationFailed(_("请填写联系人姓名。"), field="name")
    if not 1 <= len(relation) <= 20:
        raise ValidationFailed(_("请填写与居民的关系。"), field="relation")
    number = phone_normalise(phone)
    contact = Contact.objects.create(
        resident=resident,
        name=name,
        relation=relation,
        phone=number,
        phone_masked=phone_mask(number),
        user=user,
        optional=optional or access.own,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CHANGED,
        obj=resident,
        data={"fields": ["contacts"], "contact": contact.pk},
    )
    return contact
