import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from linli.core.audit.services import audit_record
from linli.core.errors import ValidationFailed
from linli.geo.scope import Scope
from linli.people.choices import AuditAction
from linli.people.models import Resident, Sex
from linli.people.selectors import visible_to
from linli.people.validation import phone_mask, phone_normalise


@transaction.atomic
def resident_find_or_create(
    *, actor: Any, full_name: str, birth_year: int, sex: str = "", phone: str = ""
) -> tuple[Resident, bool]:
    """For staff entering a matter on someone's behalf (代办): the resident in the staff
    member's area with this name and birth year, or a new record with only these fields
    (minimum necessary, PEOPLE-5)."""
    name = (full_name or "").strip()
    if not 1 <= len(name) <= 50:
        raise ValidationFailed(_("请填写居民姓名。"), field="full_name")
    this_year = dt.date.today().year
    if not this_year - 120 <= birth_year <= this_year:
        raise ValidationFailed(_("出生年份不正确。"), field="birth_year")
    communities = Scope.for_actor(actor).communities().values_list("pk", flat=True)
    found = (
        visible_to(actor).filter(full_name=name, birth_year=birth_year).first()
        # A record made at a window of the actor's community has no home yet, so no place
        # scope reaches it: found by where it was made, or every visit would add one.
        or Resident.objects.filter(
            household__isnull=True,
            registered_community__in=communities,
            full_name=name,
            birth_year=birth_year,
        ).first()
    )
    if found is not None:
        audit_record(actor=actor, action=AuditAction.FOUND, obj=found, data={"purpose": "代办"})
        if phone and not found.phone:  # a number given at the window fills a gap, never replaces
            _set_phone(actor, found, phone)
        return found, False
    if sex not in Sex.values:
        raise ValidationFailed(_("新建居民档案需要选择性别。"), field="sex")
    # The community it is made in, when the actor works in exactly one.
    home = list(communities[:2])
    resident = Resident.objects.create(
        full_name=name,
        birth_year=birth_year,
        sex=sex,
        registered_community_id=home[0] if len(home) == 1 else None,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATED,
        obj=resident,
        data={"fields": ["full_name", "birth_year", "sex"], "purpose": "代办"},
    )
    if phone:
        _set_phone(actor, resident, phone)
    return resident, True


def _set_phone(actor: Any, resident: Resident, phone: str) -> None:
    resident.phone = phone_normalise(phone)
    resident.phone_masked = phone_mask(resident.phone)
    resident.save(update_fields=["phone", "phone_masked", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.CHANGED,
        obj=resident,
        data={"fields": ["phone"], "purpose": "代办"},
    )
