"""What the one-stop services app (station, SERVE-1) reads of a record, through here only.

Prefill reads the fields a service needs and writes ONE audit entry naming them, the purpose
and the tiers the resident consented to. The resident reads their own record; window staff
(代办, the resident present) read basic and contact fields as always, and identity, health
or finance fields only for the tiers the resident consented to in that application."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.audit.services import audit_record
from linli.core.errors import PermissionDenied
from linli.core.roles import COMMUNITY_ROLES
from linli.people.choices import FIELDS, AuditAction, Tier
from linli.people.models import Credential, Resident, ResidentTag
from linli.people.selectors import access_for, resident_get

CREDENTIAL = "credential:"
# Fields a service may ask the record for (the derived masked phone and optional data not).
PREFILLABLE = (
    "full_name",
    "sex",
    "birth_year",
    "address",
    "phone",
    "id_number",
    "health_conditions",
    "disability",
    "assistance",
    "finance_note",
)
# Tags whose holding decides eligibility ("existing grant"); only yes/no leaves here.
HOLDING_TAGS = ("dibao", "dibian", "tekun", "disabled")
OPEN_TIERS = (Tier.BASIC, Tier.CONTACT)


def field_tier(name: str) -> str:
    if name.startswith(CREDENTIAL):
        return Tier.IDENTITY
    return FIELDS[name][0] if name in FIELDS else Tier.IDENTITY


def field_label(name: str) -> str:
    return FIELDS[name][1] if name in FIELDS else name


def _value(resident: Resident, name: str) -> str:
    if name.startswith(CREDENTIAL):
        cred = resident.credentials.filter(kind=name.removeprefix(CREDENTIAL)).first()
        return cred.number if cred is not None else ""
    if name == "address":
        return resident.address
    if name == "sex":
        return str(resident.get_sex_display()) if resident.sex else ""
    value = getattr(resident, name)
    return "" if value is None else str(value)


def service_prefill(
    *,
    actor: Any,
    resident_id: int,
    fields: list[str],
    consent_tiers: list[str],
    purpose: str,
) -> dict[str, str]:
    """field → value for the asked fields the record holds and the actor may read now."""
    resident = resident_get(actor=actor, resident_id=resident_id)
    access = access_for(actor=actor, resident=resident)
    if not access.own and getattr(actor, "role", "") not in COMMUNITY_ROLES:
        raise PermissionDenied(_("只有本人或社区窗口工作人员可以调取档案信息。"))
    out: dict[str, str] = {}
    for name in fields:
        if not (name in PREFILLABLE or name.startswith(CREDENTIAL)):
            continue
        tier = field_tier(name)
        if not access.own and tier not in OPEN_TIERS and tier not in consent_tiers:
            continue
        value = _value(resident, name)
        if value:
            out[name] = value
    audit_record(
        actor=actor,
        action=AuditAction.VIEWED,
        obj=resident,
        data={
            "fields": sorted(out),
            "purpose": purpose[:100],
            "consent": sorted(set(consent_tiers)),
            "own": access.own,
        },
    )
    return out


@dataclass(frozen=True)
class EligibilityFacts:
    """What eligibility rules read; never shown, so not audited (like service_priority)."""

    birth_year: int
    has_household: bool
    holdings: frozenset[str]  # credential kinds and holding-tag codes valid today


def eligibility_facts(*, resident_id: int) -> EligibilityFacts:
    resident = Resident.objects.get(pk=resident_id)
    today = timezone.localdate()
    valid = Q(valid_until__isnull=True) | Q(valid_until__gte=today)
    tags = ResidentTag.objects.filter(valid, resident_id=resident_id, tag__code__in=HOLDING_TAGS)
    creds = Credential.objects.filter(valid, resident_id=resident_id)
    holdings = set(tags.values_list("tag__code", flat=True))
    holdings |= set(creds.values_list("kind", flat=True))
    return EligibilityFacts(
        resident.birth_year, resident.household_id is not None, frozenset(holdings)
    )
