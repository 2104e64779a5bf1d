"""Who may see which resident and which of their fields (PEOPLE-3). Other apps read people only
through these functions. A record the actor may not see is "not found"; the fields of a record
they may see follow from their role, their place, the resident's privacy choices (PEOPLE-6) and
any approved, unexpired access grant."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.audit.services import audit_record
from linli.core.crypto import blind_index
from linli.core.errors import NotFound
from linli.core.roles import Role
from linli.people import registry
from linli.people.choices import (
    FIELDS,
    GRANT_TIERS,
    Audience,
    AuditAction,
    GrantStatus,
    Tier,
    fields_of,
)
from linli.people.defaults import ALONE_ELDERLY
from linli.people.models import AccessGrant, Contact, Resident, ResidentTag
from linli.people.policy import CASE_FIELDS, ROLE_TIERS
from linli.people.validation import id_number_parse

__all__ = [
    "Access",
    "ResidentBrief",
    "access_for",
    "alert_audience",
    "alert_audiences",
    "alone_elderly",
    "case_visible",
    "household_or_family",
    "list_audited",
    "relative_users_of",
    "relatives_of",
    "resident_by_id_number",
    "resident_get",
    "resident_of_user",
    "resident_reachable",
    "residents_brief",
    "service_priority",
    "residents_of_households",
    "visible_to",
]


def visible_to(actor: Any) -> QuerySet[Resident]:
    """The residents whose record the actor may open at all (`Resident.objects.visible_to`)."""
    return Resident.objects.visible_to(actor)


def case_visible(*, actor: Any, case_id: int | None) -> bool:
    """The actor may see that case (casework answers through `people.registry`)."""
    if not case_id:
        return False
    return any(provider(actor=actor, case_id=case_id) for provider in registry.case_visible)


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
    found = (
        visible_to(actor)
        .select_related("household__building__grid__community")
        .filter(pk=resident_id)
        .first()
    )
    if found is None:
        raise NotFound(_("没有找到这位居民的档案。"))
    return found


def resident_by_id_number(*, actor: Any, id_number: str) -> Resident | None:
    """Exact lookup through the keyed hash (PEOPLE-2): no row is decrypted to find it."""
    info = id_number_parse(id_number)
    digest = blind_index(info.number, context="people.resident.id_number")
    return visible_to(actor).filter(id_number_hash=digest).first()


def alert_audience(*, resident: Resident) -> list[Any]:
    """Family accounts that may see this resident's alerts (PEOPLE-6; the grid worker always
    does). Care and casework call this before notifying anyone but staff."""
    if resident.alerts_audience != Audience.FAMILY:
        return []
    return [c.user for c in resident.contacts.select_related("user") if c.user_id is not None]


def alert_audiences(resident_ids: Iterable[int]) -> dict[int, list[Any]]:
    """resident id → the family accounts that may see their alerts (two queries)."""
    residents = Resident.objects.filter(pk__in=set(resident_ids)).prefetch_related("contacts__user")
    out: dict[int, list[Any]] = {}
    for r in residents:
        if r.alerts_audience != Audience.FAMILY:
            out[r.pk] = []
        else:
            out[r.pk] = [c.user for c in r.contacts.all() if c.user_id is not None]
    return out


# ---- Briefs: what other apps show of a resident (name, home, basic tags) ------------------


@dataclass(frozen=True)
class ResidentBrief:
    """Basic-tier facts about a resident, for pickers, boards and placing someone. Nothing
    protected: no phone beyond the masked one, no identity, health or finance data."""

    id: int
    full_name: str
    sex: str
    birth_year: int
    household_id: int | None
    address: str  # building + unit + room, or ""
    building: str
    grid_id: int | None
    grid_name: str
    community_id: int | None
    ability: str  # Ability value, "" when not assessed
    ability_label: str  # "" when not assessed
    tags: tuple[str, ...]  # names of the basic-tier tags valid today
    phone_masked: str
    user_id: int | None  # the resident's own account, if any

    @property
    def pk(self) -> int:
        return self.id

    def __str__(self) -> str:
        return self.full_name


# The fields a brief shows, as the audit entry names them.
BRIEF_FIELDS = ("full_name", "sex", "birth_year", "address", "ability", "tags", "phone_masked")
BRIEF_ORDER = ("household__building__name", "full_name", "pk")


def _brief_filters(filters: dict[str, Any]) -> Q:
    """The filters other apps may ask for, declared here so they never write lookups on
    people's tables themselves."""
    q = Q()
    on: dt.date = filters.pop("on", None) or timezone.localdate()
    valid = Q(valid_until__isnull=True) | Q(valid_until__gte=on)
    if (households := filters.pop("household_ids", None)) is not None:
        q &= Q(household_id__in=set(households))
    if (community_id := filters.pop("community_id", None)) is not None:
        q &= Q(household__building__grid__community_id=community_id)
    if (grid_id := filters.pop("grid_id", None)) is not None:
        q &= Q(household__building__grid_id=grid_id)
    if (name := filters.pop("full_name", None)) is not None:
        q &= Q(full_name=str(name).strip())
    if text := str(filters.pop("search", "") or "").strip()[:50]:
        # A staff picker: part of the name or building, the room, or the phone's last four
        # digits (the only digits kept in clear).
        found = Q(full_name__icontains=text) | Q(household__building__name__icontains=text)
        found |= Q(household__room=text)
        digits = "".join(ch for ch in text if ch.isdigit())
        if len(digits) >= 4:
            found |= Q(phone_masked__endswith=digits[-4:])
        q &= found
    if tag := filters.pop("tag", None):
        tagged = ResidentTag.objects.filter(valid, tag__code=tag, tag__tier=Tier.BASIC)
        q &= Q(pk__in=tagged.values("resident_id"))
    if filters.pop("elderly", False):
        alone = ResidentTag.objects.filter(valid, tag__code=ALONE_ELDERLY)
        q &= Q(pk__in=alone.values("resident_id")) | ~Q(ability="")
    if filters:
        raise TypeError(f"residents_brief: unknown filters {sorted(filters)}")
    return q


