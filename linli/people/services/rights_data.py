"""What a resident sees of their own record (PEOPLE-7): everything held, the grants others
hold, their correction requests and who accessed it; the same data as an export (audited as
"resident.exported") in JSON with English keys and Chinese labels."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.audit.services import audit_record
from linli.core.errors import NotFound, ValidationFailed
from linli.core.roles import Role
from linli.people.choices import FIELDS, AuditAction, GrantStatus, Tier
from linli.people.models import AccessGrant, Contact, CorrectionRequest, Resident
from linli.people.selectors import access_for, visible_to
from linli.people.services.records import present, resident_read
from linli.people.services.rights_history import AccessHistory, access_history, history_as_dicts


def own_record(*, actor: Any) -> Resident:
    found = (
        visible_to(actor)
        .filter(user=actor)
        .select_related("household__building__grid__community")
        .first()
        if actor.role == Role.RESIDENT
        else None
    )
    if found is None:
        raise NotFound(_("还没有您的居民档案。请到社区居委会登记后再查看。"))
    return found


@dataclass
class MyData:
    """Everything held about one resident, as they see it."""

    resident: Resident
    fields: list[dict[str, Any]]
    tags: list[dict[str, Any]]
    contacts: list[Contact]
    credentials: list[dict[str, Any]]
    grants: list[AccessGrant]
    corrections: list[dict[str, Any]]
    history: AccessHistory


def field_display(resident: Resident, name: str, value: Any) -> str:
    if name == "sex":
        return str(resident.get_sex_display())
    if name == "ability":
        return str(resident.get_ability_display()) if value else ""
    return "" if value is None else str(value)


def _correction(c: CorrectionRequest) -> dict[str, Any]:
    return {
        "id": c.pk,
        "field": c.field,
        "field_label": FIELDS.get(c.field, ("", c.field))[1],
        "message": c.message,
        "status": c.status,
        "status_label": str(c.get_status_display()),
        "reply": c.reply,
        "created_at": c.created_at,
        "handled_at": c.handled_at,
    }


def _collect(resident: Resident, data: dict[str, Any]) -> MyData:
    tier_labels = dict(Tier.choices)
    fields = [
        {
            "name": name,
            "label": label,
            "tier": str(tier),
            "tier_label": str(tier_labels[tier]),
            "value": data.get(name),
            "display": field_display(resident, name, data.get(name)),
        }
        for name, (tier, label) in FIELDS.items()
        if name not in ("tags", "contacts")
    ]
    tags = [
        {
            "code": link.tag.code,
            "name": link.tag.name,
            "tier": link.tag.tier,
            "tier_label": str(tier_labels.get(link.tag.tier, "")),
            "valid_until": link.valid_until,
        }
        for link in resident.tag_links.select_related("tag").order_by("tag__code")
    ]
    # Others' grants on this record: pending, or approved and not yet expired.
    grants = list(
        AccessGrant.objects.filter(resident=resident)
        .filter(
            Q(status=GrantStatus.PENDING)
            | Q(status=GrantStatus.APPROVED, expires_at__gt=timezone.now())
        )
        .select_related("requester")
    )
    return MyData(
        resident=resident,
        fields=fields,
        tags=tags,
        contacts=list(resident.contacts.all()),
        # Certificates and grants decided for them (老年证 …): theirs to see in full.
        credentials=[
            {
                "name": c.name,
                "number": c.number,
                "issued_on": c.issued_on,
                "valid_until": c.valid_until,
                "source": c.source,
            }
            for c in resident.credentials.all()
        ],
        grants=grants,
        corrections=[_correction(c) for c in resident.corrections.all()[:20]],
        history=access_history(resident=resident),
    )


def my_data(*, actor: Any) -> MyData:
    """The resident's own record, read through `resident_read` so the view is audited."""
    resident = own_record(actor=actor)
    view = resident_read(actor=actor, resident_id=resident.pk, purpose="本人查看")
    return _collect(view.resident, view.data)


@transaction.atomic
def my_export(*, actor: Any, fmt: str) -> MyData:
    """The same data for a download or a printable page; the export is its own audit entry."""
    if fmt not in ("json", "page"):
        raise ValidationFailed(_("不支持这种导出格式。"), field="format")
    resident = own_record(actor=actor)
    access = access_for(actor=actor, resident=resident)
    data = present(resident, access)
    audit_record(
        actor=actor,
        action=AuditAction.EXPORTED,
        obj=resident,
        data={"format": fmt, "fields": list(access.fields), "own": access.own},
    )
    return _collect(resident, data)


def export_dict(data: MyData) -> dict[str, Any]:
    """The export and the API's body: English keys, Chinese labels next to the values."""
    r = data.resident
    h = r.household
    tier_labels = dict(Tier.choices)

    def _date(value: dt.date | dt.datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "id": r.pk,
        "fields": data.fields,
        "tags": [{**t, "valid_until": _date(t["valid_until"])} for t in data.tags],
        "contacts": [
            {
                "name": c.name,
                "relation": c.relation,
                "phone": c.phone,
                "optional": c.optional,
                "family_account": c.user_id is not None,
            }
            for c in data.contacts
        ],
        "credentials": [
            {
                **c,
                "issued_on": _date(c["issued_on"]),
                "valid_until": _date(c["valid_until"]),
            }
            for c in data.credentials
        ],
        "household": {
            "address": r.address,
            "community": h.building.grid.community.name if h else "",
            "grid": h.building.grid.name if h else "",
            "is_head": r.is_head,
        },
        "privacy": {
            "alerts_audience": r.alerts_audience,
            "alerts_audience_label": str(r.get_alerts_audience_display()),
            "optional_audience": r.optional_audience,
            "optional_audience_label": str(r.get_optional_audience_display()),
            "optional_consent_at": _date(r.optional_consent_at),
        },
        "grants": [
            {
                "who": g.requester.display_name,
                "role": str(g.requester.get_role_display()),
                "tiers": [str(tier_labels.get(t, t)) for t in g.tiers],
                "purpose": g.purpose,
                "status": g.status,
                "status_label": str(g.get_status_display()),
                "until": _date(g.expires_at),
            }
            for g in data.grants
        ],
        "corrections": [
            {**c, "created_at": _date(c["created_at"]), "handled_at": _date(c["handled_at"])}
            for c in data.corrections
        ],
        "access": history_as_dicts(data.history),
        "access_days": data.history.days,
        "access_truncated": data.history.truncated,
    }
