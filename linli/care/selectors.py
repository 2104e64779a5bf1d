"""What each actor may see of care: alerts, households, devices, services (CARE-5..7).

Place scoping is in the query: a grid worker sees their grids, community staff their
community, a street officer their street. Family see the homes of the relatives who list
them as a contact, and those relatives' alerts only when the relative's privacy choice lets
them (`people.selectors.alert_audience`, PEOPLE-6). Anything else is "not found".
"""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet

from linli.accounts.choices import MembershipKind
from linli.accounts.selectors import place_q
from linli.care.models import ACTIVE_ALERT_STATUSES, Alert, AlertStatus, AwayPeriod, Device
from linli.core.errors import NotFound
from linli.core.roles import Role
from linli.geo.models import Community, Household
from linli.people.models import Contact, Resident

HOME = "household__building__grid"
# Staff who work care in a place (alerts, households, services).
GRID_ROLES = (Role.GRID_WORKER,)
COMMUNITY_ROLES = (Role.COMMUNITY_WORKER, Role.SECRETARY)
COMMUNITY_KINDS = (MembershipKind.COMMUNITY_WORKER, MembershipKind.SECRETARY)
# Alerts nobody has been told about yet (quiet hours) are not shown.
SHOWN_STATUSES = (
    AlertStatus.OPEN,
    AlertStatus.ACKNOWLEDGED,
    AlertStatus.CLOSED,
    AlertStatus.RESOLVED_AUTO,
)
OPEN_SHOWN = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)


def _active(actor: Any) -> bool:
    return bool(actor is not None and actor.is_authenticated and actor.is_active)


def _staff_q(actor: Any, prefix: str) -> Q | None:
    """Place filter for staff roles; None for roles that see no place."""
    role = actor.role
    if role in GRID_ROLES:
        return place_q(actor, grid=prefix)
    if role in COMMUNITY_ROLES:
        return place_q(actor, community=f"{prefix}__community")
    if role == Role.STREET_ADMIN:
        return place_q(actor, street=f"{prefix}__community__street")
    return None


def relatives_of(actor: Any) -> QuerySet[Resident]:
    """The residents who list this family account as a contact."""
    if not _active(actor) or actor.role != Role.FAMILY:
        return Resident.objects.none()
    return Resident.objects.filter(
        pk__in=Contact.objects.filter(user=actor).values("resident_id"), household__isnull=False
    )


def family_alert_residents(actor: Any) -> list[int]:
    """Relatives whose alerts this family member may see (each relative's own choice)."""
    from linli.people.selectors import alert_audience

    allowed = []
    for r in relatives_of(actor).prefetch_related("contacts__user"):
        if any(u.pk == actor.pk for u in alert_audience(resident=r)):
            allowed.append(r.pk)
    return allowed


def households_visible_to(actor: Any) -> QuerySet[Household]:
    qs = Household.objects.all()
    if not _active(actor):
        return qs.none()
    if actor.role == Role.FAMILY:
        return qs.filter(pk__in=relatives_of(actor).values("household_id"))
    q = _staff_q(actor, "building__grid")
    return qs.filter(q) if q is not None else qs.none()


def household_get(*, actor: Any, household_id: int) -> Household:
    found = (
        households_visible_to(actor)
        .select_related("building__grid__community")
        .filter(pk=household_id)
        .first()
    )
    if found is None:
        raise NotFound("没有找到这户人家。")
    return found


def alerts_visible_to(actor: Any) -> QuerySet[Alert]:
    qs = Alert.objects.filter(status__in=SHOWN_STATUSES)
    if not _active(actor):
        return qs.none()
    if actor.role == Role.FAMILY:
        residents = family_alert_residents(actor)
        households = Resident.objects.filter(pk__in=residents).values("household_id")
        return qs.filter(
            Q(resident_id__in=residents) | Q(resident__isnull=True, household_id__in=households)
        )
    q = _staff_q(actor, HOME)
    return qs.filter(q) if q is not None else qs.none()


def alert_get(*, actor: Any, alert_id: int) -> Alert:
    found = (
        alerts_visible_to(actor)
        .select_related("household__building__grid__community", "resident", "assigned_to")
        .filter(pk=alert_id)
        .first()
    )
    if found is None:
        raise NotFound("没有找到这条看护提醒。")
    return found


def alerts_open_for(actor: Any) -> QuerySet[Alert]:
    """The worker's list: open first by deadline, then visits under way."""
    return (
        alerts_visible_to(actor)
        .filter(status__in=OPEN_SHOWN)
        .select_related("household__building", "resident", "assigned_to", "acknowledged_by")
        .order_by("status", "due_at")
    )


def devices_visible_to(actor: Any) -> QuerySet[Device]:
    qs = Device.objects.all()
    if not _active(actor):
        return qs.none()
    if actor.role == Role.FAMILY:
        return qs.filter(household_id__in=relatives_of(actor).values("household_id"))
    q = _staff_q(actor, HOME)
    return qs.filter(q) if q is not None else qs.none()


def away_visible_to(actor: Any) -> QuerySet[AwayPeriod]:
    return AwayPeriod.objects.filter(household__in=households_visible_to(actor))


def communities_of(actor: Any) -> QuerySet[Community]:
    """The communities whose care board the actor may open."""
    if not _active(actor):
        return Community.objects.none()
    q = Q(pk__in=[])
    for m in actor.memberships.all():
        if m.kind in COMMUNITY_KINDS and actor.role in COMMUNITY_ROLES:
            q |= Q(pk=m.community_id)
        elif m.kind == MembershipKind.STREET_ADMIN and actor.role == Role.STREET_ADMIN:
            q |= Q(street_id=m.street_id)
        elif m.kind == MembershipKind.GRID_WORKER and actor.role in GRID_ROLES:
            q |= Q(grids__pk=m.grid_id)
    return Community.objects.filter(q).distinct().order_by("code")


def community_get(*, actor: Any, community_id: int | None) -> Community:
    mine = communities_of(actor)
    found = mine.filter(pk=community_id).first() if community_id else mine.first()
    if found is None:
        raise NotFound("没有找到这个社区。")
    return found


def residents_visible_to(actor: Any) -> QuerySet[Resident]:
    """Residents the actor may record care services for (their place)."""
    if not _active(actor):
        return Resident.objects.none()
    q = _staff_q(actor, HOME)
    return Resident.objects.filter(q) if q is not None else Resident.objects.none()


def active_alert_exists(*, household_id: int, rule: str) -> bool:
    return Alert.objects.filter(
        household_id=household_id, rule=rule, status__in=ACTIVE_ALERT_STATUSES
    ).exists()


def device_health(
    devices: Iterable[Device], now: dt.datetime, defaults: Any = None
) -> list[dict[str, Any]]:
    """Each device with a plain status: 正常 / 离线 (silent past its kind's heartbeat) /
    未上报 (never reported)."""
    from linli.care.services.rules import defaults_get, offline_after

    d = defaults or defaults_get()
    out = []
    for dev in devices:
        if dev.last_seen_at is None:
            state, css = "未上报", "warn"
        elif now - dev.last_seen_at > offline_after(dev.kind, d):
            state, css = "离线", "bad"
        else:
            state, css = "正常", "ok"
        out.append({"device": dev, "state": state, "css": css})
    return out
