"""Reading the catalogue's data: field specs (merged across a bundle), the tiers a consent
must cover, eligibility rules, and value checks by field kind (SERVE-1)."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.errors import ValidationFailed
from linli.people.choices import Tier
from linli.people.selectors_prefill import EligibilityFacts, field_tier
from linli.people.validation import id_number_parse, phone_normalise
from linli.station.choices import FieldKind
from linli.station.models import Service

TEXT_LIMIT = 200
GRADES = ("一级", "二级", "三级", "四级")
TIER_ORDER = [Tier.BASIC, Tier.CONTACT, Tier.IDENTITY, Tier.HEALTH, Tier.FINANCE]


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    kind: str
    required: bool
    source: str  # a record field to prefill from, or ""
    document: str  # a document kind an accepted copy may stand in for, or ""
    tier: str

    @property
    def is_document(self) -> bool:
        return bool(self.document)

    @property
    def input_type(self) -> str:
        return {"date": "date", "phone": "tel"}.get(self.kind, "text")


def spec_of(raw: dict[str, Any]) -> FieldSpec:
    source = str(raw.get("source") or "")
    tier = str(raw.get("tier") or (field_tier(source) if source else Tier.BASIC))
    return FieldSpec(
        key=str(raw["key"]),
        label=str(raw.get("label") or raw["key"]),
        kind=str(raw.get("kind") or FieldKind.TEXT),
        required=bool(raw.get("required", True)),
        source=source,
        document=str(raw.get("document") or ""),
        tier=tier,
    )


def fields_of(services: Iterable[Service]) -> list[FieldSpec]:
    """The services' fields, each key once (required if any service requires it)."""
    out: dict[str, FieldSpec] = {}
    for service in services:
        for raw in service.fields:
            spec = spec_of(raw)
            if spec.key in out:
                if spec.required and not out[spec.key].required:
                    out[spec.key] = spec
                continue
            out[spec.key] = spec
    return list(out.values())


def tiers_needed(services: Iterable[Service]) -> list[str]:
    """The tiers the data shared with the departments falls in: the consent must name each."""
    found = {f.tier for f in fields_of(services)}
    return [t for t in TIER_ORDER if t in found]


def tier_label(tier: str) -> str:
    return str(Tier(tier).label)


def ineligible_reason(service: Service, facts: EligibilityFacts) -> str:
    """ "" when the resident may apply; else why not, in words the resident reads."""
    rules = service.eligibility or {}
    age = timezone.localdate().year - facts.birth_year
    if (min_age := rules.get("min_age")) and age < int(min_age):
        return _("%(service)s需要年满%(age)s周岁。") % {"service": service.name, "age": min_age}
    if rules.get("household") and not facts.has_household:
        return _("%(service)s需要在本社区登记住址,请先到居委会登记。") % {"service": service.name}
    for kind in rules.get("not_holding") or []:
        if kind in facts.holdings:
            return _("您已经享有或持有这项待遇,不需要再申请%(service)s。") % {
                "service": service.name
            }
    for kind in rules.get("holding") or []:
        if kind not in facts.holdings:
            return _("%(service)s需要已持有相应证件或待遇。") % {"service": service.name}
    return ""


def value_clean(spec: FieldSpec, raw: str) -> str:
    """A typed or corrected value, checked by its kind; ValidationFailed names the field."""
    value = (raw or "").strip()
    if not value:
        return ""
    try:
        if spec.kind == FieldKind.ID_NUMBER:
            return id_number_parse(value).number
        if spec.kind == FieldKind.PHONE:
            return phone_normalise(value)
    except ValidationFailed as exc:
        raise ValidationFailed(
            _("%(label)s:%(message)s") % {"label": spec.label, "message": exc.message},
            field=spec.key,
        ) from None
    if spec.kind == FieldKind.DATE:
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            raise ValidationFailed(
                _("%(label)s的日期格式不对。") % {"label": spec.label}, field=spec.key
            ) from None
        if day < timezone.localdate():
            raise ValidationFailed(
                _("%(label)s不能早于今天。") % {"label": spec.label}, field=spec.key
            )
        return day.isoformat()
    if spec.kind == FieldKind.DISABILITY_GRADE and not any(g in value for g in GRADES):
        raise ValidationFailed(_("请写明残疾等级(一级至四级)。"), field=spec.key)
    if len(value) > TEXT_LIMIT:
        raise ValidationFailed(
            _("%(label)s太长了(不超过%(limit)s字)。") % {"label": spec.label, "limit": TEXT_LIMIT},
            field=spec.key,
        )
    return value