def _briefs(qs: QuerySet[Resident], limit: int | None) -> dict[int, ResidentBrief]:
    today = timezone.localdate()
    links = ResidentTag.objects.filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=today), tag__tier=Tier.BASIC
    ).select_related("tag")
    rows = (
        qs.select_related("household__building__grid")
        .prefetch_related(Prefetch("tag_links", queryset=links.order_by("tag__code")))
        .order_by(*BRIEF_ORDER)
    )
    if limit is not None:
        rows = rows[:limit]
    out: dict[int, ResidentBrief] = {}
    for r in rows:
        h = r.household
        grid = h.building.grid if h is not None else None
        out[r.pk] = ResidentBrief(
            id=r.pk,
            full_name=r.full_name,
            sex=r.sex,
            birth_year=r.birth_year,
            household_id=r.household_id,
            address=r.address,
            building=h.building.name if h is not None else "",
            grid_id=grid.pk if grid is not None else None,
            grid_name=grid.name if grid is not None else "",
            community_id=grid.community_id if grid is not None else None,
            ability=r.ability,
            ability_label=str(r.get_ability_display()) if r.ability else "",
            tags=tuple(link.tag.name for link in r.tag_links.all()),
            phone_masked=r.phone_masked,
            user_id=r.user_id,
        )
    return out


def residents_brief(
    *,
    actor: Any,
    ids: Iterable[int] | None = None,
    purpose: str,
    limit: int = 500,
    **filters: Any,
) -> dict[int, ResidentBrief]:
    """Briefs of the residents the actor may see (`Resident.objects.named_to`: their record
    reach, plus a volunteer's volunteer grids), by building then name, at most `limit`.

    Writes ONE audit "list" entry (action `resident.listed`, like the people list page)
    naming the ids returned and the purpose; nothing is written when none is returned.

    Filters (all optional): `household_ids`, `community_id`, `grid_id`, `full_name` (exact),
    `search` (part of the name or building, the room, or the phone's last four digits),
    `tag` (a basic-tier tag code, valid `on` a date, default today), `elderly=True` (tagged
    独居老人 or with an assessed ability level: whom home care is for).
    """
    qs = Resident.objects.named_to(actor)
    if ids is not None:
        wanted = {int(i) for i in ids}
        if not wanted:
            return {}
        qs = qs.filter(pk__in=wanted)
    qs = qs.filter(_brief_filters(dict(filters)))
    out = _briefs(qs, limit)
    list_audited(actor=actor, ids=list(out), fields=BRIEF_FIELDS, purpose=purpose)
    return out


def list_audited(*, actor: Any, ids: list[int], fields: Iterable[str], purpose: str = "") -> None:
    """The one audit entry for a list of residents shown to someone (the bulk-reading flag
    counts its ids); none when the list is empty."""
    if not ids:
        return
    data: dict[str, Any] = {"ids": ids, "fields": list(fields)}
    if purpose:
        data["purpose"] = purpose[:100]
    audit_record(actor=actor, action=AuditAction.LISTED, object_type="people.resident", data=data)


def resident_reachable(*, actor: Any, resident_id: int | None) -> bool:
    """Whether the actor may name this resident (as in `residents_brief`); shows nothing,
    so it is not audited. For services checking an id a page or the API was given."""
    if not resident_id:
        return False
    return Resident.objects.named_to(actor).filter(pk=resident_id).exists()


def resident_of_user(user: Any) -> ResidentBrief | None:
    """The user's own resident record, to place them (home, grid, community). Not audited:
    it is about the account holder; show it to anyone else only through `residents_brief`."""
    if user is None or getattr(user, "pk", None) is None:
        return None
    return next(iter(_briefs(Resident.objects.filter(user_id=user.pk), 1).values()), None)


def residents_of_households(household_ids: Iterable[int]) -> dict[int, list[ResidentBrief]]:
    """household id → its residents, by id. For services acting without a person (an
    emergency call, routing an alert); never for a list shown to someone, which goes
    through the audited `residents_brief`."""
    qs = Resident.objects.filter(household_id__in=set(household_ids))
    out: dict[int, list[ResidentBrief]] = {}
    for brief in sorted(_briefs(qs, None).values(), key=lambda b: b.id):
        if brief.household_id is not None:
            out.setdefault(brief.household_id, []).append(brief)
    return out


