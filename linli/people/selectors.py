"""Who may see which resident and which of their fields (PEOPLE-3). Other apps read people only
through these functions. A record the actor may not see is "not found"; the fields of a record
they may see follow from their role, their place, the resident's privacy choices (PEOPLE-6) and
any approved, unexpired access grant."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from linli.accounts.selectors import place_q
from linli.core.roles import Role
from linli.people.choices import FIELDS, GRANT_TIERS, Audience, GrantStatus, Tier, fields_of
from linli.people.models import AccessGrant, Contact, Resident

_PLACE = {
    "grid": "household__building__grid",
    "community": "household__building__grid__community",
    "street": "household__building__grid__community__street",
}
# What each staff role sees of a record in its place, before grants.
ROLE_TIERS: dict[str, frozenset[str]] = {
    Role.GRID_WORKER: frozenset({Tier.BASIC, Tier.OPTIONAL}),
    Role.COMMUNITY_WORKER: frozenset({Tier.BASIC, Tier.CONTACT, Tier.OPTIONAL}),
    Role.SECRETARY: frozenset({Tier.BASIC, Tier.CONTACT, Tier.OPTIONAL}),
    Role.STREET_ADMIN: frozenset({Tier.BASIC}),
}
# A department officer sees only what handling a case needs: who and where.
CASE_FIELDS = ("full_name", "phone_masked", "address")
# Roles that may ask for a grant (and so ever see protected tiers).
GRANT_ROLES = (
    Role.GRID_WORKER,
    Role.COMMUNITY_WORKER,
    Role.SECRETARY,
    Role.STREET_ADMIN,
    Role.DEPT_OFFICER,
)


def visible_to(actor: Any) -> QuerySet[Resident]:
    """The residents whose record the actor may open at all."""
    qs = Resident.objects.all()
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return qs.none()
    role = actor.role
    if role == Role.RESIDENT:
        return qs.filter(user=actor)
    if role == Role.FAMILY:
        return qs.filter(pk__in=Contact.objects.filter(user=actor).values("resident_id"))
    if role == Role.GRID_WORKER:
        return qs.filter(place_q(actor, grid=_PLACE["grid"]))
    if role in (Role.COMMUNITY_WORKER, Role.SECRETARY):
        return qs.filter(place_q(actor, community=_PLACE["community"]))
    if role == Role.STREET_ADMIN:
        return qs.filter(place_q(actor, street=_PLACE["street"]))
    if role == Role.DEPT_OFFICER:
        return qs.filter(pk__in=_case_residents(actor))
    return qs.none()


def _case_residents(actor: Any) -> QuerySet[Any]:
    from linli.casework.models import Case
    from linli.casework.permissions import user_units

    units = list(user_units(actor).values_list("pk", flat=True))
    cases = Case.objects.filter(
        Q(handler_unit__in=units) | Q(owner_unit__in=units), closed_at__isnull=True
    )
    by_user = Resident.objects.filter(
        user__in=cases.filter(anonymous=False).values("reporter_id")
    ).values("pk")
    return Resident.objects.filter(
        Q(pk__in=cases.values("resident_id")) | Q(pk__in=by_user)
    ).values("pk")


def grants_active(*, actor: Any, resident: Resident) -> list[AccessGrant]:
    return list(
        AccessGrant.objects.filter(
            requester=actor,
            resident=resident,
            status=GrantStatus.APPROVED,
            expires_at__gt=timezone.now(),
        )
    )


@dataclass
class Access:
    """What one actor may see of one record, and why (for the audit entry)."""

    fields: list[str]
    grant_ids: list[int] = field(default_factory=list)
    own: bool = False

    def allows(self, name: str) -> bool:
        return name in self.fields


def access_for(*, actor: Any, resident: Resident) -> Access:
    """Assumes the record is in `visible_to(actor)`; decides field by field."""
    role = actor.role
    if role == Role.RESIDENT and resident.user_id == actor.pk:
        return Access(fields=list(FIELDS), own=True)
    if role == Role.FAMILY:
        tiers = {Tier.BASIC}
        if resident.optional_audience == Audience.FAMILY:
            tiers.add(Tier.OPTIONAL)
        return Access(fields=fields_of(*tiers))
    if role == Role.DEPT_OFFICER:
        tiers_granted, ids = _granted(actor, resident)
        return Access(fields=list(CASE_FIELDS) + fields_of(*tiers_granted), grant_ids=ids)
    staff_tiers: set[str] = set(ROLE_TIERS.get(role, frozenset()))
    if not staff_tiers:
        return Access(fields=[])
    granted, ids = _granted(actor, resident)
    return Access(fields=fields_of(*(staff_tiers | granted)), grant_ids=ids)


def _granted(actor: Any, resident: Resident) -> tuple[set[str], list[int]]:
    tiers: set[str] = set()
    ids: list[int] = []
    for g in grants_active(actor=actor, resident=resident):
        tiers.update(t for t in g.tiers if t in GRANT_TIERS)
        ids.append(g.pk)
    return tiers, ids


def resident_get(*, actor: Any, resident_id: int) -> Resident:
    from linli.core.errors import NotFound

    found = (
        visible_to(actor)
        .select_related("household__building__grid__community")
        .filter(pk=resident_id)
        .first()
    )
    if found is None:
        raise NotFound("没有找到这位居民的档案。")
    return found


def resident_by_id_number(*, actor: Any, id_number: str) -> Resident | None:
    """Exact lookup through the keyed hash (PEOPLE-2): no row is decrypted to find it."""
    from linli.core.crypto import blind_index
    from linli.people.validation import id_number_parse

    info = id_number_parse(id_number)
    digest = blind_index(info.number, context="people.resident.id_number")
    return visible_to(actor).filter(id_number_hash=digest).first()


def alert_audience(*, resident: Resident) -> list[Any]:
    """Family accounts that may see this resident's alerts (PEOPLE-6; the grid worker always
    does). Care and casework call this before notifying anyone but staff."""
    if resident.alerts_audience != Audience.FAMILY:
        return []
    return [c.user for c in resident.contacts.select_related("user") if c.user_id is not None]