def alone_elderly(
    *, community_id: int, on: dt.date, grid_id: int | None = None
) -> QuerySet[Resident]:
    """Residents tagged 独居老人 (tag valid on `on`) in a community, or one grid of it: for
    the counts and reports that read these rows in one query (care's home-service board). A
    list shown to someone is audited by the page that shows it (`list_audited`)."""
    tagged = ResidentTag.objects.filter(tag__code=ALONE_ELDERLY).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=on)
    )
    qs = Resident.objects.filter(
        pk__in=tagged.values("resident_id"), household__building__grid__community_id=community_id
    )
    if grid_id is not None:
        qs = qs.filter(household__building__grid_id=grid_id)
    return qs


# Who is served first when volunteers are scarce (§3.2): elderly living alone, disabled people,
# households on minimum living allowance (低保) or in extreme poverty (特困).
PRIORITY_TAGS = (ALONE_ELDERLY, "disabled", "dibao", "tekun")


def service_priority(resident_ids: Iterable[int], *, on: dt.date | None = None) -> dict[int, int]:
    """resident id → how many priority grounds apply (0 when none), for ranking service
    needs. Only a number leaves this module: which ground (health or finance tier) does not,
    so callers never hold or show the tags themselves."""
    ids = sorted({int(i) for i in resident_ids})
    if not ids:
        return {}
    on = on or timezone.localdate()
    links = ResidentTag.objects.filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=on),
        resident_id__in=ids,
        tag__code__in=PRIORITY_TAGS,
    ).values_list("resident_id", "tag__code")
    grounds: dict[int, set[str]] = {i: set() for i in ids}
    for resident_id, code in links:
        grounds[resident_id].add("dibao" if code == "tekun" else code)
    return {i: len(g) for i, g in grounds.items()}


# ---- The one family relation (Contact.user in force) ---------------------------------------


def relatives_of(user: Any) -> QuerySet[Resident]:
    """The residents whose record links this account as family: whose records a family
    account opens, whose homes and alerts the family views show (each record's privacy
    choices still apply)."""
    if user is None or getattr(user, "pk", None) is None:
        return Resident.objects.none()
    return Resident.objects.filter(
        pk__in=Contact.objects.filter(user_id=user.pk).values("resident_id")
    )


def relative_users_of(user: Any) -> list[Any]:
    """The accounts linked to this one as family, either way round: the family accounts on
    the user's own record, and the accounts of the residents whose record links the user.
    Time-bank gifts (代际互助) go between these."""
    if user is None or getattr(user, "pk", None) is None:
        return []
    links = Contact.objects.filter(
        Q(resident__user_id=user.pk, user__isnull=False)
        | Q(user_id=user.pk, resident__user__isnull=False)
    ).select_related("user", "resident__user")
    found: dict[int, Any] = {}
    for link in links:
        other = link.user if link.resident.user_id == user.pk else link.resident.user
        if other is not None and other.pk != user.pk:
            found[other.pk] = other
    return [found[pk] for pk in sorted(found)]


def household_or_family(*, user: Any, resident_ids: Iterable[int]) -> bool:
    """Whether this account is one of these residents, lives in one of their households, or
    is linked to one of them as family (either way round): the conflict of interest that
    bars someone from judging them impartially (a mediator). Answers yes or no, no record."""
    ids = sorted(set(resident_ids))
    if user is None or getattr(user, "pk", None) is None or not ids:
        return False
    residents = list(Resident.objects.filter(pk__in=ids).values_list("household_id", "user_id"))
    households = {h for h, _u in residents if h is not None}
    own = Resident.objects.filter(user_id=user.pk).values_list("pk", "household_id").first()
    if own is not None and (own[0] in ids or own[1] in households):
        return True
    if Contact.objects.filter(resident_id__in=ids, user_id=user.pk).exists():
        return True
    party_users = [u for _h, u in residents if u is not None]
    links = Contact.objects.filter(resident_id=own[0], user_id__in=party_users) if own else None
    return links is not None and links.exists()


@dataclass(frozen=True)
class EmergencyNumber:
    label: str  # "本人", or the contact's name and relation
    phone: str


def emergency_numbers(*, actor: Any, resident_id: int, purpose: str) -> list[EmergencyNumber]:
    """The numbers to ring during a one-key call (CARE-6): the person and their contacts.
    Only for someone within the actor's reach; contact-tier data, so each read is one audit
    entry naming the fields and the purpose. Callers show it only on an open emergency."""
    resident = visible_to(actor).filter(pk=resident_id).first()
    if resident is None:
        return []
    out = [EmergencyNumber(str(_("本人")), resident.phone)] if resident.phone else []
    for c in resident.contacts.order_by("pk"):
        if c.phone:
            out.append(EmergencyNumber(f"{c.name}({c.relation})", c.phone))
    audit_record(
        actor=actor,
        action=AuditAction.VIEWED,
        obj=resident,
        data={"fields": ["phone", "contacts"], "purpose": purpose},
    )
    return out
